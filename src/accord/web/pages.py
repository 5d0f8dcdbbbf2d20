"""The console's pages, by what they are for (``rendering`` holds what they share): signing in
(``sign_in_pages``), the register (``register_pages``), messages (``message_pages``), audit
(``audit_pages``) and the operators' pages (``admin_pages``). ``router`` holds them all; the
API's app mounts it behind the same middleware."""

from __future__ import annotations

from fastapi import APIRouter

from accord.web import admin_pages, audit_pages, message_pages, register_pages, sign_in_pages

router = APIRouter(include_in_schema=False)
for pages in (sign_in_pages, register_pages, message_pages, audit_pages, admin_pages):
    router.routes.extend(pages.router.routes)  # one flat list: every route, in this order
