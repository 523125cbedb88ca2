"""The built-in analytic surfaces, checked against their published definitions.

Each surface is one row: its formula is the one source of its JAX function (compiled by
`surfaces.formula`) and of the code the Code menu writes. Definitions follow Surjanovic &
Bingham, *Virtual Library of Simulation Experiments* (sfu.ca/~ssurjano), and Jamil & Yang,
"A literature survey of benchmark functions for global optimization problems" (2013); the
tests check each against a gradient derived by hand (`tests/reference/surfaces.py`). Minima
were refined with Newton's method in float64; tests check that the gradient vanishes there.
"""

from __future__ import annotations

import math

from surfaces.core import Minimum, Param, Surface, fixed
from surfaces.formula import compile_formula
from surfaces.models import DATA_SURFACES


def _saddle_minima(params):
    c = params["c"]
    if c <= 0:
        return ()
    y = math.sqrt(1 / (2 * c))
    return (Minimum(0.0, -y, -1 / (4 * c)), Minimum(0.0, y, -1 / (4 * c)))


_ORIGIN = fixed(Minimum(0.0, 0.0, 0.0))
_KAPPA = Param("kappa", 10.0, 1.0, 1000.0, log=True, help="condition number h1/h2")
_H = Param("h", 1.0, 0.01, 100.0, log=True, help="largest curvature h1 (the x direction)")
_ANGLE = Param("angle", 0.0, -90.0, 90.0, help="rotation of the valley in degrees (steep axis from x)")
_RASTRIGIN_LOCAL = 0.9949586376523348  # Newton root of 2x + 20*pi*sin(2*pi*x) = 0 near 1
_RASTRIGIN_LOCAL_F = 0.9949590570932916

# Both quadratics: ½(h·u² + (h/κ)·v²), (u, v) the point turned by -angle degrees, so that the
# steep axis points along (cos α, sin α) (at angle 0, u = x and v = y exactly). The noisy
# one's `sigma` enters only the gradient the optimizer sees (`optviz.kernel`), never the loss.
_QUADRATIC = (
    "0.5 * (h * (cos(angle * pi / 180) * x + sin(angle * pi / 180) * y) ** 2"
    " + (h / kappa) * (cos(angle * pi / 180) * y - sin(angle * pi / 180) * x) ** 2)"
)


