"""Fixtures for the integration tests."""

from __future__ import annotations

from tests.support.api import api_client as api
from tests.support.console import console_app as console

__all__ = ["api", "console"]
