"""Reading, checking and writing hyperparameter values as they appear in links.

Every value that enters a `Scenario` passes through `coerce`, which returns the nearest
valid value and, when it had to change anything, a human-readable warning naming the
offending text (shortened by `optviz.literal.clip`). `fmt` writes the canonical text
back; ``coerce(p, fmt(v)) == v``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from optviz.literal import clip
from surfaces.core import Number, Param

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def fmt(value: Number) -> str:
    """Canonical, shortest round-trip text of a value: ``0.01``, ``1e-08``, ``100``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def fmt_range(p: Param) -> str:
    return f"{fmt(p.lo)}..{fmt(p.hi)}"


def coerce(p: Param, text: str, where: str = "") -> tuple[Number, str | None]:
    """Parse ``text`` as a value of ``p``; return ``(value, warning or None)``.

    Unparsable or non-finite text gives the default; out-of-range numbers are clamped.
    """
    label = f"{where}{p.name}={clip(text)}"
    text = text.strip().replace(" ", "+")  # a raw "1e+5" arrives as "1e 5" in a query
    if p.kind == "bool":
        low = text.lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE, None
        return p.default, f"{label} is not true/false; using {fmt(p.default)}"
    try:
        number = float(text)
    except ValueError:
        return p.default, f"{label} is not a number; using {fmt(p.default)}"
    if not math.isfinite(number):
        return p.default, f"{label} is not finite; using {fmt(p.default)}"
    if p.kind == "int" and not number.is_integer():
        rounded = round(number)
        clamped = min(max(rounded, p.lo), p.hi)
        return int(clamped), f"{label} is not a whole number; using {fmt(int(clamped))}"
    if not p.lo <= number <= p.hi:
        clamped = min(max(number, p.lo), p.hi)
        value = int(clamped) if p.kind == "int" else float(clamped)
        return value, f"{label} is out of range ({fmt_range(p)}); using {fmt(value)}"
    return (int(number) if p.kind == "int" else number), None


def parse_assignments(specs: Iterable[Param], text: str, where: str = "") -> tuple[dict[str, Number], list[str]]:
    """Parse ``"a=1,b=2"`` against ``specs``: every spec gets a value (given or default).

    Unknown names, repeated names and items without ``=`` are dropped with a warning.
    """
    by_name = {p.name: p for p in specs}
    values = {name: p.default for name, p in by_name.items()}
    warnings: list[str] = []
    seen: set[str] = set()
    for item in filter(None, (s.strip() for s in text.split(","))):
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep:
            warnings.append(f"{where}'{clip(item)}' is not name=value; ignored")
        elif name not in by_name:
            known = ", ".join(by_name) or "none"
            warnings.append(f"{where}unknown parameter '{clip(name)}' ignored (known: {known})")
        elif name in seen:
            warnings.append(f"{where}{name} is given more than once; using the first")
        else:
            seen.add(name)
            values[name], warning = coerce(by_name[name], raw, where)
            if warning:
                warnings.append(warning)
    return values, warnings


def fmt_assignments(specs: Iterable[Param], values: Mapping[str, Number], keep=()) -> str:
    """Write ``"a=1,b=2"`` in spec order, leaving out defaults except names in ``keep``."""
    return ",".join(f"{p.name}={fmt(values[p.name])}" for p in specs if p.name in keep or values[p.name] != p.default)


def first_value(fields: Mapping[str, list[str]], key: str, warnings: list[str]) -> str | None:
    """The first of a link key's values (None when absent); a repeated key is warned about."""
    values = fields.get(key)
    if values and len(values) > 1:
        warnings.append(f"{key} is given {len(values)} times; using the first ({key}={clip(values[0])})")
    return values[0] if values else None
