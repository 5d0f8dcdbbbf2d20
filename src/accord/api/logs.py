"""What ``accord serve`` prints: one line per event, as text for people or as JSON objects (one
per line) for log shippers (``--log-format json``). The fields of each kind of line are listed in
docs/node.md ("What accord serve prints"); no line carries a secret, a token or a message's
content or label."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """``{"time", "level", "logger", "message", ...fields}`` on one line; the time in UTC."""

    @staticmethod
    def converter(seconds: float | None = None) -> time.struct_time:
        return time.gmtime(seconds)

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line |= {k: v for k, v in fields.items() if k not in line}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str) -> None:
    """Accord's own loggers at INFO on stderr, in ``log_format`` (``text`` or ``json``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    accord = logging.getLogger("accord")
    accord.handlers[:] = [handler]
    accord.setLevel(logging.INFO)
    accord.propagate = False
