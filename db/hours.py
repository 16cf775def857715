"""Weekly opening hours in the readable form coordinators type: `Mon-Fri 09:00-17:00; Sat 10:00-13:00`.

Stored as [{"day": "mon", "opens": "09:00", "closes": "17:00"}, ...]; a day may have several
sessions (`Mon 09:00-12:00, 13:00-17:00`). `format_hours(parse_hours(x))` is canonical.
"""

from __future__ import annotations

import re
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    **{d: d for d in DAYS},
    "monday": "mon", "tuesday": "tue", "tues": "tue", "wednesday": "wed", "weds": "wed",
    "thursday": "thu", "thur": "thu", "thurs": "thu", "friday": "fri", "saturday": "sat",
    "sunday": "sun",
    # Open Referral / RRULE two-letter codes
    "mo": "mon", "tu": "tue", "we": "wed", "th": "thu", "fr": "fri", "sa": "sat", "su": "sun",
}  # fmt: skip
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s*(am|pm)?$", re.IGNORECASE)


class HoursError(ValueError):
    """The text is not opening hours in the documented form."""


def day_code(text: str) -> str:
    """'Monday', 'MO', 'mon' -> 'mon'."""
    code = _DAY_NAMES.get(text.strip().lower().rstrip("."))
    if code is None:
        raise HoursError(f"'{text}' is not a day of the week")
    return code


def normalise_time(text: str) -> str:
    """'9', '9am', '09:00:00', '5.30pm' -> 'HH:MM'."""
    match = _TIME.match(text.strip())
    if not match:
        raise HoursError(f"'{text}' is not a time like 09:00")
    hour, minute, half = (
        int(match.group(1)),
        int(match.group(2) or 0),
        (match.group(3) or "").lower(),
    )
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        return "24:00"
    if hour > 23 or minute > 59:
        raise HoursError(f"'{text}' is not a time of day")
    return f"{hour:02d}:{minute:02d}"


def _expand_days(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = (day_code(p) for p in part.split("-", 1))
            i, j = DAYS.index(first), DAYS.index(last)
            days.extend(DAYS[i : j + 1] if i <= j else DAYS[i:] + DAYS[: j + 1])
        else:
            days.append(day_code(part))
    return days


def parse_hours(text: str) -> list[dict[str, str]]:
    """Parse `Mon-Fri 09:00-17:00; Sat 10:00-13:00` into sessions, sorted by day and time."""
    sessions: list[dict[str, str]] = []
    for clause in re.split(r"[;\n]", text or ""):
        clause = clause.strip()
        if not clause:
            continue
        match = re.match(r"^([A-Za-z,\s\-.]+?)\s+(\d.*)$", clause)
        if not match:
            raise HoursError(f"'{clause}' should look like 'Mon-Fri 09:00-17:00'")
        days = _expand_days(match.group(1))
        for span in match.group(2).split(","):
            if "-" not in span:
                raise HoursError(f"'{span.strip()}' should be a time range like 09:00-17:00")
            opens, closes = (normalise_time(t) for t in span.split("-", 1))
            if closes <= opens:
                raise HoursError(f"'{span.strip()}' closes before it opens")
            sessions.extend({"day": d, "opens": opens, "closes": closes} for d in days)
    return sort_sessions(sessions)


def sort_sessions(sessions: list[dict[str, Any]]) -> list[dict[str, str]]:
    unique = {(s["day"], s["opens"], s["closes"]) for s in sessions}
    ordered = sorted(unique, key=lambda t: (DAYS.index(t[0]), t[1], t[2]))
    return [{"day": d, "opens": o, "closes": c} for d, o, c in ordered]


def format_hours(sessions: list[dict[str, Any]]) -> str:
    """The canonical readable form; consecutive days with the same times become a range."""
    by_day: dict[str, tuple[str, ...]] = {}
    for s in sort_sessions(sessions):
        by_day[s["day"]] = (*by_day.get(s["day"], ()), f"{s['opens']}-{s['closes']}")
    clauses: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            label = run[0].title() if len(run) == 1 else f"{run[0].title()}-{run[-1].title()}"
            clauses.append(f"{label} {', '.join(by_day[run[0]])}")
            run.clear()

    for day in DAYS:
        if day in by_day and run and by_day[run[-1]] == by_day[day]:
            run.append(day)
            continue
        flush()
        if day in by_day:
            run.append(day)
    flush()
    return "; ".join(clauses)
