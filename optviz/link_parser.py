"""Reading a link: the nearest valid `Scenario` for any query string or URL, and a
warning for each value it had to fix.

`parse_link` (what `Scenario.from_query` calls) never raises. It reads the keys in the
order `Scenario.to_query` writes them, one helper per group of keys; an unknown name
gets the closest registry name as a hint, an unknown key is reported and skipped, and
every quoted value is shortened by `optviz.literal.clip`. The text's length, its number
of fields, runs and start points, and the rows a link makes the engine record are all
bounded here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from urllib.parse import unquote_plus

from optviz.conventions import CONVENTIONS, Unavailable, resolve
from optviz.literal import clip
from optviz.optimizers import OPTIMIZERS
from optviz.params import coerce, first_value, fmt, parse_assignments
from optviz.scenario import (
    BATCH,
    CUSTOM,
    DEFAULT_RUNS,
    MAX_RECORDED_ROWS,
    MAX_RUNS,
    MAX_STARTS,
    SEED,
    STEPS,
    TOL,
    VERSION,
    Notice,
    OptRun,
    Parsed,
    Scenario,
    missing_f_star,
)
from optviz.schedules import SCHEDULES
from optviz.starts import CLOUDS
from surfaces import SURFACES
from surfaces.core import Param
from surfaces.data import MAX_OWN_POINTS, MIN_OWN_POINTS, read_points
from surfaces.formula import DEFAULT_DOMAIN, DEFAULT_FORMULA, FormulaError, check_domain, custom_surface

MAX_QUERY_CHARS = 200_000
MAX_FIELDS = MAX_STARTS + MAX_RUNS + 16
_SINGLE_KEYS = ("v", "conv", "surface", "f", "domain", "schedule", "steps", "seed", "batch", "points", "tol", "cloud")
_MULTI_KEYS = ("opt", "start")
_DROPPED_SHOWN = 3  # bad points reported one by one; the rest are counted


def _split_fields(text: str, warnings: list[str]) -> dict[str, list[str]]:
    if len(text) > MAX_QUERY_CHARS:
        warnings.append(f"the link is longer than {MAX_QUERY_CHARS} characters; the rest was ignored")
        text = text[:MAX_QUERY_CHARS]
    text = text.strip()
    if "?" in text:
        text = text.split("?", 1)[1]
    text = text.split("#", 1)[0]
    fields = [f for f in text.split("&") if f]
    if len(fields) > MAX_FIELDS:
        warnings.append(f"the link has more than {MAX_FIELDS} fields; the rest were ignored")
        fields = fields[:MAX_FIELDS]
    grouped: dict[str, list[str]] = {}
    for f in fields:
        key, _, value = f.partition("=")
        grouped.setdefault(unquote_plus(key).strip(), []).append(unquote_plus(value).strip())
    return grouped


def _pick(registry: Mapping[str, object], text: str, what: str, default: str, warnings: list[str]):
    """Split ``name:params``; an unknown name falls back to ``default`` with a warning."""
    name, _, params = text.partition(":")
    name = name.strip()
    if name in registry:
        return name, params
    close = difflib.get_close_matches(name, list(registry), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    warnings.append(f"unknown {what} '{clip(name)}'{hint}; using {default}")
    return None, ""


def _parse_starts(values: list[str], domain, warnings: list[str]) -> list[tuple[float, float]]:
    coords = [c for v in values for c in v.split(";") if c.strip()]
    if len(coords) > MAX_STARTS:
        warnings.append(f"{len(coords)} start points given; using the first {MAX_STARTS}")
        coords = coords[:MAX_STARTS]
    starts = []
    for text in coords:
        parts = text.split(",")
        if len(parts) != 2:
            warnings.append(f"start={clip(text)} is not x,y; ignored")
            continue
        point = []
        for axis, part, (lo, hi) in zip("xy", parts, domain, strict=True):
            spec = Param(axis, (lo + hi) / 2, lo, hi)
            value, warning = coerce(spec, part, where="start ")
            if warning:
                warnings.append(warning)
            point.append(float(value))
        starts.append((point[0], point[1]))
    return starts


def parse_link(text: str, ignore: frozenset[str]) -> Parsed:
    """The nearest valid scenario for a query string: one helper per group of keys, in the
    order `Scenario.to_query` writes them; every value fixed leaves a warning."""
    warnings: list[str] = []
    fields = _split_fields(text, warnings)

    def single(key: str) -> str | None:
        return first_value(fields, key, warnings)

    for key in fields:
        if key not in _SINGLE_KEYS + _MULTI_KEYS and key not in ignore:
            warnings.append(f"unknown parameter '{clip(key)}' ignored")
    version = single("v")
    if version is not None and version != str(VERSION):
        warnings.append(f"link version v={clip(version)} is not supported; reading it as v={VERSION}")
    surface, box = _parse_surface(single, warnings)
    surface["points"] = _parse_points(single("points"), surface, warnings)
    convention = _parse_convention(single("conv"), warnings)
    runs = _parse_runs(fields.get("opt", []), convention, warnings)
    schedule = _parse_schedule(single("schedule"), warnings)
    scalars = {}
    for spec in (STEPS, SEED, TOL):
        raw = single(spec.name)
        scalars[spec.name], warning = (spec.default, None) if raw is None else coerce(spec, raw)
        warnings += [warning] if warning else []
    runs = _runs_with_f_star(runs, surface | {"seed": scalars["seed"]}, convention, warnings)
    starts = _parse_start_points(fields.get("start", []), single("cloud"), box, len(runs), scalars["steps"], warnings)
    batch = _parse_batch(single("batch"), surface, warnings)
    scenario = Scenario(
        **surface, runs=tuple(runs), **schedule, **starts, convention=convention, batch=batch, **scalars
    )
    return Parsed(scenario, warnings)


def _parse_surface(single, warnings: list[str]) -> tuple[dict, tuple]:
    """``surface=name:params`` (and ``f=``, ``domain=`` for a custom one): the scenario's
    surface fields, and the surface's domain (where start points may lie)."""
    name, text = "rosenbrock", ""
    if (raw := single("surface")) is not None:
        picked, params = _pick({**SURFACES, CUSTOM: None}, raw, "surface", name, warnings)
        name, text = (picked, params) if picked else (name, "")
    formula, domain = _parse_custom(name, single("f"), single("domain"), warnings)
    surface = custom_surface(formula, domain) if name == CUSTOM else SURFACES[name]
    params, w = parse_assignments(surface.params, text, f"surface {name}: ")
    warnings += w
    fields = {"surface": name, "surface_params": tuple(params.items()), "formula": formula, "domain": domain}
    return fields, surface.domain


