"""The 2-D map in the browser: a Streamlit custom component (components v2) that keeps one
plotly.js graph across reruns and redraws it in place with ``Plotly.react``.

- `message`: the map's parts (`optviz.figures.trajectory.MapParts`) as content-addressed
  JSON parts, and the message that sends only the parts the page does not hold yet
  (pure; `tests/map_client.py` replays what the page does, for the tests).
- `assets`: plotly.js's basic bundle (``vendor/``), copied into ``static/``
  (served at ``/app/static/`` by ``server.enableStaticServing``) and loaded once per page.
- `component`: the Streamlit mount (UI layer); ``map.js`` beside it draws.
"""
