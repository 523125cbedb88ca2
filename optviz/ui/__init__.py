"""The UI behind app.py: `state` (widgets ⇄ Scenario and View, pure, no Streamlit), `controls`
(the sidebar and its callbacks) and `panels` (Share, Export, gallery, sweep, basins, summary)."""
