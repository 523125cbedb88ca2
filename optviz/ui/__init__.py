"""Pure helpers behind app.py: widget state ⇄ Scenario. No Streamlit imports here."""