def _parse_batch(raw: str | None, surface: dict, warnings: list[str]) -> int:
    """``batch=B``, read on data surfaces only."""
    if raw is None:
        return BATCH.default
    if surface["surface"] not in SURFACES or SURFACES[surface["surface"]].data is None:
        warnings.append("batch is only read on a data surface; ignored")
        return BATCH.default
    value, warning = coerce(BATCH, raw)
    warnings += [warning] if warning else []
    return value


def _parse_points(raw: str | None, surface: dict, warnings: list[str]) -> tuple:
    """``points=x:y,x:y,…``, read on data surfaces only: each point that is not the model's
    columns is dropped with a warning; beyond `MAX_OWN_POINTS` the first are kept; fewer
    than `MIN_OWN_POINTS` valid points leave the drawn data. With points, drawn-data
    parameters the link sets are reported as not applying."""
    if raw is None:
        return ()
    data = SURFACES[surface["surface"]].data if surface["surface"] in SURFACES else None
    if data is None:
        warnings.append("points are only read on a data surface; ignored")
        return ()
    model = data.model
    own, refused = read_points(model, [t for t in raw.replace(";", ",").split(",") if t.strip()])
    dropped = [f"points: '{clip(text)}' dropped ({why})" for text, why in refused]
    warnings += dropped[:_DROPPED_SHOWN]
    if len(dropped) > _DROPPED_SHOWN:
        warnings.append(f"points: {len(dropped) - _DROPPED_SHOWN} more dropped")
    if len(own) > MAX_OWN_POINTS:
        warnings.append(f"points: {len(own)} given; using the first {MAX_OWN_POINTS}")
        own = own[:MAX_OWN_POINTS]
    if len(own) < MIN_OWN_POINTS:
        warnings.append(f"points: fewer than {MIN_OWN_POINTS} valid points; using the drawn data")
        return ()
    specs = {p.name: p for p in SURFACES[surface["surface"]].params}
    given = [name for name, value in surface["surface_params"] if name in model.drawn and value != specs[name].default]
    if given:
        warnings.append(
            f"surface {surface['surface']}: the drawn data's settings ({', '.join(given)}) do not apply to "
            "your own points; ignored"
        )
    return tuple(own)


def _parse_convention(raw: str | None, warnings: list[str]) -> str:
    """``conv=optax|keras|pytorch``."""
    if raw is None or raw.lower() in CONVENTIONS:
        return "optax" if raw is None else raw.lower()
    warnings.append(f"conv={clip(raw)} is not one of {', '.join(CONVENTIONS)}; using optax")
    return "optax"


