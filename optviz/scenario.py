"""A `Scenario` is everything that determines a result, and a link is its text form.

Canonical query form (version 1), top-level keys always in this order::

    v=1&surface=rosenbrock:a=1,b=100&opt=adam:lr=0.01,b1=0.9&opt=sgd:lr=0.001
    &schedule=cosine:decay_steps=300&steps=500&start=-1.5,2&seed=0[&batch=8][&points=…][&tol=1e-06]

A custom surface is ``surface=custom&f=<formula, percent-encoded>&domain=x0,x1,y0,y1``;
a cloud of start points around the (first) start is ``cloud=ring:n=64,r=0.15``. A data
surface fitted to a person's own points carries them as ``points=x:y,x:y,…`` (the model's
columns, `surfaces.data.Model.columns`, joined by ``:``); its drawn-data parameters are
then not written.

``name:k=v,...`` lists only the parameters that differ from their defaults (``lr`` is
always written), by optax's own argument names, so a link reads like the optax call it
makes. ``opt`` and ``start`` repeat, one per optimizer run and start point.

`Scenario.from_query` reads any text (bare query or whole URL) and never raises: it
returns the nearest valid scenario plus a human-readable warning for each value it had
to fix (`optviz.link_parser`).
``Scenario.from_query(s.to_query()).scenario == s`` for every valid scenario.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from optviz.conventions import CONVENTIONS, resolve
from optviz.optimizers import OPTIMIZERS
from optviz.params import fmt, fmt_assignments
from optviz.schedules import SCHEDULES
from optviz.starts import CLOUDS, cloud_points
from surfaces import SURFACES
from surfaces.core import Number, Param, Surface
from surfaces.data import MAX_POINTS, check_points, not_drawn, own_params, reseed, with_points
from surfaces.formula import DEFAULT_DOMAIN, DEFAULT_FORMULA, check_domain, custom_surface

VERSION = 1
MAX_STEPS = 10_000
MAX_RUNS = 8
MAX_STARTS = 4096
# Each run records (steps + 1) rows per start; this bounds one request's memory (1e6 rows
# × 8 float64 = 64 MB in all) whatever mix of runs, steps and starts a link asks for.
MAX_RECORDED_ROWS = 1_000_000

STEPS = Param("steps", 500, 1, MAX_STEPS, kind="int", help="optimizer steps per run")
SEED = Param("seed", 0, 0, 2**31 - 1, kind="int", help="seed of the gradient noise, the data and the batches")
BATCH = Param("batch", 0, 0, MAX_POINTS, kind="int", help="mini-batch size on a data surface (0: every point)")
TOL = Param("tol", 1e-6, 1e-12, 1.0, log=True, help="converged when |f - f_min| <= tol")
CUSTOM = "custom"  # surface name of a user formula
_SAFE = {False: ":,=", True: "*()^,/!'"}  # characters left as they are in a value: other keys, a formula

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


class Notice(str):
    """A warning's text, and the link key it is about where a page shows it beside that key's
    control (``"f"``, ``"domain"``: at the formula box); "" for the others."""

    key: str

    def __new__(cls, text: str, key: str = "") -> Notice:
        notice = super().__new__(cls, text)
        notice.key = key
        return notice


FORMULA_KEYS = ("f", "domain")  # the keys whose notices the formula box shows


def about_formula(notice: str) -> bool:
    """Whether ``notice`` is about the custom formula (shown at its box, not above the page)."""
    return getattr(notice, "key", "") in FORMULA_KEYS


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
      points: a data surface's own points (`surfaces.data.check_points`), each its
        model's columns; empty for the drawn data. With points, the surface's drawn-data
        parameters (`surfaces.data.Model.drawn`) are their defaults and ``n`` their count.
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
    points: tuple[tuple[float, ...], ...] = ()

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
        if self.points:
            data = SURFACES[self.surface].data if self.surface in SURFACES else None
            if data is None:
                raise ValueError("points belong to a data surface")
            set_(self, "points", check_points(data.model, self.points))
        surface = self.surface_def
        set_(self, "surface_params", _complete(surface.params, dict(self.surface_params), self.surface))
        if self.points:
            own = own_params(surface.data.model, surface.params, dict(self.surface_params), len(self.points))
            set_(self, "surface_params", tuple(own.items()))
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
                raise ValueError(missing_f_star(run))

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
        if self.surface == CUSTOM:
            return custom_surface(self.formula, self.domain)
        if self.points:
            return with_points(SURFACES[self.surface], self.points)
        return reseed(SURFACES[self.surface], self.seed)

    def link_surface_params(self) -> str:
        """The surface's parameters as a link writes them (``a=1,b=2``, non-defaults only):
        with own points, the drawn-data parameters are left out (they do not apply)."""
        surface = self.surface_def
        specs = not_drawn(surface.data.model, surface.params) if self.points else surface.params
        return fmt_assignments(specs, dict(self.surface_params))

    def points_text(self) -> str:
        """The own points as a link writes them: ``x:y,x:y,…`` ("" for drawn data)."""
        return ",".join(":".join(fmt(v) for v in point) for point in self.points)

    # --- text form -------------------------------------------------------------------
    def to_query(self) -> str:
        """The canonical query string (see the module docstring)."""
        schedule = SCHEDULES[self.schedule]
        items = [
            ("v", str(VERSION)),
            *([("conv", self.convention)] if self.convention != "optax" else []),
            ("surface", _named(self.surface, self.link_surface_params())),
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
            *([("points", self.points_text())] if self.points else []),
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
        The parser (`optviz.link_parser`) builds scenarios, so it is imported here, on use.
        """
        from optviz.link_parser import parse_link

        return parse_link(str(text), frozenset(ignore))


def encode_query(items: Iterable[tuple[str, str]]) -> str:
    """``key=value&…`` with each value percent-encoded as links here write it: ``:``, ``,``
    and ``=`` kept readable; a formula's ``+``, ``&``, ``=``, ``%``, ``#`` and spaces
    encoded (a raw "+" would read back as a space)."""
    return "&".join(f"{key}={quote(value, safe=_SAFE[key == 'f'])}" for key, value in items)


def _named(name: str, assignments: str) -> str:
    return f"{name}:{assignments}" if assignments else name


def missing_f_star(run: OptRun) -> str:
    """Why ``run`` cannot run here: it needs f*, and no minimum of the surface is known."""
    return (
        f"{run.optimizer.title} needs the surface's minimum value f*, and this surface has no known "
        f"minimum: run {run.name} dropped"
    )
