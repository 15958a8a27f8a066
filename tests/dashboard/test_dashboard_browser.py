"""The dashboard in a real browser: a Streamlit server on a free localhost port, driven by
headless Chromium through Playwright.

Needs Debian's Chromium at /usr/bin/chromium (CI installs it); skipped with a reason otherwise.
Screenshots go to tests/dashboard/artifacts/ (not tracked).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crisislab.dashboard.launch import stop, streamlit_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
FIXTURES = HERE / "fixtures"
START_TIMEOUT_S = 120  # generous: CI machines may be busy
STEP_TIMEOUT_MS = 150_000
VIEWPORT = {"width": 1280, "height": 860}
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Chromium at /usr/bin/chromium "
        "(apt-get install chromium; CI installs it)",
    ),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the dashboard exited with {process.returncode}:\n{log.read_text()}")
        try:
            with DIRECT.open(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)  # not serving yet: poll again until the deadline
            continue
        time.sleep(0.25)
    pytest.fail(f"the dashboard did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The dashboard served on a free localhost port; stopped however the tests end."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    log = ARTIFACTS / f"server-{port}.log"
    env = {
        **os.environ,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            streamlit_command("127.0.0.1", port),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=HERE,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_serving(url, process, log)
        yield url
    finally:
        stop(process)
        log.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(server)
    page.get_by_role("button", name="Run simulation").wait_for()
    try:
        yield page
    finally:
        context.close()


def _shot(page, name: str) -> None:
    """A screenshot of the visible page (one viewport, CSS pixels) for a person to look at."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), scale="css")


