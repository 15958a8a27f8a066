"""The dashboard page run headlessly by Streamlit's app tester: widgets, run, story, compare,
upload. No browser is needed (the browser test is test_dashboard_browser.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from crisislab.dashboard.launch import APP

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 60


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    return at.run()


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_page_opens_with_a_builtin_scenario():
    at = _app()
    assert not at.exception
    assert at.title[0].value == "crisislab dashboard"
    assert at.radio(key="source").value == "built-in scenario"
    assert at.selectbox(key="builtin").options  # the built-in scenarios
    assert at.button(key="run").label == "Run simulation"
    assert any("press **Run simulation**" in i.value for i in at.info)


def test_run_with_a_changed_lever_then_read_a_story():
    at = _app()
    at.selectbox(key="builtin").set_value("us-iran-2020").run()
    at.number_input(key="runs").set_value(800).run()
    at.radio(key="builtin:us-iran-2020|actors.USA.doctrine").set_value("proportional").run()
    assert "actors.USA.doctrine=proportional" in _markdown(at).replace("\\", "")
    at.button(key="run").click().run()
    assert not at.exception
    record = at.session_state["record"]
    assert record.result.n_runs == 800
    assert record.overrides == {"actors.USA.doctrine": "proportional"}
    assert len(at.table) >= 3  # outcomes, mechanisms, metrics
    at.number_input(key="story_run").set_value(3).run()
    text = _markdown(at).replace("\\", "")
    assert "Run 3 of us-iran-2020 (seed 1)." in text
    assert "Outcome:" in text
    # the settings changed: the page says so rather than showing stale numbers silently
    at.radio(key="builtin:us-iran-2020|channel.kind").set_value("hotline").run()
    assert any("settings have changed" in w.value for w in at.warning)


def test_compare_two_policies():
    at = _app()
    at.selectbox(key="builtin").set_value("us-iran-2020").run()
    at.number_input(key="runs").set_value(600).run()
    at.radio(key="builtin:us-iran-2020|compare1").set_value("retaliatory").run()
    at.button(key="compare").click().run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == [
        "Policy A (restraint): P(war)",
        "Policy B (retaliatory): P(war)",
    ]


def test_upload_of_a_bad_file_lists_every_problem():
    at = _app()
    at.radio(key="source").set_value("upload a YAML file").run()
    raw = (FIXTURES / "bad-scenario.yaml").read_bytes()
    at.file_uploader(key="upload").upload("bad-scenario.yaml", raw, "application/yaml").run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert "This scenario file is not valid** (3 problems)" in message
    assert "bad-scenario.yaml:10:5: actors.NORTH.doctrine: Input should be" in message
    assert "bad-scenario.yaml:20:5: actors.BAND.control:" in message
    assert "bad-scenario.yaml:23:11: channel.kind:" in message


def test_upload_of_a_good_file_offers_its_own_levers():
    at = _app()
    at.radio(key="source").set_value("upload a YAML file").run()
    raw = (FIXTURES / "north-south.yaml").read_bytes()
    at.file_uploader(key="upload").upload("north-south.yaml", raw, "application/yaml").run()
    assert not at.exception
    assert not at.error
    labels = [r.label for r in at.radio]
    assert "NORTH doctrine" in labels and "SOUTH doctrine" in labels
    sliders = [s.label for s in at.slider]
    assert "control of Border militia (BAND) by SOUTH" in sliders
