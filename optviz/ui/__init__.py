"""The UI behind app.py: `state` (widgets ⇄ Scenario and View, pure, no Streamlit),
`sidebar` (the sidebar's layout), `actions` (the callbacks: links, presets, runs, clicks that
set an lr or the start), `widgets` (an lr row and parameter boxes, drawn by the sidebar and
app.py) and `panels` (Share, Export, gallery, sweep, basins, summary)."""
