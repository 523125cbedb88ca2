"""Scenario links: canonical form, exact round trip, and warnings for every kind of bad input."""

import math

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from optviz import OptRun, Scenario
from optviz.optimizers import OPTIMIZERS
from optviz.scenario import MAX_RECORDED_ROWS, MAX_RUNS, MAX_STARTS, MAX_STEPS
from optviz.schedules import SCHEDULES
from surfaces import SURFACES


def parse(text):
    return Scenario.from_query(text)


def test_the_documented_example_reads_like_the_optax_call():
    s, warnings = parse(
        "surface=rosenbrock&opt=adam:lr=0.01,b1=0.9&schedule=cosine:decay_steps=300&steps=500&start=-1.5,2&seed=0"
    )
    assert warnings == []
    assert s.runs == (OptRun.of("adam", lr=0.01),)
    assert dict(s.schedule_params) == {"decay_steps": 300, "alpha": 0.0}
    assert (s.steps, s.starts, s.seed) == (500, ((-1.5, 2.0),), 0)
    assert s.to_query() == (
        "v=1&surface=rosenbrock&opt=adam:lr=0.01&schedule=cosine:decay_steps=300&steps=500&start=-1.5,2&seed=0"
    )


def test_whole_url_and_surface_params():
    s, warnings = parse("https://optviz.example/app?surface=noisy_quadratic:kappa=10,sigma=0.3&opt=sgd:lr=0.1#top")
    assert warnings == []
    assert dict(s.surface_params) == {"kappa": 10.0, "h": 1.0, "sigma": 0.3, "angle": 0.0}
    assert s.to_query().startswith("v=1&surface=noisy_quadratic:sigma=0.3&opt=sgd:lr=0.1&")


def test_repeated_opts_and_flags():
    s, warnings = parse("opt=sgd:lr=0.1,momentum=0.9,nesterov=true&opt=rmsprop:lr=0.01,centered=1&opt=sgd:lr=0.001")
    assert warnings == []
    assert [r.name for r in s.runs] == ["sgd", "rmsprop", "sgd"]
    assert s.runs[0].hyperparams == {"lr": 0.1, "momentum": 0.9, "nesterov": True}
    assert s.runs[1].hyperparams["centered"] is True
    assert (
        "opt=sgd:lr=0.1,momentum=0.9,nesterov=true&opt=rmsprop:lr=0.01,centered=true&opt=sgd:lr=0.001" in s.to_query()
    )


def test_defaults():
    s, warnings = parse("")
    assert warnings == [] and s == Scenario()
    assert s.starts == (SURFACES["rosenbrock"].start,)


@pytest.mark.parametrize(
    "query,expect,check",
    [
        ("opt=adam:lr=-3", "adam: lr=-3 is out of range (1e-06..10); using 1e-06", lambda s: s.runs[0].lr == 1e-6),
        ("opt=adam:lr=abc", "not a number", lambda s: s.runs[0].lr == 0.01),
        ("opt=adam:lr=nan", "not finite", lambda s: s.runs[0].lr == 0.01),
        ("opt=adam:lr=inf", "not finite", lambda s: s.runs[0].lr == 0.01),
        ("opt=adam:lr=0.1,bogus=2", "unknown parameter 'bogus'", lambda s: s.runs[0].lr == 0.1),
        ("opt=adam:lr=0.1,lr=0.2", "more than once", lambda s: s.runs[0].lr == 0.1),
        ("opt=adamm:lr=0.1", "did you mean 'adam'", lambda s: s.runs == Scenario().runs),
        ("opt=sgd:nesterov=maybe", "not true/false", lambda s: s.runs[0].hyperparams["nesterov"] is False),
        ("surface=rosenbrok", "did you mean 'rosenbrock'", lambda s: s.surface == "rosenbrock"),
        ("surface=quadratic:kappa=0", "out of range", lambda s: dict(s.surface_params)["kappa"] == 1),
        ("schedule=warp", "unknown schedule", lambda s: s.schedule == "constant"),
        (
            "schedule=step:transition_steps=2.5",
            "whole number",
            lambda s: dict(s.schedule_params)["transition_steps"] == 2,
        ),
        (
            "schedule=warmup_cosine:warmup_steps=600,decay_steps=500",
            "exceed",
            lambda s: dict(s.schedule_params)["decay_steps"] == 601,
        ),
        ("steps=99999", "out of range (1..10000); using 10000", lambda s: s.steps == MAX_STEPS),
        ("steps=0", "out of range", lambda s: s.steps == 1),
        ("steps=1e400", "not finite", lambda s: s.steps == 500),
        ("steps=10&steps=20", "given 2 times", lambda s: s.steps == 10),
        ("seed=-1", "out of range", lambda s: s.seed == 0),
        ("start=1,2,3", "not x,y", lambda s: s.starts == (SURFACES["rosenbrock"].start,)),
        ("start=99,0", "start x=99 is out of range (-2..2); using 2", lambda s: s.starts == ((2.0, 0.0),)),
        ("start=a,0", "not a number", lambda s: s.starts == ((0.0, 0.0),)),
        ("frame=3", "unknown parameter 'frame'", lambda s: s == Scenario()),
        ("v=7", "v=7 is not supported", lambda s: s == Scenario()),
        ("opt=&opt=:", "no valid optimizer run", lambda s: s.runs == Scenario().runs),
    ],
)
def test_bad_values_warn_and_fall_back(query, expect, check):
    s, warnings = parse(query)
    assert any(expect in w for w in warnings), warnings
    assert check(s)


