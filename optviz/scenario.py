"""A `Scenario` is everything that determines a result, and a link is its text form.

Canonical query form (version 1), top-level keys always in this order::

    v=1&surface=rosenbrock:a=1,b=100&opt=adam:lr=0.01,b1=0.9&opt=sgd:lr=0.001
    &schedule=cosine:decay_steps=300&steps=500&start=-1.5,2&seed=0[&batch=8][&tol=1e-06]

A custom surface is ``surface=custom&f=<formula, percent-encoded>&domain=x0,x1,y0,y1``;
a cloud of start points around the (first) start is ``cloud=ring:n=64,r=0.15``.

``name:k=v,...`` lists only the parameters that differ from their defaults (``lr`` is
always written), by optax's own argument names, so a link reads like the optax call it
makes. ``opt`` and ``start`` repeat, one per optimizer run and start point.

`Scenario.from_query` reads any text (bare query or whole URL) and never raises: it
returns the nearest valid scenario plus a human-readable warning for each value it had
to fix (each quoted value shortened by `optviz.literal.clip`).
``Scenario.from_query(s.to_query()).scenario == s`` for every valid scenario.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote, unquote_plus

from optviz.conventions import CONVENTIONS, Unavailable, resolve
from optviz.literal import clip
from optviz.optimizers import OPTIMIZERS
from optviz.params import coerce, first_value, fmt, fmt_assignments, parse_assignments
from optviz.schedules import SCHEDULES
from optviz.starts import CLOUDS, cloud_points
from surfaces import SURFACES
from surfaces.core import Number, Param, Surface
from surfaces.data import MAX_POINTS, reseed
from surfaces.formula import DEFAULT_DOMAIN, DEFAULT_FORMULA, FormulaError, check_domain, custom_surface

VERSION = 1
MAX_STEPS = 10_000
MAX_RUNS = 8
MAX_STARTS = 4096
MAX_QUERY_CHARS = 200_000
MAX_FIELDS = MAX_STARTS + MAX_RUNS + 16
# Each run records (steps + 1) rows per start; this bounds one request's memory (1e6 rows
# × 8 float64 = 64 MB in all) whatever mix of runs, steps and starts a link asks for.
MAX_RECORDED_ROWS = 1_000_000

STEPS = Param("steps", 500, 1, MAX_STEPS, kind="int", help="optimizer steps per run")
SEED = Param("seed", 0, 0, 2**31 - 1, kind="int", help="seed of the gradient noise, the data and the batches")
BATCH = Param("batch", 0, 0, MAX_POINTS, kind="int", help="mini-batch size on a data surface (0: every point)")
TOL = Param("tol", 1e-6, 1e-12, 1.0, log=True, help="converged when |f - f_min| <= tol")
CUSTOM = "custom"  # surface name of a user formula
_SAFE = {False: ":,=", True: "*()^,/!'"}  # characters left as they are in a value: other keys, a formula
_SINGLE_KEYS = ("v", "conv", "surface", "f", "domain", "schedule", "steps", "seed", "batch", "tol", "cloud")
_MULTI_KEYS = ("opt", "start")

Params = tuple[tuple[str, Number], ...]


def _complete(specs: Iterable[Param], given: Mapping[str, Number], what: str) -> Params:
    """Every parameter of ``specs`` in registry order, defaults filled in."""
    specs = tuple(specs)
    unknown = set(given) - {p.name for p in specs}
    if unknown:
        raise ValueError(f"unknown {what} parameter(s) {sorted(unknown)}")
    return tuple((p.name, given.get(p.name, p.default)) for p in specs)


@dataclass(frozen=True)
class OptRun:
    """One optimizer run: registry ``name`` and every hyperparameter, ``lr`` first."""

    name: str
    params: Params
    convention: str = "optax"

    @classmethod
    def of(cls, name: str, convention: str = "optax", **given: Number) -> OptRun:
        """``OptRun.of("adam", lr=0.01)``; unspecified hyperparameters take the defaults of
        ``convention`` (`optviz.conventions`), which raises `Unavailable` if it lacks ``name``."""
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name=}")
        return cls(name, _complete(resolve(name, convention).params, given, name), convention)

    @property
    def optimizer(self):
        """The registry entry as this run's convention defines it."""
        return resolve(self.name, self.convention)

    @property
    def hyperparams(self) -> dict[str, Number]:
        return dict(self.params)

    @property
    def lr(self) -> float:
        return float(self.hyperparams["lr"])

    def to_text(self) -> str:
        """``adam:lr=0.01,b1=0.8`` (non-default hyperparameters only, lr always)."""
        return f"{self.name}:{fmt_assignments(self.optimizer.params, self.hyperparams, keep=('lr',))}"

    @property
    def label(self) -> str:
        """Short legend text: ``adam lr=0.01`` plus any other non-default values."""
        return self.to_text().replace(":", " ", 1).replace(",", " ")


