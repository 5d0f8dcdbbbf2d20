"""Cryptography for Accord. ``_hazmat`` is the only module that imports ``cryptography.hazmat``;
everything else uses the safe recipes it exposes."""
