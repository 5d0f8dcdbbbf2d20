import json

import pytest
import yaml

from accord.agreements.document import LineLocator, detect_format, parse_document
from accord.agreements.public_record import public_record, public_record_bytes
from accord.agreements.record import register_from_dict, register_to_dict
from accord.errors import InvalidInput

MINIMAL = """\
schema: accord.register/1
sources:
  - id: s1
    title: A source
agreements:
  - id: aaa-bbb-mou
    type: DATA-MOU
    parties: [USA, GBR]
    events:
      - kind: signed
        date: 2024-03
        term: self-renewing 1y notice 90d
        sources: [s1]
types:
  - code: DATA-MOU
    name: Data-sharing memorandum of understanding
    capabilities: [data-sharing]
"""


def test_public_record_round_trips():
    record = public_record()
    assert register_from_dict(register_to_dict(record)) == record


def test_round_trip_through_json_and_yaml_text():
    record = public_record()
    document = register_to_dict(record)
    assert register_from_dict(json.loads(json.dumps(document))) == record
    data, _ = parse_document(yaml.safe_dump(document).encode(), "yaml", limit=10**6)
    assert register_from_dict(data) == record


def test_operator_defined_type_with_its_capability():
    data, _ = parse_document(MINIMAL.encode(), "yaml", limit=10**6)
    register = register_from_dict(data)
    agreement = register.get("aaa-bbb-mou")
    assert agreement.parties == ("GBR", "USA")
    assert register.capabilities_of(agreement) == {"data-sharing"}
    assert register_from_dict(register_to_dict(register)) == register


def test_dates_keep_their_precision_in_yaml():
    data, _ = parse_document(b"d: 2024-03-01\ny: 2005\n", "yaml", limit=100)
    assert data == {"d": "2024-03-01", "y": 2005}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("2024-03", "2024-13"), "agreements[0].events[0].date", "month must be in 1..12"),
        (("[USA, GBR]", "[USA, XYZ]"), "agreements[0].parties[1]", "unknown nation 'XYZ'"),
        (
            ("type: DATA-MOU\n    parties", "type: FOO\n    parties"),
            "agreements[0].type",
            "unknown agreement type 'FOO'",
        ),
        (("kind: signed", "kind: exploded"), "agreements[0].events[0].kind", "unknown event"),
        (
            ("sources: [s1]", "sources: [s2]"),
            "agreements[0].events[0].sources[0]",
            "unknown source 's2'",
        ),
        (
            ("    parties:", "    colour: red\n    parties:"),
            "agreements[0].colour",
            "unknown field",
        ),
        (
            ("term: self-renewing 1y notice 90d", "term: forever"),
            "agreements[0].events[0].term",
            "invalid term",
        ),
    ],
)
def test_errors_name_the_field_and_line(change, field, message):
    text = MINIMAL.replace(*change)
    assert text != MINIMAL
    data, locator = parse_document(text.encode(), "yaml", limit=10**6)
    with pytest.raises(InvalidInput, match=message) as caught:
        register_from_dict(data)
    assert caught.value.field == field
    line = locator.line_of(caught.value.field)
    assert line is not None
    key = field.rsplit(".", 1)[-1].split("[")[0]
    assert text.splitlines()[line - 1].lstrip(" -").startswith(key)


def test_lifecycle_errors_in_a_document_point_at_the_events():
    text = MINIMAL.replace(
        "        sources: [s1]\n",
        "        sources: [s1]\n      - kind: resumed\n        date: 2024-05\n",
    )
    data, _ = parse_document(text.encode(), "yaml", limit=10**6)
    with pytest.raises(InvalidInput, match="not suspended") as caught:
        register_from_dict(data)
    assert caught.value.field == "agreements[0].events"


@pytest.mark.parametrize(
    ("raw", "fmt", "message", "line"),
    [
        (b"a: [1, 2\nb: 3\n", "yaml", "malformed YAML", 2),
        (b'{"a": 1,\n "b": }', "json", "malformed JSON", 2),
        (b"\xff\xfe", "yaml", "not UTF-8", None),
        (b"a: &x [1]\nb: *x\n", "yaml", "aliases", 2),
        (b"[" * 5000 + b"]" * 5000, "json", "nested too deeply", None),
    ],
)
def test_malformed_files_are_refused_with_the_line(raw, fmt, message, line):
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_document(raw, fmt, limit=10**6)
    assert caught.value.line == line


def test_size_limit_is_checked_before_parsing():
    with pytest.raises(InvalidInput, match="limit is 10"):
        parse_document(b"x" * 11, "yaml", limit=10)


def test_python_objects_are_not_built_from_yaml():
    with pytest.raises(InvalidInput):
        parse_document(b"!!python/object/apply:os.system ['true']", "yaml", limit=1000)


def test_wrong_schema_is_refused():
    with pytest.raises(InvalidInput, match="unsupported schema") as caught:
        register_from_dict({"schema": "other/9", "agreements": []})
    assert caught.value.field == "schema"


def test_detect_format():
    assert detect_format("x.YAML") == "yaml"
    assert detect_format("x.json") == "json"
    with pytest.raises(InvalidInput):
        detect_format("x.txt")


def test_locator_falls_back_to_the_parent():
    locator = LineLocator("a:\n  b: 1\n")
    assert locator.line_of("a.b") == 2
    assert locator.line_of("a.c.d") == 1
    assert locator.line_of(None) is None


def test_public_record_file_is_shipped_in_the_package():
    assert public_record_bytes().startswith(b"# The public record")


@pytest.mark.parametrize(
    ("raw", "fmt", "words"),
    [
        (b'{"schema": ' + b"9" * 5000 + b"}", "json", "malformed JSON"),
        (b"schema: " + b"9" * 5000 + b"\n", "yaml", "malformed YAML"),
        (b"[" * 100_000 + b"]" * 100_000, "json", "nest"),
        (b"[" * 5_000 + b"]" * 5_000, "yaml", "nest"),
        (b"a:\n" + b"".join(b"  " * i + b"b:\n" for i in range(1, 60)), "yaml", "nests deeper"),
        (b"a: &x [1]\nb: *x\n", "yaml", "aliases"),
    ],
)
def test_hostile_documents_are_refused_quickly_with_invalid_input(
    raw: bytes, fmt: str, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        parse_document(raw, fmt, limit=8 * 1024 * 1024)  # type: ignore[arg-type]