DEFAULT_RUNS = (OptRun.of("sgd", lr=1e-3), OptRun.of("momentum", lr=1e-3), OptRun.of("adam", lr=0.05))


class Parsed(NamedTuple):
    """What `Scenario.from_query` returns: the scenario and what it had to fix."""

    scenario: Scenario
    warnings: list[str]


@dataclass(frozen=True)
class Scenario:
    """Everything that determines a `Result`; fields left empty take the defaults.

    Args:
      surface: registry name in ``surfaces.SURFACES``.
      surface_params: every surface parameter, registry order.
      runs: one to ``MAX_RUNS`` optimizer runs.
      schedule: registry name in ``optviz.schedules.SCHEDULES``; multiplies every lr.
      schedule_params: every schedule parameter, registry order.
      steps: optimizer steps per run (1..MAX_STEPS).
      starts: one to ``MAX_STARTS`` start points; empty means the surface's default.
      seed: seed of the gradient noise (noisy surfaces), of the data and its batches
        (data surfaces).
      batch: mini-batch size on a data surface; 0 (or n and more) is the full batch.
      tol: convergence tolerance on ``|f - f_min|``.
      formula, domain: the user formula and its domain when ``surface`` is ``"custom"``.
      cloud: a `optviz.starts.CLOUDS` name, or "" for explicit start points only; with
        a cloud, ``starts`` is the first start followed by the cloud's other points.
      cloud_params: every cloud parameter, registry order.
    """

    surface: str = "rosenbrock"
    surface_params: Params = ()
    runs: tuple[OptRun, ...] = DEFAULT_RUNS
    schedule: str = "constant"
    schedule_params: Params = ()
    steps: int = STEPS.default
    starts: tuple[tuple[float, float], ...] = ()
    seed: int = SEED.default
    tol: float = TOL.default
    formula: str = ""
    domain: tuple = ()
    cloud: str = ""
    cloud_params: Params = ()
    convention: str = "optax"
    batch: int = BATCH.default

    def __post_init__(self):
        set_ = object.__setattr__
        if self.convention not in CONVENTIONS:
            raise ValueError(f"unknown convention {self.convention=}")
        if any(run.convention != self.convention for run in self.runs):
            raise ValueError(f"every run must use the scenario's convention ({self.convention})")
        if self.surface == CUSTOM:
            set_(self, "formula", self.formula or DEFAULT_FORMULA)
            set_(self, "domain", check_domain(self.domain or DEFAULT_DOMAIN))
            custom_surface(self.formula, self.domain)  # raises FormulaError (a ValueError) if not allowed
        elif self.surface not in SURFACES:
            raise ValueError(f"unknown surface {self.surface=}")
        elif self.formula or self.domain:
            raise ValueError("formula and domain belong to surface='custom'")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule=}")
        if not 1 <= len(self.runs) <= MAX_RUNS:
            raise ValueError(f"need 1..{MAX_RUNS} runs, got {len(self.runs)}")
        if not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be in 1..{MAX_STEPS}, got {self.steps=}")
        if len(self.starts) > MAX_STARTS:
            raise ValueError(f"at most {MAX_STARTS} starts, got {len(self.starts)}")
        surface = self.surface_def
        set_(self, "surface_params", _complete(surface.params, dict(self.surface_params), self.surface))
        set_(
            self,
            "schedule_params",
            _complete(SCHEDULES[self.schedule].params, dict(self.schedule_params), self.schedule),
        )
        set_(self, "starts", tuple((float(x), float(y)) for x, y in self.starts or (surface.start,)))
        if self.cloud:
            if self.cloud not in CLOUDS:
                raise ValueError(f"unknown cloud {self.cloud=}")
            set_(self, "cloud_params", _complete(CLOUDS[self.cloud].params, dict(self.cloud_params), self.cloud))
            set_(
                self,
                "starts",
                cloud_points(self.cloud, dict(self.cloud_params), self.starts[0], surface.domain, self.seed),
            )
        elif self.cloud_params:
            raise ValueError("cloud_params without a cloud")
        set_(self, "steps", int(self.steps))
        set_(self, "seed", int(self.seed))
        set_(self, "batch", int(self.batch))
        if self.batch and surface.data is None:
            raise ValueError("batch belongs to a data surface")
        if not BATCH.lo <= self.batch <= BATCH.hi:
            raise ValueError(f"batch must be in {BATCH.lo}..{BATCH.hi}, got {self.batch=}")
        set_(self, "tol", float(self.tol))
        for run in self.runs:
            if run.optimizer.f_star and self.f_star is None:
                raise ValueError(_no_f_star(run))

    @property
    def f_star(self) -> float | None:
        """The lowest of the surface's known minimum values (the f* of the optimizers that need
        one), or None where no minimum is known (a custom formula)."""
        known = self.surface_def.minima(dict(self.surface_params))
        return min(float(m.f) for m in known) if known else None

    @property
    def surface_def(self) -> Surface:
        """The `Surface`: a registry entry (on the data of this seed if it fits data), or
        the compiled custom formula."""
        return (
            custom_surface(self.formula, self.domain)
            if self.surface == CUSTOM
            else reseed(SURFACES[self.surface], self.seed)
        )

    # --- text form -------------------------------------------------------------------
    def to_query(self) -> str:
        """The canonical query string (see the module docstring)."""
        surface = self.surface_def
        schedule = SCHEDULES[self.schedule]
        items = [
            ("v", str(VERSION)),
            *([("conv", self.convention)] if self.convention != "optax" else []),
            ("surface", _named(self.surface, fmt_assignments(surface.params, dict(self.surface_params)))),
        ]
        if self.surface == CUSTOM:
            items += [("f", self.formula), ("domain", ",".join(fmt(v) for edge in self.domain for v in edge))]
        items += [
            *(("opt", run.to_text()) for run in self.runs),
            ("schedule", _named(self.schedule, fmt_assignments(schedule.params, dict(self.schedule_params)))),
            ("steps", fmt(self.steps)),
            *(("start", f"{fmt(x)},{fmt(y)}") for x, y in (self.starts[:1] if self.cloud else self.starts)),
            ("seed", fmt(self.seed)),
            *([("batch", fmt(self.batch))] if self.batch else []),
        ]
        if self.cloud:
            cloud = fmt_assignments(CLOUDS[self.cloud].params, dict(self.cloud_params))
            items.append(("cloud", _named(self.cloud, cloud)))
        if self.tol != TOL.default:
            items.append(("tol", fmt(self.tol)))
        return encode_query(items)

    @classmethod
    def from_query(cls, text: str, *, ignore: Collection[str] = ()) -> Parsed:
        """Parse a query string or URL into the nearest valid scenario; never raises.

        Keys in ``ignore`` (the app's view state, say) are skipped without a warning.
        """
        return _parse(str(text), frozenset(ignore))