def test_plus_sign_in_exponent_survives_a_raw_link():
    s, warnings = parse("opt=sgd:lr=1e+0")  # '+' arrives as a space
    assert warnings == [] and s.runs[0].lr == 1.0


def test_ignore_keys_are_silent():
    s, warnings = Scenario.from_query("frame=3&view=3d", ignore={"frame", "view"})
    assert warnings == [] and s == Scenario()


def test_hard_bounds():
    many = "&".join(f"opt=sgd:lr={i + 1}e-3" for i in range(MAX_RUNS + 3))
    s, warnings = parse(many)
    assert len(s.runs) == MAX_RUNS and any("first 8" in w for w in warnings)
    starts = "&".join(f"start={i % 7 - 3},{i % 5 - 2}" for i in range(MAX_STARTS + 10))
    s, warnings = parse("surface=himmelblau&opt=sgd:lr=0.01&steps=100&" + starts)
    assert len(s.starts) == MAX_STARTS and any(f"first {MAX_STARTS}" in w for w in warnings)
    s, warnings = parse("steps=10000&" + starts)
    assert len(s.starts) == MAX_RECORDED_ROWS // (3 * 10001) and any("rows); using" in w for w in warnings)
    s, warnings = parse("steps=5&" + "x" * 300_000)
    assert any("longer than" in w for w in warnings) and s.steps == 5


def _number(lo, hi, log):
    if log:
        return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: float(10**e)).filter(lambda v: lo <= v <= hi)
    return st.floats(lo, hi, allow_nan=False)


def _values(specs):
    strategies = {}
    for p in specs:
        if p.kind == "bool":
            strategies[p.name] = st.booleans()
        elif p.kind == "int":
            strategies[p.name] = st.integers(int(p.lo), int(p.hi))
        else:
            strategies[p.name] = _number(p.lo, p.hi, p.log)
    return st.fixed_dictionaries(strategies)


runs = st.sampled_from(sorted(OPTIMIZERS)).flatmap(
    lambda name: _values(OPTIMIZERS[name].params).map(lambda hp: OptRun.of(name, **hp))
)


@st.composite
def scenarios(draw):
    surface = SURFACES[draw(st.sampled_from(sorted(SURFACES)))]
    schedule = SCHEDULES[draw(st.sampled_from(sorted(SCHEDULES)))]
    schedule_params = draw(_values(schedule.params))
    schedule.fix(schedule_params)
    (x0, x1), (y0, y1) = surface.domain
    starts = draw(st.lists(st.tuples(st.floats(x0, x1), st.floats(y0, y1)), min_size=1, max_size=4))
    fields = dict(
        surface=surface.name,
        surface_params=tuple(draw(_values(surface.params)).items()),
        runs=tuple(draw(st.lists(runs, min_size=1, max_size=MAX_RUNS))),
        schedule=schedule.name,
        schedule_params=tuple(schedule_params.items()),
        steps=draw(st.integers(1, MAX_STEPS)),
        starts=tuple(starts),
        seed=draw(st.integers(0, 2**31 - 1)),
        tol=draw(_number(1e-12, 1.0, True)),
        batch=draw(st.integers(0, 256)) if surface.data is not None else 0,
    )
    try:
        return Scenario(**fields)
    except ValueError as why:  # an optimizer that needs f* on data with no minimum: not a scenario
        if "needs the surface's minimum value f*" not in str(why):
            raise
        reject()


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_round_trip_is_exact(scenario):
    text = scenario.to_query()
    again, warnings = Scenario.from_query(text)
    assert warnings == []
    assert again == scenario
    assert again.to_query() == text


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    s, warnings = Scenario.from_query(text)
    assert isinstance(s, Scenario) and all(isinstance(w, str) for w in warnings)
    assert Scenario.from_query(s.to_query()) == (s, [])


query_pieces = st.lists(
    st.tuples(
        st.sampled_from(["v", "surface", "opt", "schedule", "steps", "start", "seed", "tol", "zz"]),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(sorted(OPTIMIZERS) + sorted(SURFACES) + sorted(SCHEDULES)).map(lambda n: n + ":"),
            st.floats().map(repr),
            st.builds(
                lambda a, b: f"{a}:{b}", st.sampled_from(sorted(OPTIMIZERS)), st.text(",=lr0123.e-+bnx", max_size=20)
            ),
        ),
    ),
    max_size=12,
).map(lambda items: "&".join(f"{k}={v}" for k, v in items))


@settings(max_examples=500, deadline=None)
@given(query_pieces)
def test_structured_garbage_gives_a_valid_bounded_scenario(text):
    s, _ = Scenario.from_query(text)
    assert 1 <= s.steps <= MAX_STEPS and 1 <= len(s.runs) <= MAX_RUNS and 1 <= len(s.starts) <= MAX_STARTS
    assert all(math.isfinite(v) for r in s.runs for v in r.hyperparams.values())
    assert Scenario.from_query(s.to_query()) == (s, [])
