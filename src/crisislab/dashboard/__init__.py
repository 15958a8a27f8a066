"""The interactive dashboard: a local Streamlit app over the Python API.

`crisislab dashboard` starts it (see `launch.py`); the page is `app.py`; the pure logic behind the
page (levers derived from a scenario, caps, tables, trajectory summaries) is in `state.py` and the
figures are in `charts.py`, so both are tested without a browser.
"""