def encode_query(items: Iterable[tuple[str, str]]) -> str:
    """``key=value&…`` with each value percent-encoded as links here write it: ``:``, ``,``
    and ``=`` kept readable; a formula's ``+``, ``&``, ``=``, ``%``, ``#`` and spaces
    encoded (a raw "+" would read back as a space)."""
    return "&".join(f"{key}={quote(value, safe=_SAFE[key == 'f'])}" for key, value in items)


def _named(name: str, assignments: str) -> str:
    return f"{name}:{assignments}" if assignments else name


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


def _parse(text: str, ignore: frozenset[str]) -> Parsed:
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
    convention = _parse_convention(single("conv"), warnings)
    runs = _parse_runs(fields.get("opt", []), convention, warnings)
    schedule = _parse_schedule(single("schedule"), warnings)
    scalars = {}
    for spec in (STEPS, SEED, TOL):
        raw = single(spec.name)
        scalars[spec.name], warning = (spec.default, None) if raw is None else coerce(spec, raw)
        warnings += [warning] if warning else []
    runs = _runs_with_f_star(runs, surface, convention, warnings)
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


def _parse_convention(raw: str | None, warnings: list[str]) -> str:
    """``conv=optax|keras|pytorch``."""
    if raw is None or raw.lower() in CONVENTIONS:
        return "optax" if raw is None else raw.lower()
    warnings.append(f"conv={clip(raw)} is not one of {', '.join(CONVENTIONS)}; using optax")
    return "optax"


def _no_f_star(run: OptRun) -> str:
    return (
        f"{run.optimizer.title} needs the surface's minimum value f*, and this surface has no known "
        f"minimum: run {run.name} dropped"
    )


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
    """The runs, less those that need f* on a surface with no known minimum (with a warning)."""
    if not any(run.optimizer.f_star for run in runs) or Scenario(**surface).f_star is not None:
        return runs
    warnings += [_no_f_star(run) for run in runs if run.optimizer.f_star]
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
            warnings.append(f"domain={clip(domain)}: {message}; using {','.join(fmt(v) for e in edges for v in e)}")
    try:
        custom_surface(formula, edges)
    except FormulaError as err:
        warnings.append(f"f={clip(formula)}: {err}; using f={DEFAULT_FORMULA}")
        formula = DEFAULT_FORMULA
    return formula, edges
