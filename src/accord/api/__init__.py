"""The HTTP edge of a node: FastAPI routes over accord.node."""
