"""Fixtures for the integration tests."""

from __future__ import annotations

from tests.integration.api_support import api_client as api

__all__ = ["api"]
