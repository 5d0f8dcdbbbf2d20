"""CPU time of server processes, read from ``/proc``, for the benchmarks' CPU-per-operation figures.

This machine's two cores are shared by the server, the database and the load generator, so
wall-clock rates move with whatever else runs; the CPU a node spends per operation does not (much).
A node is ``accord serve`` and, with ``--workers N``, its worker processes: their CPU is summed.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid:  # field 4, the parent's pid
                children.append(int(entry.name))
    return children


def process_tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of ``pid`` and its living descendants."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        fields = _stat_fields(current)
        if fields is None:
            continue
        # Fields 14 and 15 of proc(5): utime and stime, in clock ticks.
        total += (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND
        pending.extend(_children_of(current))
    return total


def median_and_spread(values: list[float]) -> tuple[float, float, float]:
    """The median, the lowest and the highest."""
    return statistics.median(values), min(values), max(values)


def describe(values: list[float], unit: str, digits: int = 0) -> str:
    middle, low, high = median_and_spread(values)
    range_ = f"{low:,.{digits}f}-{high:,.{digits}f}"
    return f"{middle:,.{digits}f} {unit} (median of {len(values)}; {range_})"


def floor_rounds(
    floor: Callable[[], tuple[float, float]], rounds: int, what: str, unit: str
) -> tuple[float, float]:
    """Run an in-process floor (returning operations per second and CPU milliseconds per
    operation) ``rounds`` times; print and return the medians."""
    floors = [floor() for _ in range(rounds)]
    print(
        f"floor ({what}, in process): {describe([f[0] for f in floors], f'{unit}s/s')}; CPU "
        f"{describe([f[1] for f in floors], f'ms/{unit}', 3)}"
    )
    return median_and_spread([f[0] for f in floors])[0], median_and_spread([f[1] for f in floors])[
        0
    ]
