"""Fixtures for the integration tests."""

from __future__ import annotations

from tests.support.api import api_client as api

__all__ = ["api"]
