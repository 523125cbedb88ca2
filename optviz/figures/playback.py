"""Play, Pause, slower Plays and the step scrubber: the animation controls that plotly.js
draws for the 2-D map and the 3-D view. ``redraw``: each frame redraws the whole plot
(3-D), where the map's frames move only their own traces."""

from __future__ import annotations

from optviz.figures.frames import scrubber_steps

# Pause between frames in ms. Drawing a frame takes 25-35 ms in software-rendered
# Chromium (6 runs), so 1× is as fast as the browser draws (bench/app.py measures it).
SPEEDS = {"¼×": 120, "½×": 50, "1×": 4}


def _play(duration: int, redraw: bool = False) -> dict:
    return {
        "frame": {"duration": duration, "redraw": redraw},
        "fromcurrent": True,
        "transition": {"duration": 0},
        "mode": "immediate",
    }


def play_buttons(*, redraw: bool = False) -> dict:
    """Play, Pause and slower Plays; ``redraw``: each frame redraws the whole plot (3-D)."""
    buttons = [
        {"label": "▶ Play", "method": "animate", "args": [None, _play(SPEEDS["1×"], redraw)]},
        {
            "label": "Pause",
            "method": "animate",
            "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
        },
    ]
    buttons += [
        {"label": f"▶ {s}", "method": "animate", "args": [None, _play(ms, redraw)]}
        for s, ms in SPEEDS.items()
        if s != "1×"
    ]
    return {
        "type": "buttons",
        "direction": "left",
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"r": 4, "t": 0},
        "showactive": False,
        "buttons": buttons,
    }


def scrubber(steps: int, *, redraw: bool = False) -> dict:
    """The step scrubber: a stop at each of `scrubber_steps`, each showing its frame."""
    return {
        "active": 0,
        "yanchor": "top",
        "pad": {"t": 0},
        "currentvalue": {"prefix": "step ", "visible": True},
        "steps": [
            {
                "label": str(k),
                "method": "animate",
                "args": [
                    [str(k)],
                    {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate", "transition": {"duration": 0}},
                ],
            }
            for k in scrubber_steps(steps).tolist()
        ],
    }
