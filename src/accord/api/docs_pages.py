"""The API's reference pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``) with their scripts and
styles served by the node itself: nodes run on air-gapped networks, where a page that loads its
assets from a CDN stays blank. The assets are those ``fastapi-offline`` packages (Swagger UI 5
and ReDoc 2, which read the OpenAPI 3.1 document FastAPI writes)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs/assets"


def assets_directory() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def add_reference_pages(app: FastAPI) -> None:
    """``/docs`` and ``/redoc``, and their assets under ``/docs/assets``; the app is created with
    ``docs_url=None`` and ``redoc_url=None`` (FastAPI's own pages load from a CDN)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_directory()), name="docs-assets")
    favicon = f"{ASSETS_PATH}/favicon.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=favicon,
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - API",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