def analytic(name, title, domain, minima, start, latex, note, params=(), *, formula: str, noise=None) -> Surface:
    """The surface whose loss is ``formula``, in x, y and ``params``' names (`Surface`
    describes each field); its JAX function, each parameter at its default unless given,
    is compiled from that text."""
    fn = compile_formula(formula, {p.name: p.default for p in params})
    return Surface(name, title, fn, domain, minima, start, latex, note, params, noise=noise, formula=formula)


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        analytic(
            "rosenbrock",
            "Rosenbrock",
            ((-2.0, 2.0), (-1.0, 3.0)),
            lambda p: (Minimum(p["a"], p["a"] ** 2, 0.0),),
            (-1.5, 2.0),
            r"f(x,y) = (a-x)^2 + b\,(y-x^2)^2",
            "A curved, flat-bottomed valley: finding it is easy, following it to (a, a²) is slow.",
            (
                Param("a", 1.0, -2.0, 2.0, help="the minimum is at (a, a²)"),
                Param("b", 100.0, 1.0, 1000.0, log=True, help="steepness of the valley walls"),
            ),
            formula="(a - x) ** 2 + b * (y - x ** 2) ** 2",
        ),
        analytic(
            "beale",
            "Beale",
            ((-4.5, 4.5), (-4.5, 4.5)),
            fixed(Minimum(3.0, 0.5, 0.0)),
            (-1.0, 1.5),
            r"f(x,y) = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
            "Flat plateaus and sharp ridges: gradient sizes differ by orders of magnitude.",
            formula="(1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2",
        ),
        analytic(
            "saddle",
            "Saddle",
            ((-2.0, 2.0), (-3.0, 3.0)),
            _saddle_minima,
            (-1.5, 0.0),
            r"f(x,y) = x^2 - y^2 + c\,y^4",
            "Started on the x axis, gradient descent walks into the saddle point and stalls.",
            (Param("c", 0.1, 0.0, 1.0, help="quartic term bounding the surface below (0: none)"),),
            formula="x ** 2 - y ** 2 + c * y ** 4",
        ),
        analytic(
            "monkey_saddle",
            "Monkey saddle",
            ((-2.0, 2.0), (-2.0, 2.0)),
            fixed(),
            (0.5, 0.05),
            r"f(x,y) = x^3 - 3xy^2",
            "A flat degenerate saddle with three downhill valleys: no minimum at all.",
            formula="x ** 3 - 3 * x * y ** 2",
        ),
        analytic(
            "quadratic",
            "Quadratic bowl",
            ((-2.0, 2.0), (-2.0, 2.0)),
            _ORIGIN,
            (-1.5, 1.5),
            r"f(x,y) = \tfrac12\left(h\,u^2 + \tfrac{h}{\kappa}\,v^2\right),\;"
            r"\binom{u}{v} = \begin{pmatrix}\cos\alpha & \sin\alpha\\ -\sin\alpha & \cos\alpha\end{pmatrix}\binom{x}{y}",
            "Stability is exact here: gradient descent converges iff lr·h < 2.",
            (_KAPPA, _H, _ANGLE),
            formula=_QUADRATIC,
        ),
        analytic(
            "noisy_quadratic",
            "Noisy quadratic",
            ((-2.0, 2.0), (-2.0, 2.0)),
            _ORIGIN,
            (-1.5, 1.5),
            r"f(x,y) = \tfrac12\left(h\,u^2 + \tfrac{h}{\kappa}\,v^2\right)\ (u, v\text{: the point rotated by }-\alpha),\;"
            r"\tilde g = \nabla f + \sigma\,\xi,\ \xi\sim\mathcal N(0, I)",
            "Like minibatch training: with a constant lr the iterates settle at a noise floor.",
            (_KAPPA, _H, Param("sigma", 0.5, 0.0, 10.0, help="std of the gradient noise"), _ANGLE),
            noise="sigma",
            formula=_QUADRATIC,
        ),
        analytic(
            "himmelblau",
            "Himmelblau",
            ((-5.0, 5.0), (-5.0, 5.0)),
            fixed(
                Minimum(3.0, 2.0, 0.0),
                Minimum(-2.805118086952745, 3.131312518250573, 0.0),
                Minimum(-3.779310253377747, -3.283185991286169, 0.0),
                Minimum(3.5844283403304917, -1.8481265269644034, 0.0),
            ),
            (0.0, 0.0),
            r"f(x,y) = (x^2+y-11)^2 + (x+y^2-7)^2",
            "Four equal minima: where you start decides where you end.",
            formula="(x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2",
        ),
        analytic(
            "rastrigin",
            "Rastrigin",
            ((-5.12, 5.12), (-5.12, 5.12)),
            fixed(
                Minimum(0.0, 0.0, 0.0),
                *(
                    Minimum(sx * _RASTRIGIN_LOCAL, sy * _RASTRIGIN_LOCAL, _RASTRIGIN_LOCAL_F, "local")
                    for sx, sy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                ),
            ),
            (2.2, -3.1),
            r"f(x,y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
            "An egg box of local minima: local methods stop in the nearest cup.",
            formula="20 + x ** 2 - 10 * cos(2 * pi * x) + y ** 2 - 10 * cos(2 * pi * y)",
        ),
        analytic(
            "six_hump_camel",
            "Six-hump camel",
            ((-3.0, 3.0), (-2.0, 2.0)),
            fixed(
                Minimum(0.08984201310031806, -0.7126564030207396, -1.0316284534898774),
                Minimum(-0.08984201310031806, 0.7126564030207396, -1.0316284534898774),
                Minimum(-1.7036067149699807, 0.7960835686726252, -0.21546382438371725, "local"),
                Minimum(1.7036067149699807, -0.7960835686726252, -0.21546382438371725, "local"),
                Minimum(-1.6071047529201974, -0.5686514548841314, 2.1042503103112584, "local"),
                Minimum(1.6071047529201974, 0.5686514548841314, 2.1042503103112584, "local"),
            ),
            (-2.0, 1.5),
            r"f(x,y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
            "Two global and four local minima in a small box.",
            formula="(4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2",
        ),
        analytic(
            "ackley",
            "Ackley",
            ((-5.0, 5.0), (-5.0, 5.0)),
            _ORIGIN,
            (3.2, 2.7),
            r"f(x,y) = -20e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x+\cos 2\pi y)/2} + e + 20",
            "A nearly flat, rippled plain around one deep funnel.",
            formula=(
                "-20 * exp(-0.2 * where(x ** 2 + y ** 2 > 0, sqrt(0.5 * where(x ** 2 + y ** 2 > "
                "0, x ** 2 + y ** 2, 1.0)), 0.0)) - exp(0.5 * (cos(2 * pi * x) + cos(2 * pi * "
                "y))) + e + 20"
            ),
        ),
        analytic(
            "booth",
            "Booth",
            ((-10.0, 10.0), (-10.0, 10.0)),
            fixed(Minimum(1.0, 3.0, 0.0)),
            (-8.0, 8.0),
            r"f(x,y) = (x+2y-7)^2 + (2x+y-5)^2",
            "A tilted, mildly ill-conditioned bowl (condition number 9).",
            formula="(x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2",
        ),
        *DATA_SURFACES,
    )
}