def _parse_runs(values: list[str], convention: str, warnings: list[str]) -> list[OptRun]:
    """Every ``opt=name:params`` (at most `MAX_RUNS`); none valid: the default runs."""
    if len(values) > MAX_RUNS:
        warnings.append(f"{len(values)} optimizer runs given; using the first {MAX_RUNS}")
    runs = []
    for raw in values[:MAX_RUNS]:
        name, params = _pick(OPTIMIZERS, raw, "optimizer", "nothing (run dropped)", warnings)
        if not name:
            continue
        try:
            spec = resolve(name, convention)
        except Unavailable as err:
            warnings.append(f"{err}: run {name} dropped")
            continue
        parsed, w = parse_assignments(spec.params, params, f"{name}: ")
        warnings += w
        runs.append(OptRun.of(name, convention, **parsed))
    if not runs:
        runs = [OptRun.of(r.name, convention, lr=r.lr) for r in DEFAULT_RUNS]
        if values:
            warnings.append("no valid optimizer run; using the default runs")
    return runs


def _runs_with_f_star(runs: list[OptRun], surface: dict, convention: str, warnings: list[str]) -> list[OptRun]:
    """The runs, less those that need f* on a surface with no known minimum (with a warning);
    ``surface`` holds the scenario's surface fields and its seed (a data surface's points,
    and so whether it has a minimum, follow the seed)."""
    if not any(run.optimizer.f_star for run in runs) or Scenario(**surface).f_star is not None:
        return runs
    warnings += [missing_f_star(run) for run in runs if run.optimizer.f_star]
    kept = [run for run in runs if not run.optimizer.f_star]
    if not kept:
        warnings.append("no valid optimizer run; using the default runs")
    return kept or [OptRun.of(r.name, convention, lr=r.lr) for r in DEFAULT_RUNS]


def _parse_schedule(raw: str | None, warnings: list[str]) -> dict:
    """``schedule=name:params``, its parameters made consistent (`Schedule.fix`)."""
    name, text = "constant", ""
    if raw is not None:
        picked, params = _pick(SCHEDULES, raw, "schedule", name, warnings)
        name, text = (picked, params) if picked else (name, "")
    schedule = SCHEDULES[name]
    params, w = parse_assignments(schedule.params, text, f"schedule {name}: ")
    warnings += w + schedule.fix(params)
    return {"schedule": name, "schedule_params": tuple(params.items())}


def _parse_start_points(
    values: list[str], cloud_raw: str | None, domain, runs: int, steps: int, warnings: list[str]
) -> dict:
    """``start=x,y`` (repeatable) and ``cloud=name:params``, within the rows this app
    records (`MAX_RECORDED_ROWS` over all runs, starts and steps)."""
    starts = _parse_starts(values, domain, warnings)
    affordable = max(1, MAX_RECORDED_ROWS // (runs * (steps + 1)))
    cloud, cloud_params = "", {}
    if cloud_raw is not None:
        name, params = _pick(CLOUDS, cloud_raw, "cloud", "no cloud", warnings)
        if name:
            cloud, starts = name, starts[:1]
            cloud_params, w = parse_assignments(CLOUDS[name].params, params, f"cloud {name}: ")
            warnings += w
            if cloud_params["n"] > affordable:
                warnings.append(
                    f"cloud {name}: n={cloud_params['n']} with {runs} runs × {steps} "
                    f"steps is more than this app records; using n={max(affordable, 2)}"
                )
                cloud_params["n"] = max(affordable, 2)
    if len(starts) > affordable:
        warnings.append(
            f"{runs} runs × {len(starts)} start points × {steps} steps is more than this app "
            f"records ({MAX_RECORDED_ROWS:,} rows); using the first {affordable} start points"
        )
        starts = starts[:affordable]
    return {"starts": tuple(starts), "cloud": cloud, "cloud_params": tuple(cloud_params.items())}


def _parse_custom(surface: str, formula: str | None, domain: str | None, warnings: list[str]):
    """``(formula, domain)`` for a custom surface, each fixed to its default with a
    warning when it is not allowed; ``("", ())`` for the registry's surfaces."""
    if surface != CUSTOM:
        for key, value in (("f", formula), ("domain", domain)):
            if value is not None:
                warnings.append(f"{key} is only read with surface=custom; ignored")
        return "", ()
    if formula is None:
        warnings.append(f"surface=custom needs a formula f=...; using f={DEFAULT_FORMULA}")
        formula = DEFAULT_FORMULA
    edges = DEFAULT_DOMAIN
    if domain is not None:
        try:
            numbers = [float(v) for v in domain.split(",")]
            if len(numbers) != 4:
                raise FormulaError("the domain is four numbers: x_min, x_max, y_min, y_max")
            edges = check_domain((numbers[:2], numbers[2:]))
        except (ValueError, FormulaError) as err:
            message = str(err) if isinstance(err, FormulaError) else "the domain is four numbers: x0,x1,y0,y1"
            using = ",".join(fmt(v) for e in edges for v in e)
            warnings.append(Notice(f"domain={clip(domain)}: {message}; using {using}", "domain"))
    try:
        custom_surface(formula, edges)
    except FormulaError as err:
        warnings.append(Notice(f"f={clip(formula)}: {err}; using f={DEFAULT_FORMULA}", "f"))
        formula = DEFAULT_FORMULA
    return formula, edges
