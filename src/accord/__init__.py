"""Accord: agreement-governed, secure information exchange between allied nations."""

__version__ = "0.1.0"
