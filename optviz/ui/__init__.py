"""The UI behind app.py: `state` (widgets ⇄ Scenario, pure, no Streamlit) and `controls` (the sidebar)."""
