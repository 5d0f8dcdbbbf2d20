"""``accord serve --log-format json``: one JSON object per line, with the event's fields."""

from __future__ import annotations

import json
import logging

from accord.api.logs import JsonLines


def test_a_json_line_has_time_level_logger_message_and_fields() -> None:
    record = logging.LogRecord(
        "accord.outbox", logging.INFO, __file__, 1, "message %s", ("m1",), None
    )
    record.fields = {"message": "m1", "after": "delivered", "level": "not this one"}
    line = json.loads(JsonLines().format(record))
    assert line["logger"] == "accord.outbox"
    assert line["level"] == "info"  # a field never overrides the line's own keys
    assert line["message"] == "message m1"
    assert line["after"] == "delivered"
    assert line["time"].endswith("Z")
