"""Cryptography for Accord. ``_hazmat`` is the only module that imports the ``cryptography``
package's hazardous-materials layer; everything else uses the safe recipes it exposes."""
