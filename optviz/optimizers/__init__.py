r"""The optimizer registry: each entry is a recipe over optax, not a re-implementation.

Entries live by family, each module a tuple of `Optimizer` rows: `plain` (SGD, heavy ball,
Nesterov), `adaptive` (Adagrad, RMSprop, Adadelta, the Adam family), `sign` (Lion,
signSGD), `averaging` (Schedule-Free, MADGRAD), `free` (Prodigy, D-Adaptation, DoG, DoWG), `layerwise` (LAMB, LARS, Fromage,
NovoGrad), `polyak` (Polyak SGD, MoMo, MoMo-Adam: steps sized from the loss value), `sharpness` (SAM: two
gradients a step), `curvature` (L-BFGS: a curvature estimate and a line search). This module assembles them into `OPTIMIZERS`, and `FAMILIES` names each entry's family for the menu.

Every builder takes ``learning_rate`` (a number or an optax schedule ``step -> lr``)
and the entry's hyperparameters by optax's own argument names, and returns an
``optax.GradientTransformation``. Numeric hyperparameters may be JAX tracers, so the
engine builds the transformation inside its compiled function and slider moves never
recompile; boolean ones (``nesterov``, ``centered``) select the compiled structure.

Notation in the LaTeX: :math:`g_t` is the gradient at step t (1-based in bias
corrections), :math:`\eta_t` the scheduled learning rate, :math:`\theta` the position.
"""

from __future__ import annotations

from optviz.optimizers import adaptive, averaging, curvature, free, layerwise, plain, polyak, sharpness, sign
from optviz.optimizers.core import B1, B2, EPS, LR, MOMENTUM, Call, Optimizer, optax_alias

_FAMILIES = {
    plain: "plain and momentum",
    adaptive: "adaptive",
    sign: "sign-based",
    averaging: "averaging",
    free: "learning-rate-free",
    layerwise: "layer-wise",
    polyak: "loss-value (Polyak)",
    sharpness: "sharpness-aware",
    curvature: "curvature (second-order)",
}
_ROWS = {o.name: o for family in _FAMILIES for o in family.ROWS}
# The menu keeps the order of the first fourteen entries, which predates the families;
# entries added since follow family by family.
_FIRST = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adamax", "nadam", "amsgrad")
_FIRST += ("adadelta", "lion", "radam", "signsgd")

OPTIMIZERS: dict[str, Optimizer] = {name: _ROWS[name] for name in _FIRST} | _ROWS
FAMILIES: dict[str, str] = {o.name: title for family, title in _FAMILIES.items() for o in family.ROWS}
# A family's link name is its module's (``zoo=adaptive``): family key → menu title.
FAMILY_KEYS: dict[str, str] = {family.__name__.rsplit(".", 1)[-1]: title for family, title in _FAMILIES.items()}


def family_members(key: str = "") -> list[str]:
    """The names in family ``key`` (a `FAMILY_KEYS` key; "" for every entry), menu order."""
    title = FAMILY_KEYS[key] if key else None
    return [n for n in menu() if title is None or FAMILIES.get(n) == title]


def menu() -> list[str]:
    """Every entry's name, grouped by family in the families' order; an entry registered
    outside the family modules comes last."""
    order = list(_FAMILIES.values())
    return sorted(OPTIMIZERS, key=lambda n: order.index(FAMILIES[n]) if n in FAMILIES else len(order))


def menu_label(name: str) -> str:
    """The menu's label of an entry: its title, then its family (``Adam · adaptive``)."""
    family = FAMILIES.get(name)
    return f"{OPTIMIZERS[name].title} · {family}" if family else OPTIMIZERS[name].title


__all__ = [
    "B1",
    "B2",
    "EPS",
    "FAMILIES",
    "FAMILY_KEYS",
    "LR",
    "MOMENTUM",
    "OPTIMIZERS",
    "Call",
    "Optimizer",
    "family_members",
    "menu",
    "menu_label",
    "optax_alias",
]
