"""Services that compose the pure core with the store. The API, web console and CLI only
translate to and from these."""