def _top(locator) -> None:
    """Scroll the page so this element is at the top of the view."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")


def _idle(page) -> None:
    """Wait until Streamlit has finished rerunning the script."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def _open_tab(page, name: str, shows) -> None:
    """Open a tab and wait until `shows` is visible in it.

    A click that lands while the script is rerunning can be lost when the tabs are drawn
    again, so the click is repeated until the tab holds the expected element.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab = page.get_by_role("tab", name=name)
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while True:
        _idle(page)
        tab.click()
        try:
            shows.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise


def test_choose_change_run_and_read_a_story(page):
    page.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="us-iran-2020").click()
    doctrine = page.get_by_role("radiogroup", name="USA doctrine")
    doctrine.wait_for()
    runs = page.get_by_label("Runs", exact=True)
    runs.fill("1500")
    runs.press("Enter")
    _idle(page)
    doctrine.get_by_text("proportional").click()
    page.get_by_text("actors.USA.doctrine=proportional").wait_for()
    _idle(page)
    page.get_by_role("button", name="Run simulation").click()
    chart = page.get_by_role("img", name="Outcome probabilities with 95% intervals")
    chart.wait_for()
    main = page.get_by_test_id("stMainBlockContainer")
    assert "1,500 runs" in main.inner_text()
    # the outcome table by its content: the page may draw its tables in any order
    table = page.get_by_test_id("stTable").filter(has_text="stable de-escalation").first
    table.wait_for()
    assert "war" in table.inner_text() and "frozen conflict" in table.inner_text()
    _shot(page, "1-outcomes")

    _open_tab(
        page,
        "Violence and endings",
        page.get_by_role("img", name="Shares of runs by the highest violence level reached"),
    )
    page.get_by_role("img", name="How the first crisis ends, day by day").wait_for()
    levels = page.get_by_test_id("stTable").filter(has_text="highest violence level").first
    assert "serious clashes" in levels.inner_text() and "full-scale war" in levels.inner_text()
    ending = page.get_by_test_id("stTable").filter(has_text="crisis ended by the horizon").first
    assert "ended imposed" in ending.inner_text() and "recurred" in ending.inner_text()
    _top(page.get_by_role("tablist"))
    _shot(page, "1b-violence-and-endings")

    fan = page.get_by_role("img", name="Fan charts of true and perceived escalation")
    _open_tab(page, "Escalation and beliefs", fan)
    page.get_by_role(
        "img", name="Belief trajectories split by the other side's true resolve"
    ).wait_for()
    _top(page.get_by_role("tablist"))
    _shot(page, "2-escalation-and-beliefs")

    number = page.get_by_label("Run number (0 … 1,499)", exact=True)
    _open_tab(page, "Story of a run", number)
    number.fill("3")
    number.press("Enter")
    page.get_by_text("Run 3 of us-iran-2020 (seed 1).").wait_for()
    story = page.locator(".st-key-story")
    story.get_by_text("Outcome:").wait_for()
    assert "2020-01-08 (day 0)" in story.inner_text()
    _top(page.get_by_role("tablist"))
    _shot(page, "3-story")


def test_compare_two_doctrines_run_by_run(page):
    page.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="us-iran-2020").click()
    page.get_by_role("radiogroup", name="USA doctrine").wait_for()
    runs = page.get_by_label("Runs", exact=True)
    runs.fill("1000")
    runs.press("Enter")
    _idle(page)
    second = page.get_by_role("radiogroup", name="Policy B: USA doctrine")
    _open_tab(page, "Compare two policies", second)
    for doctrine in ("restraint", "targeted", "gtft", "proportional", "retaliatory", "strategic"):
        second.get_by_text(doctrine, exact=True).wait_for()
    second.get_by_text("retaliatory", exact=True).click()
    _idle(page)
    page.get_by_role("button", name="Compare policies").click()
    paired = page.get_by_test_id("stTable").filter(has_text="B − A, same runs").first
    paired.wait_for()
    text = paired.inner_text()
    assert "A: restraint" in text and "B: retaliatory" in text
    assert "P(war)" in text and "highest level: full-scale war" in text and " pp [" in text
    page.get_by_role("img", name="Highest violence level under the two policies").wait_for()
    _top(paired)
    _shot(page, "6-compare-run-by-run")


def test_bad_upload_shows_every_problem(page):
    page.get_by_role("radiogroup", name="Source").get_by_text("upload a YAML file").click()
    page.locator("input[type=file]").set_input_files(str(FIXTURES / "bad-scenario.yaml"))
    alert = page.get_by_test_id("stAlert").filter(has_text="This scenario file is not valid")
    alert.wait_for()
    text = alert.inner_text()
    assert "(3 problems)" in text
    assert "bad-scenario.yaml:10:5: actors.NORTH.doctrine: Input should be" in text
    assert "bad-scenario.yaml:20:5: actors.BAND.control:" in text
    assert "bad-scenario.yaml:23:11: channel.kind:" in text
    _shot(page, "4-bad-upload")


def test_markdown_in_an_uploaded_scenario_fetches_nothing_and_shows_as_written(page):
    """Images, links and HTML in a scenario's title, description and names are shown as text:
    the browser makes no request to the address they name and the page holds no such element."""
    from crisislab.dashboard.state import WORD_JOINER
    from crisislab.scenario.loader import load_scenario

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.route("**/*tracker.invalid*", lambda route: route.abort())
    page.get_by_role("radiogroup", name="Source").get_by_text("upload a YAML file").click()
    page.locator("input[type=file]").set_input_files(str(FIXTURES / "injection.yaml"))
    page.get_by_role("button", name="Run simulation").wait_for()
    page.get_by_text("About this scenario").click()
    runs = page.get_by_label("Runs", exact=True)
    runs.fill("400")
    runs.press("Enter")
    _idle(page)
    page.get_by_role("button", name="Run simulation").click()
    page.get_by_role("img", name="Outcome probabilities with 95% intervals").wait_for()
    _open_tab(page, "Story of a run", page.locator(".st-key-story").get_by_text("Outcome:"))
    _idle(page)

    scenario = load_scenario(FIXTURES / "injection.yaml")
    text = page.locator("body").inner_text().replace(WORD_JOINER, "")
    assert scenario.title in text
    for line in scenario.description.strip().splitlines():
        assert line in text
    assert scenario.actors["SOUTH"].name in text
    assert scenario.actions["band_attack"].label in text  # in the story
    found = page.locator("[src*='tracker.invalid'], [href*='tracker.invalid'], [srcset*='tracker']")
    assert found.count() == 0, found.evaluate_all("es => es.map(e => e.outerHTML)")
    assert [url for url in requested if "tracker" in url] == []
    _top(page.get_by_test_id("stMainBlockContainer"))
    _shot(page, "5-upload-with-markdown")
