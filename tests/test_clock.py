"""One clock: the bot's logic reads time only from the injectable clock (bot/clock.py).

A read of the machine's wall clock anywhere else is how issue 19's time bomb was made: it agreed
with the bot's clock in production and broke the tests once the real date moved on.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {ROOT / "bot" / "clock.py"}
WALL_CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
    ("time", "ctime"), ("time", "strftime"),
}  # fmt: skip


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (name, node.func.attr) in WALL_CLOCK_CALLS:
            found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return found


def test_the_finder_sees_each_way_of_reading_the_wall_clock():
    source = "import datetime, time\nx = datetime.datetime.now(UTC)\ny = date.today()\nz = time.time()\n"
    assert [call for _, call in wall_clock_reads(source)] == ["datetime.now()", "date.today()", "time.time()"]
    assert wall_clock_reads("clock()\ntime.monotonic()\nnow = services.clock()\n") == []


def test_only_the_clock_module_reads_the_wall_clock():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for folder in ("bot", "db")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in ALLOWED
        for line, call in wall_clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "take the time from the bot's clock (or session_now) instead"
