"""The built-in analytic surfaces, checked against their published definitions.

Definitions follow Surjanovic & Bingham, *Virtual Library of Simulation Experiments*
(sfu.ca/~ssurjano), and Jamil & Yang, "A literature survey of benchmark functions for
global optimization problems" (2013). Minima were refined with Newton's method in
float64; tests check that the gradient vanishes there.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from surfaces.core import Minimum, Param, Surface, fixed
from surfaces.models import DATA_SURFACES


def rosenbrock(x, y, a=1.0, b=100.0):
    r"""Rosenbrock's banana valley: :math:`(a-x)^2 + b\,(y-x^2)^2`."""
    return (a - x) ** 2 + b * (y - x**2) ** 2


def beale(x, y):
    r""":math:`(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2`."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def saddle(x, y, c=0.1):
    r""":math:`x^2 - y^2 + c\,y^4`: a saddle at the origin, bounded below when c > 0."""
    return x**2 - y**2 + c * y**4


def monkey_saddle(x, y):
    r""":math:`x^3 - 3xy^2`: a degenerate saddle with three descending valleys."""
    return x**3 - 3 * x * y**2


def quadratic(x, y, kappa=10.0, h=1.0, sigma=0.0, angle=0.0):
    r""":math:`\tfrac12(h_1u^2 + h_2v^2)` with :math:`h_1 = h`, :math:`h_2 = h/\kappa` and
    :math:`(u, v)` the point rotated by ``-angle`` degrees: the steep axis points along
    :math:`(\cos\alpha, \sin\alpha)` (at angle 0, :math:`u = x`, :math:`v = y` exactly).

    ``sigma`` is the gradient-noise level of ``noisy_quadratic``: noise enters the
    gradient the optimizer sees, never the loss itself.
    """
    del sigma
    a = jnp.deg2rad(angle)
    c, s = jnp.cos(a), jnp.sin(a)
    u, v = c * x + s * y, c * y - s * x
    return 0.5 * (h * u**2 + (h / kappa) * v**2)


def himmelblau(x, y):
    r""":math:`(x^2+y-11)^2 + (x+y^2-7)^2`."""
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def rastrigin(x, y):
    r""":math:`20 + \sum_{u\in\{x,y\}} \left(u^2 - 10\cos 2\pi u\right)`."""
    return 20 + x**2 - 10 * jnp.cos(2 * jnp.pi * x) + y**2 - 10 * jnp.cos(2 * jnp.pi * y)


def six_hump_camel(x, y):
    r""":math:`(4 - 2.1x^2 + x^4/3)\,x^2 + xy + (-4 + 4y^2)\,y^2`."""
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def ackley(x, y):
    r""":math:`-20e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20`.

    The square root has a cone tip at the origin; it is written so that ``jax.grad``
    returns the zero subgradient there instead of NaN (the "double where" pattern).
    """
    r2 = 0.5 * (x**2 + y**2)
    positive = r2 > 0
    r = jnp.where(positive, jnp.sqrt(jnp.where(positive, r2, 1.0)), 0.0)
    waves = 0.5 * (jnp.cos(2 * jnp.pi * x) + jnp.cos(2 * jnp.pi * y))
    return -20 * jnp.exp(-0.2 * r) - jnp.exp(waves) + jnp.e + 20


def booth(x, y):
    r""":math:`(x+2y-7)^2 + (2x+y-5)^2`."""
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


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

# `quadratic` as text (its steep axis turned by `angle` degrees), for both quadratics.
_QUADRATIC = (
    "0.5 * (h * (cos(angle * pi / 180) * x + sin(angle * pi / 180) * y) ** 2"
    " + (h / kappa) * (cos(angle * pi / 180) * y - sin(angle * pi / 180) * x) ** 2)"
)

SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            "rosenbrock",
            "Rosenbrock",
            rosenbrock,
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
        Surface(
            "beale",
            "Beale",
            beale,
            ((-4.5, 4.5), (-4.5, 4.5)),
            fixed(Minimum(3.0, 0.5, 0.0)),
            (-1.0, 1.5),
            r"f(x,y) = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
            "Flat plateaus and sharp ridges: gradient sizes differ by orders of magnitude.",
            formula="(1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2",
        ),
        Surface(
            "saddle",
            "Saddle",
            saddle,
            ((-2.0, 2.0), (-3.0, 3.0)),
            _saddle_minima,
            (-1.5, 0.0),
            r"f(x,y) = x^2 - y^2 + c\,y^4",
            "Started on the x axis, gradient descent walks into the saddle point and stalls.",
            (Param("c", 0.1, 0.0, 1.0, help="quartic term bounding the surface below (0: none)"),),
            formula="x ** 2 - y ** 2 + c * y ** 4",
        ),
        Surface(
            "monkey_saddle",
            "Monkey saddle",
            monkey_saddle,
            ((-2.0, 2.0), (-2.0, 2.0)),
            fixed(),
            (0.5, 0.05),
            r"f(x,y) = x^3 - 3xy^2",
            "A flat degenerate saddle with three downhill valleys: no minimum at all.",
            formula="x ** 3 - 3 * x * y ** 2",
        ),
        Surface(
            "quadratic",
            "Quadratic bowl",
            quadratic,
            ((-2.0, 2.0), (-2.0, 2.0)),
            _ORIGIN,
            (-1.5, 1.5),
            r"f(x,y) = \tfrac12\left(h\,u^2 + \tfrac{h}{\kappa}\,v^2\right),\;"
            r"\binom{u}{v} = \begin{pmatrix}\cos\alpha & \sin\alpha\\ -\sin\alpha & \cos\alpha\end{pmatrix}\binom{x}{y}",
            "Stability is exact here: gradient descent converges iff lr·h < 2.",
            (_KAPPA, _H, _ANGLE),
            formula=_QUADRATIC,
        ),
        Surface(
            "noisy_quadratic",
            "Noisy quadratic",
            quadratic,
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
        Surface(
            "himmelblau",
            "Himmelblau",
            himmelblau,
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
        Surface(
            "rastrigin",
            "Rastrigin",
            rastrigin,
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
        Surface(
            "six_hump_camel",
            "Six-hump camel",
            six_hump_camel,
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
        Surface(
            "ackley",
            "Ackley",
            ackley,
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
        Surface(
            "booth",
            "Booth",
            booth,
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
