r"""Framework conventions: the same optimizer name as optax, Keras 3 or PyTorch define it.

"Adam" is not one algorithm. The frameworks differ in default hyperparameters (Adam's
ε 1e-7 in Keras vs 1e-8; Adagrad's initial accumulator 0.1 vs 0; RMSprop's decay 0.9 vs
0.99) and in the update rule: where ε sits (inside or outside a square root, before or
after bias correction), whether momentum accumulates lr-scaled steps (Keras) or raw ones
(PyTorch, optax's SGD), how NAdam's momentum schedule is written.

`resolve(name, convention)` returns the registry entry as that framework defines it:
its defaults, its builder (an optax recipe, or the small transform the framework's rule
needs from `optviz.framework_rules`, composed with optax's own pieces), its LaTeX and the reference
it follows. An optimizer a framework lacks raises `Unavailable` with the reason; it is
never silently replaced. A registered optimizer without a row in `VARIANTS` for a framework
is unavailable there too ("not checked against … yet") until its row is written and tested. Hyperparameters keep optax's names in links (``decay`` is
Keras's ``rho`` and PyTorch's ``alpha``; ``b1``/``b2`` are ``beta_1``/``beta_2`` and
``betas``; ``eps`` is ``epsilon``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

import numpy as np
import optax

from optviz.framework_rules import (
    adafactor_relative,
    lbfgs_torch,
    rprop_torch,
    scale_by_adam_eps_hat,
    scale_by_adamax_keras,
    scale_by_amsgrad_torch,
    scale_by_nadam_dozat,
    scale_by_radam_torch,
    scale_by_rss_torch,
)
from optviz.optimizers import OPTIMIZERS, Call, Optimizer

CONVENTIONS = ("optax", "keras", "pytorch")
TITLES = {"optax": "optax", "keras": "Keras 3 / TensorFlow", "pytorch": "PyTorch"}


class Unavailable(ValueError):
    """The framework has no such optimizer (or no variant of it here); says which and why."""


# --- the frameworks' optimizers as recipes ------------------------------------------------------
def _keras_sgd(learning_rate, momentum=0.0, nesterov=False):
    # Keras keeps lr inside the velocity: m = βm − η g; θ += m (Nesterov: θ += βm − η g).
    return optax.chain(optax.scale_by_learning_rate(learning_rate), optax.trace(decay=momentum, nesterov=nesterov))


def _rmsprop_torch(learning_rate, decay, eps, momentum, centered):
    # PyTorch: ε outside the root, and momentum on the unscaled step (lr applied after it).
    scale = optax.scale_by_stddev if centered else optax.scale_by_rms
    return optax.chain(
        scale(decay=decay, eps=eps, eps_in_sqrt=False),
        optax.trace(decay=momentum),
        optax.scale_by_learning_rate(learning_rate),
    )


def _adam_family(scale: Callable) -> Callable:
    def build(learning_rate, b1, b2, eps, weight_decay=None):
        parts = [scale(b1, b2, eps)]
        if (
            weight_decay is not None
        ):  # AdamW (its value is traced): decoupled: θ ← θ − η(Δ + λθ), as AdamW in every framework
            parts.append(optax.add_decayed_weights(weight_decay))
        return optax.chain(*parts, optax.scale_by_learning_rate(learning_rate))

    return build


def _adafactor(clamp: bool) -> Callable:
    return functools.partial(adafactor_relative, clamp=clamp)


_ADAFACTOR = (
    r"\rho_t = \min(\eta_t, t^{-1/2}),\; \hat\beta_{2t} = 1 - t^{-c},\; v_t = \hat\beta_{2t} v_{t-1} + (1-\hat\beta_{2t})"
    r"(g_t^2 + \epsilon),\; u_t = \frac{g_t}{\sqrt{v_t}},\quad \theta_{t+1} = \theta_t - \rho_t\max(10^{-3}, "
    r"\mathrm{RMS}(\theta_t))\,\frac{u_t}{\max(1, \mathrm{RMS}(u_t)/d)}"
)
_PARAMETER_SCALE = "{} always scales Adafactor's step by RMS(θ); a run without it has no {} code"
_ADAFACTOR_ARGS = (
    ("beta_2_decay", lambda hp: -hp["decay_rate"]),
    ("epsilon_1", "eps"),
    ("clip_threshold", "clipping_threshold"),
)
_ADAFACTOR_TORCH_ARGS = (
    ("beta2_decay", lambda hp: -hp["decay_rate"]),
    ("eps", lambda hp: (hp["eps"], 1e-3)),
    ("d", "clipping_threshold"),
)


@dataclasses.dataclass(frozen=True)
class Variant:
    """One framework's definition of a registry optimizer: default overrides, a builder
    when its rule differs from optax's, the LaTeX of that rule, where it is documented, and
    the framework's own call that the Code menu writes for it (``keras.optimizers.Adam``
    with ``beta_1=b1``, ...). ``unwritten`` maps each hyperparameter that call cannot write, or
    would apply by another rule, to why: a run whose value differs from its default there gets
    no code. ``ranges`` narrows a hyperparameter to what the framework accepts (lo, hi);
    ``line_search`` says whether its rule searches along the direction (`Optimizer.line_search`);
    ``closure``: the framework's ``step`` takes a function that evaluates the loss (PyTorch's LBFGS)."""

    source: str
    defaults: Mapping[str, float] = dataclasses.field(default_factory=dict)
    build: Callable | None = None
    latex: str | None = None
    velocity: tuple[str, float] | None = None
    call: Call = dataclasses.field(kw_only=True)
    unwritten: Mapping[str, str] = dataclasses.field(default_factory=dict, kw_only=True)
    ranges: Mapping[str, tuple[float, float]] = dataclasses.field(default_factory=dict, kw_only=True)
    line_search: bool | None = dataclasses.field(default=None, kw_only=True)  # None: the optax row's
    closure: bool = dataclasses.field(default=False, kw_only=True)  # step() evaluates the loss itself


_EPS_HAT = (
    r"\theta_{t+1} = \theta_t - \eta_t \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,\frac{m_t}{\sqrt{v_t} + \hat\epsilon}"
)
_KERAS_SGD = r"m_t = \beta m_{t-1} - \eta_t g_t,\quad \theta_{t+1} = \theta_t + m_t"
_NADAM = (
    r"\mu_t = \beta_1(1-\tfrac12 0.96^{0.004t}),\; \theta_{t+1} = \theta_t - \eta_t\Big(\frac{1-\mu_t}{1-\prod\mu}"
    r"\frac{g_t}{d_t} + \frac{\mu_{t+1}}{1-\prod\mu\,\mu_{t+1}}\frac{m_t}{d_t}\Big),\; d_t = \sqrt{\hat v_t}+\epsilon"
)
_KERAS = "https://keras.io/api/optimizers/"
_TORCH = "https://pytorch.org/docs/stable/optim.html"

_BETA = (("beta_1", "b1"), ("beta_2", "b2"), ("epsilon", "eps"))
_BETAS = (("betas", ("b1", "b2")), ("eps", "eps"))
_SGD_ARGS = (("momentum", "momentum"), ("nesterov", "nesterov"))
_MOMENTUM_ARG = (("momentum", "momentum"),)
_NESTEROV_ARGS = (("momentum", "momentum"), ("nesterov", True))
_K, _T = "keras.optimizers.", "torch.optim."

# fmt: off
VARIANTS: dict[str, dict[str, Variant | str]] = {
    "keras": {
        "sgd": Variant(f"{_KERAS}sgd/ (lr inside the velocity)", {"lr": 0.01}, _keras_sgd, _KERAS_SGD, ("trace", 1.0),
                       call=Call(f"{_K}SGD", _SGD_ARGS)),
        "momentum": Variant(f"{_KERAS}sgd/ (momentum=0.9)", {"lr": 0.01}, _keras_sgd, _KERAS_SGD, ("trace", 1.0),
                            call=Call(f"{_K}SGD", _MOMENTUM_ARG)),
        "nesterov": Variant(f"{_KERAS}sgd/ (nesterov=True)", {"lr": 0.01}, _keras_sgd,
                            r"m_t = \beta m_{t-1} - \eta_t g_t,\quad \theta_{t+1} = \theta_t + \beta m_t - \eta_t g_t",
                            ("trace", 1.0), call=Call(f"{_K}SGD", _NESTEROV_ARGS)),
        "adagrad": Variant(f"{_KERAS}adagrad/", {"lr": 0.001, "initial_accumulator_value": 0.1, "eps": 1e-7},
                           call=Call(f"{_K}Adagrad", (("initial_accumulator_value",) * 2, ("epsilon", "eps")))),
        "rmsprop": Variant(f"{_KERAS}rmsprop/ (rho = decay; momentum on lr-scaled steps)",
                           {"lr": 0.001, "decay": 0.9, "eps": 1e-7},
                           call=Call(f"{_K}RMSprop", (("rho", "decay"), ("momentum", "momentum"), ("epsilon", "eps"),
                                                      ("centered", "centered")))),
        "adam": Variant(f"{_KERAS}adam/ (ε before bias correction)", {"lr": 0.001, "eps": 1e-7},
                        _adam_family(scale_by_adam_eps_hat), _EPS_HAT, ("mu", -1.0), call=Call(f"{_K}Adam", _BETA)),
        "adamw": Variant(f"{_KERAS}adamw/", {"lr": 0.001, "eps": 1e-7, "weight_decay": 0.004},
                         _adam_family(scale_by_adam_eps_hat), _EPS_HAT + r" - \eta_t\lambda\theta_t", ("mu", -1.0),
                         call=Call(f"{_K}AdamW", (("weight_decay", "weight_decay"), *_BETA))),
        "adamax": Variant(f"{_KERAS}adamax/ (ε outside the max)", {"lr": 0.001, "eps": 1e-7},
                          _adam_family(scale_by_adamax_keras),
                          r"u_t = \max(\beta_2 u_{t-1}, |g_t|),\quad "
                          r"\theta_{t+1} = \theta_t - \eta_t \frac{m_t}{(1-\beta_1^t)(u_t + \epsilon)}", ("mu", -1.0),
                          call=Call(f"{_K}Adamax", _BETA)),
        "nadam": Variant(f"{_KERAS}nadam/ (momentum schedule 0.96^t)", {"lr": 0.001, "eps": 1e-7},
                         _adam_family(lambda b1, b2, eps: scale_by_nadam_dozat(b1, b2, eps, momentum_decay=1.0)),
                         _NADAM.replace("0.004t", "t"), ("mu", -1.0), call=Call(f"{_K}Nadam", _BETA)),
        "amsgrad": Variant(f"{_KERAS}adam/ (amsgrad=True)", {"lr": 0.001, "eps": 1e-7},
                           _adam_family(lambda b1, b2, eps: scale_by_adam_eps_hat(b1, b2, eps, amsgrad=True)),
                           _EPS_HAT.replace("{v_t}", r"{\max_{s\le t} v_s}"), ("mu", -1.0),
                           call=Call(f"{_K}Adam", (*_BETA, ("amsgrad", True)))),
        "adadelta": Variant(f"{_KERAS}adadelta/", {"lr": 0.001, "rho": 0.95, "eps": 1e-7},
                            call=Call(f"{_K}Adadelta", (("rho", "rho"), ("epsilon", "eps"))),
                            unwritten={"weight_decay": "Keras 3's Adadelta decays weights decoupled (θ ← θ − ηλθ); this "
                                       "run's weight_decay is added to the gradient, as optax and PyTorch do"}),
        "lion": Variant(f"{_KERAS}lion/", {"lr": 0.001, "weight_decay": 0.0},
                        call=Call(f"{_K}Lion", (("beta_1", "b1"), ("beta_2", "b2"), ("weight_decay", "weight_decay")))),
        "lamb": Variant(f"{_KERAS}lamb/", {"lr": 0.001, "eps": 1e-7}, call=Call(f"{_K}Lamb", _BETA),
                        unwritten={"weight_decay": "Keras 3's Lamb decays weights outside the trust ratio "
                                   "(θ ← θ − ηλθ); this run's decay is inside it, as in optax and the paper"}),
        "adafactor": Variant(f"{_KERAS}adafactor/ (relative step min(lr, 1/√t))", {"lr": 0.001}, _adafactor(False),
                             _ADAFACTOR, call=Call(f"{_K}Adafactor", _ADAFACTOR_ARGS),
                             unwritten={"multiply_by_parameter_scale": _PARAMETER_SCALE.format("Keras 3", "Keras")}),
        "schedule_free_adamw": Variant(
            f"{_KERAS}schedulefreeadamw/ (every z weighted alike)", {"lr": 0.0025, "eps": 1e-8, "weight_lr_power": 0.0},
            call=Call(f"{_K}ScheduleFreeAdamW", _BETA),
            unwritten={"weight_lr_power": "Keras 3's ScheduleFreeAdamW weights every z alike (power 0)",
                       "weight_decay": "Keras 3 decays the evaluated point y itself (y ← y − ηλy), not z's step"}),
        "radam": "Keras 3 has no RAdam",
        "signsgd": "Keras 3 has no signSGD",
    },
    "pytorch": {
        "sgd": Variant(f"{_TORCH} torch.optim.SGD (dampening 0)", call=Call(f"{_T}SGD", _SGD_ARGS)),
        "momentum": Variant(f"{_TORCH} torch.optim.SGD(momentum=0.9)", call=Call(f"{_T}SGD", _MOMENTUM_ARG)),
        "nesterov": Variant(f"{_TORCH} torch.optim.SGD(momentum=0.9, nesterov=True)",
                            call=Call(f"{_T}SGD", _NESTEROV_ARGS)),
        "adagrad": Variant(f"{_TORCH} torch.optim.Adagrad (ε outside the root)",
                           {"lr": 0.01, "initial_accumulator_value": 0.0, "eps": 1e-10},
                           lambda learning_rate, initial_accumulator_value, eps: optax.chain(
                               scale_by_rss_torch(initial_accumulator_value, eps),
                               optax.scale_by_learning_rate(learning_rate)),
                           r"G_t = G_{t-1} + g_t^2,\quad \theta_{t+1} = \theta_t - \eta_t \frac{g_t}{\sqrt{G_t} + \epsilon}",
                           call=Call(f"{_T}Adagrad", (("initial_accumulator_value",) * 2, ("eps", "eps")))),
        "rmsprop": Variant(f"{_TORCH} torch.optim.RMSprop (alpha = decay; ε outside the root)",
                           {"lr": 0.01, "decay": 0.99, "eps": 1e-8}, _rmsprop_torch,
                           r"v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\; b_t = \mu b_{t-1} + \frac{g_t}{\sqrt{v_t}+\epsilon},"
                           r"\quad \theta_{t+1} = \theta_t - \eta_t b_t", ("trace", -1.0),
                           call=Call(f"{_T}RMSprop", (("alpha", "decay"), ("eps", "eps"), ("momentum", "momentum"),
                                                      ("centered", "centered")))),
        "adam": Variant(f"{_TORCH} torch.optim.Adam", {"lr": 0.001}, call=Call(f"{_T}Adam", _BETAS)),
        "adamw": Variant(f"{_TORCH} torch.optim.AdamW", {"lr": 0.001, "weight_decay": 0.01},
                         call=Call(f"{_T}AdamW", (*_BETAS, ("weight_decay", "weight_decay")))),
        "adamax": Variant(f"{_TORCH} torch.optim.Adamax (ε inside the max, as optax)", {"lr": 0.002},
                          call=Call(f"{_T}Adamax", _BETAS)),
        "nadam": Variant(f"{_TORCH} torch.optim.NAdam (momentum_decay 0.004)", {"lr": 0.002},
                         _adam_family(scale_by_nadam_dozat), _NADAM, ("mu", -1.0), call=Call(f"{_T}NAdam", _BETAS)),
        "amsgrad": Variant(f"{_TORCH} torch.optim.Adam(amsgrad=True)", {"lr": 0.001},
                           _adam_family(scale_by_amsgrad_torch),
                           r"\theta_{t+1} = \theta_t - \eta_t \frac{m_t/(1-\beta_1^t)}{\sqrt{\max_{s\le t} v_s}/"
                           r"\sqrt{1-\beta_2^t} + \epsilon}", ("mu", -1.0),
                           call=Call(f"{_T}Adam", (*_BETAS, ("amsgrad", True)))),
        "adadelta": Variant(f"{_TORCH} torch.optim.Adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
                            call=Call(f"{_T}Adadelta", (("rho", "rho"), ("eps", "eps"), ("weight_decay", "weight_decay")))),
        "rprop": Variant(f"{_TORCH} torch.optim.Rprop (iRprop−: moves by this step's step size)", {"lr": 0.01},
                         rprop_torch,
                         r"\Delta_t = \operatorname{clip}(\eta^{\pm}\Delta_{t-1}) \text{ as } g_t g'_{t-1} \gtrless 0,\;"
                         r"g'_t = 0 \text{ where } g_t g'_{t-1} < 0 \text{ else } g_t,"
                         r"\quad \theta_{t+1} = \theta_t - \Delta_t \operatorname{sign}(g'_t),\; \Delta_0 = \eta",
                         call=Call(f"{_T}Rprop", (("etas", ("eta_minus", "eta_plus")),
                                                  ("step_sizes", ("min_step_size", "max_step_size"))))),
        "nadamw": Variant(f"{_TORCH} torch.optim.NAdam(decoupled_weight_decay=True)", {"lr": 0.002},
                          _adam_family(scale_by_nadam_dozat), _NADAM.replace(r"\Big),", r"\Big) - \eta_t\lambda\theta_t,"),
                          ("mu", -1.0), call=Call(f"{_T}NAdam", (*_BETAS, ("weight_decay", "weight_decay"),
                                                                ("decoupled_weight_decay", True)))),
        "radam": Variant(f"{_TORCH} torch.optim.RAdam (ε on the raw root; rectified while ρ > 5)", {"lr": 0.001},
                         lambda learning_rate, b1, b2, eps, threshold: optax.chain(
                             scale_by_radam_torch(b1, b2, eps, threshold), optax.scale_by_learning_rate(learning_rate)),
                         r"\theta_{t+1} = \theta_t - \eta_t \begin{cases} r_t \frac{m_t}{1-\beta_1^t}\frac{\sqrt{1-\beta_2^t}}"
                         r"{\sqrt{v_t}+\epsilon} & \rho_t > 5 \\ \frac{m_t}{1-\beta_1^t} & \text{else}\end{cases}",
                         ("mu", -1.0), call=Call(f"{_T}RAdam", _BETAS),
                         unwritten={"threshold": "PyTorch's RAdam rectifies once ρ > 5, a threshold it does not take"}),
        "adafactor": Variant(f"{_TORCH} torch.optim.Adafactor (relative step min(lr, 1/√t); v floored at ε²)",
                             {"lr": 0.01, "eps": float(np.finfo(np.float64).eps)}, _adafactor(True),
                             _ADAFACTOR.replace(r"(g_t^2 + \epsilon)", r"g_t^2").replace(
                                 r"\sqrt{v_t}", r"\sqrt{\max(v_t, \epsilon^2)}"),
                             call=Call(f"{_T}Adafactor", _ADAFACTOR_TORCH_ARGS),
                             unwritten={"multiply_by_parameter_scale": _PARAMETER_SCALE.format("PyTorch", "PyTorch")},
                             ranges={"clipping_threshold": (1.0, 100.0)}),  # torch.optim.Adafactor refuses d < 1
        "lion": "PyTorch has no Lion",
        "signsgd": "PyTorch has no signSGD",
        "lbfgs": Variant(f"{_TORCH} torch.optim.LBFGS (one iteration a step, no line search: its default; "
                         "history 100)", {"lr": 1.0}, lbfgs_torch,
                         r"d_t = -H_t g_t,\; H_t \text{ from } H^0 = \frac{s^\top y}{y^\top y} I \text{ and the last 100 pairs "
                         r"with } y^\top s > 10^{-10},\quad \theta_{t+1} = \theta_t + \eta_t d_t \;"
                         r"(\text{first: } \min(1, 1/\lVert g\rVert_1)\,\eta)",
                         call=Call(f"{_T}LBFGS", (("max_iter", 1), ("history_size", 100))),
                         line_search=False, closure=True),
    },
}
# fmt: on
# Optimizers the framework does not ship at all (Keras 3.15's keras.optimizers, PyTorch 2.13's torch.optim).
_SHORT = {"keras": "Keras 3", "pytorch": "PyTorch"}
_NEITHER = ("prodigy", "dadapt_adamw", "dog", "dowg", "cocob", "adopt", "ademamix", "optimistic_adam", "madgrad")
_NEITHER += ("lars", "fromage", "novograd", "adan", "optimistic_gd", "sm3", "polyak_sgd", "momo", "momo_adam", "sam")
_NEITHER += ("noisy_sgd", "sophia", "yogi", "adabelief", "adamaxw", "signum")
_LACKS = {
    "keras": ("schedule_free_sgd", "rprop", "lbfgs", "nadamw", *_NEITHER),
    "pytorch": ("schedule_free_sgd", "schedule_free_adamw", "lamb", *_NEITHER),
}
for _convention, _names in _LACKS.items():
    VARIANTS[_convention] |= {n: f"{_SHORT[_convention]} has no {OPTIMIZERS[n].title}" for n in _names}


@functools.cache
def resolve(name: str, convention: str = "optax") -> Optimizer:
    """The registry entry ``name`` as ``convention`` defines it; `Unavailable` if it has none."""
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention=}; one of {CONVENTIONS}")
    base = OPTIMIZERS[name]
    if convention == "optax":
        return base
    variant = VARIANTS[convention].get(name, f"{base.title} is not checked against {TITLES[convention]} yet")
    if isinstance(variant, str):
        raise Unavailable(variant)
    params = tuple(
        dataclasses.replace(
            p,
            default=variant.defaults.get(p.name, p.default),
            **dict(zip(("lo", "hi"), variant.ranges.get(p.name, (p.lo, p.hi)), strict=True)),
        )
        for p in base.params
    )
    return dataclasses.replace(
        base,
        params=params,
        build=variant.build or base.build,
        latex=variant.latex or base.latex,
        velocity=variant.velocity or base.velocity,
        line_search=base.line_search if variant.line_search is None else variant.line_search,
        note=f"{base.note} ({TITLES[convention]}: {variant.source})",
    )


def framework_call(name: str, convention: str) -> Call:
    """The call that builds ``name`` in ``convention``'s own library, which the Code menu
    writes: the optax row's alias, or the framework variant row's call."""
    if convention == "optax":
        return OPTIMIZERS[name].call
    variant = VARIANTS[convention][name]
    if isinstance(variant, str):
        raise Unavailable(variant)
    return variant.call


def available(convention: str) -> dict[str, str | None]:
    """Registry name → None if ``convention`` has it, else why not."""
    out = {}
    for name in OPTIMIZERS:
        try:
            resolve(name, convention)
            out[name] = None
        except Unavailable as err:
            out[name] = str(err)
    return out


def unavailable_note(convention: str) -> str:
    """One line on the optimizers ``convention`` cannot run: those the framework lacks and those
    not checked against it yet, each as one list of titles, then any other reason in full."""
    missing = {name: why for name, why in available(convention).items() if why}
    if not missing:
        return ""
    short, title = _SHORT.get(convention, convention), TITLES.get(convention, convention)
    lacks = [n for n, why in missing.items() if why == f"{short} has no {OPTIMIZERS[n].title}"]
    unchecked = [n for n, why in missing.items() if why.endswith(f"checked against {title} yet")]
    titles = lambda names: ", ".join(OPTIMIZERS[n].title for n in names)  # noqa: E731
    parts = [f"{short} has no {titles(lacks)}"] if lacks else []
    parts += [f"not checked against {short} yet: {titles(unchecked)}"] if unchecked else []
    parts += [why for n, why in missing.items() if n not in lacks + unchecked]
    return "Not available: " + "; ".join(parts) + "."
