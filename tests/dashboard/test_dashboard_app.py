"""The dashboard page run headlessly by Streamlit's app tester: widgets, run, story, compare,
upload. No browser is needed (the browser test is test_dashboard_browser.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from crisislab.cli import DOCTRINES
from crisislab.dashboard.launch import APP
from crisislab.dashboard.state import WORD_JOINER
from crisislab.scenario.loader import load_scenario

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 60

# What the page renders as Markdown: the body of every element but plain text and code, and the
# label, help and options of every widget, expander and tab.
MARKDOWN_FIELDS = {"body", "label", "help", "options", "placeholder"}
PLAIN_ELEMENTS = {"text", "code"}
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# what Streamlit's GitHub-flavoured Markdown makes a link in the text left once Markdown is parsed
BARE_ADDRESS = re.compile(r"(?i)https?://|www(?=\.)|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    return at.run()


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _unescaped(text: str) -> str:
    return text.replace("\\", "").replace(WORD_JOINER, "")


def _strings(message: Any) -> Iterator[str]:
    for field, value in message.ListFields():
        items = [value] if isinstance(value, str) or hasattr(value, "ListFields") else value
        if field.type == field.TYPE_MESSAGE:
            for item in items:
                yield from _strings(item)
        elif field.type == field.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            yield from items


def _markdown_sources(node: Any) -> Iterator[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    proto = getattr(node, "proto", None)
    if proto is not None and getattr(node, "type", None) not in PLAIN_ELEMENTS:
        yield from _strings(proto)
    for child in getattr(node, "children", {}).values():
        yield from _markdown_sources(child)


def _rendered_links(source: str) -> list[str]:
    """The images, links, HTML and bare addresses the page would make of this Markdown."""
    found = []
    stack = list(MARKDOWN.parse(source))
    while stack:
        token = stack.pop()
        stack.extend(token.children or [])
        if token.type in ("image", "link_open", "html_inline", "html_block", "autolink_open"):
            found.append(f"{token.type}: {token.attrs or token.content}")
        elif token.type == "text" and BARE_ADDRESS.search(token.content):
            found.append(f"bare address: {token.content}")
    return found


def _shown(source: str) -> str:
    """The text a reader sees of this Markdown."""
    rendered = re.sub(r"<[^>]+>", "", MARKDOWN.render(source))
    return html.unescape(rendered).replace(WORD_JOINER, "").strip()


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
    assert len(at.table) >= 5  # outcomes, mechanisms, metrics; violence levels, endings
    tables = [t.value for t in at.table]
    violence = next(t for t in tables if "highest violence level" in t.columns)
    assert list(violence["highest violence level"]) == [
        "no violence",
        "minor clashes",
        "serious clashes",
        "full-scale war",
    ]
    ending = next(t for t in tables if "crisis ended by the horizon" in set(t.iloc[:, 0]))
    assert "ended imposed (a war's ceasefire)" in set(ending["measure"])
    assert [t.label for t in at.tabs][1] == "Violence and endings"
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
    # every doctrine of version 2 can be chosen
    assert list(at.radio(key="builtin:us-iran-2020|compare0").options) == list(DOCTRINES)
    # B − A over the same runs, with paired intervals, outcomes to endings
    paired = next(t.value for t in at.table if "B − A, same runs [95% CI]" in t.value.columns)
    assert list(paired.columns[1:3]) == ["A: restraint", "B: retaliatory"]
    measures = list(paired["measure"])
    for measure in ("P(war)", "highest level: serious clashes", "crisis ended by the horizon",
                    "recurred"):  # fmt: skip
        assert measure in measures
    assert all("[" in v for v in paired["B − A, same runs [95% CI]"])
    assert "same runs" in _markdown(at)


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
    sliders = [_unescaped(s.label) for s in at.slider]
    assert "control of Border militia (BAND) by SOUTH" in sliders


def test_markdown_in_an_uploaded_scenario_is_shown_as_plain_text():
    """A scenario's title, description, actor names and action labels may hold Markdown or HTML:
    an image in them would make every viewer's browser fetch a third-party address. The page shows
    them literally: nothing it renders as Markdown makes an image, a link or HTML."""
    at = _app()
    at.radio(key="source").set_value("upload a YAML file").run()
    raw = (FIXTURES / "injection.yaml").read_bytes()
    at.file_uploader(key="upload").upload("injection.yaml", raw, "application/yaml").run()
    assert not at.exception and not at.error
    at.number_input(key="runs").set_value(400).run()
    at.button(key="run").click().run()
    assert not at.exception
    scenario = load_scenario(FIXTURES / "injection.yaml")
    sources = list(_markdown_sources(at._tree))
    assert any("tracker" in s for s in sources)  # the names are on the page, in Markdown
    found = {s: links for s in sources if (links := _rendered_links(s))}
    assert not found
    # ... and each one is shown as written
    assert _shown(at.subheader[0].value) == scenario.title
    assert [t.value for t in at.text] == [scenario.description.strip()]  # plain text
    shown = {_shown(s) for s in sources}
    north, south = scenario.actors["NORTH"].name, scenario.actors["SOUTH"].name
    assert f"Defender: {north} (NORTH)" in shown
    assert f"Challenger: {south} (SOUTH)" in shown
    assert f"control of {scenario.actors['BAND'].name} (BAND) by SOUTH" in shown
    assert f"control of {scenario.actors['GUARD'].name} (GUARD) by SOUTH" in shown
    story = "\n".join(_shown(m.value) for m in at.markdown)
    assert scenario.actions["band_attack"].label in story  # the story names the action as written
