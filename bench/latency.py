"""Input → drawn in a real browser, split where the time goes.

An init script wraps the page's WebSocket (arrival time and size of every message, and
whether it carries the map component) and notes each key press; the map's own User Timing
marks (``optviz-map:received``, ``optviz-map:drawn``) and Streamlit's (``notRunning``)
close the split. Per change, from the key press on run 1's log₁₀ lr slider:

- ``request``: the rerun request leaves the browser;
- ``map_message``: the message carrying the map arrives (server: the script's rerun up to
  the map, serialization, loopback transfer);
- ``map_called``: Streamlit's front end hands it to the map's JS (decode, React);
- ``assembled``: the map's JS has built the figure from the parts it holds (`assemble`);
- ``drawn``: plotly.js has drawn it (``Plotly.react``);
- ``idle``: the map is drawn and the script has finished (what a person waits for).
"""

from __future__ import annotations

import statistics

from browser import IDLE  # scripts/browser.py, on sys.path wherever this is imported

INIT = r"""(() => {
  window.__ws = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        const bytes = e.data.byteLength ?? e.data.size ?? e.data.length;
        const text = e.data instanceof ArrayBuffer ? new TextDecoder("latin1").decode(e.data) : "";
        window.__ws.push({ t: performance.now(), bytes, map: text.includes("optviz_map"), out: false });
      });
    }
    send(data) {
      window.__ws.push({ t: performance.now(), bytes: data.byteLength ?? data.length, out: true });
      return super.send(data);
    }
  };
  document.addEventListener("keydown", () => { window.__press = performance.now(); }, true);
})();"""

SPLIT = """() => {
  const press = window.__press, ws = window.__ws, got = ws.filter((m) => !m.out);
  const mark = (name) => { const m = performance.getEntriesByName(name).pop(); return m ? m.startTime - press : null; };
  const at = (m) => (m ? m.t - press : null);
  return { request: at(ws.find((m) => m.out)), map_message: at(got.find((m) => m.map)),
           map_called: mark("optviz-map:received"), assembled: mark("optviz-map:assembled"),
           drawn: mark("optviz-map:drawn"),
           idle: Math.max(mark("optviz-map:drawn"), mark("notRunning")),
           bytes: got.reduce((sum, m) => sum + m.bytes, 0), afterplots: window.__afterplots };
}"""

MAP = ".st-key-map .js-plotly-plot"


def change_split(page, url: str, repeats: int = 7, slider: str = "log₁₀ lr", chart: str = MAP) -> dict:
    """Medians (ms) of each stage over ``repeats`` ArrowRight presses on ``slider``, bytes
    per change, and how many times the element of ``chart`` (the map, or the 3-D view's
    ``.st-key-surface3d .js-plotly-plot``) was replaced or drawn per change."""
    page.add_init_script(INIT)
    page.goto(url)
    page.wait_for_selector(f"{chart}[data-drawn]", timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(1000)
    page.evaluate(f"""() => {{ window.__gd = document.querySelector('{chart}'); window.__afterplots = 0;
        window.__gd.on('plotly_afterplot', () => {{ window.__afterplots += 1; }}); }}""")
    thumb = page.locator("[data-testid='stSlider']").filter(has_text=slider).get_by_role("slider").first
    rows = []
    for _ in range(repeats):
        drawn = page.evaluate(f"() => document.querySelector('{chart}').dataset.drawn")
        page.evaluate("() => { window.__ws = []; window.__afterplots = 0; performance.clearMarks(); }")
        thumb.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"(d) => document.querySelector('{chart}').dataset.drawn !== d", arg=drawn)
        page.wait_for_selector(IDLE)
        page.wait_for_timeout(300)  # late messages still count
        rows.append(page.evaluate(SPLIT))
    stages = ("request", "map_message", "map_called", "assembled", "drawn", "idle")
    out = {s: statistics.median(r[s] for r in rows if r[s] is not None) for s in stages}
    out["bytes"] = statistics.median(r["bytes"] for r in rows)
    out["draws_per_change"] = statistics.median(r["afterplots"] for r in rows)
    out["replaced"] = not page.evaluate(f"() => document.querySelector('{chart}') === window.__gd")
    return out
