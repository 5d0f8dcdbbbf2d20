import datetime as dt

import pytest

from accord.agreements.dates import Duration, FuzzyDate, parse_day
from accord.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2005", "2005-01-01", "2005-12-31", "year"),
        ("2005-10", "2005-10-01", "2005-10-31", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2018-09-06", "2018-09-06", "2018-09-06", "day"),
        ("2020-10-26/2020-10-27", "2020-10-26", "2020-10-27", "window"),
        ("2020/2021-03", "2020-01-01", "2021-03-31", "window"),
    ],
)
def test_parse_gives_the_window_of_the_stated_precision(text, earliest, latest, precision):
    window = FuzzyDate.parse(text)
    assert window.earliest == dt.date.fromisoformat(earliest)
    assert window.latest == dt.date.fromisoformat(latest)
    assert window.precision == precision
    assert FuzzyDate.parse(str(window)) == window


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-13-01", "month must be in 1..12"),
        ("2023-02-30", "day must be in 1..28"),
        ("2024-00", "month must be in 1..12"),
        ("05-10-2005", "expected YYYY"),
        ("", "expected YYYY"),
        ("2021/2020", "ends before it starts"),
        ("0999", "year must be in"),
    ],
)
def test_invalid_dates_are_refused_with_the_reason(text, message):
    with pytest.raises(InvalidInput, match=message):
        FuzzyDate.parse(text)


def test_parse_day_needs_a_single_day():
    assert parse_day("2021-06-01") == dt.date(2021, 6, 1)
    with pytest.raises(InvalidInput, match="single day"):
        parse_day("2021-06")


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("15y", "2005-10-01", "2020-10-01"),
        ("1y", "2024-02-29", "2025-02-28"),
        ("1m", "2024-01-31", "2024-02-29"),
        ("90d", "2024-01-01", "2024-03-31"),
        ("2w", "2024-01-01", "2024-01-15"),
        ("1y6m", "2024-01-15", "2025-07-15"),
    ],
)
def test_duration_moves_the_calendar(text, start, expected):
    duration = Duration.parse(text)
    assert duration.add_to(dt.date.fromisoformat(start)) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("text", ["", "0d", "15", "y", "-3d", "3x", "15 years"])
def test_invalid_durations_are_refused(text):
    with pytest.raises(InvalidInput):
        Duration.parse(text)


def test_subtract_is_the_inverse_of_add_on_ordinary_days():
    duration = Duration.parse("90d")
    day = dt.date(2030, 5, 17)
    assert duration.subtract_from(duration.add_to(day)) == day
