"""`crisislab report`: one self-contained HTML file from a scenario, a replay or a fork JSON."""

from __future__ import annotations

import base64
import dataclasses
import html
import importlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crisislab.cli import DOCTRINES, main
from crisislab.experiments.claims import CLAIMS
from crisislab.report.comparison import compare_doctrines
from crisislab.report.pages import comparison_page
from crisislab.scenario.loader import load_scenario
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.simulate import simulate, story

CLAIMS_MODULE = importlib.import_module("crisislab.experiments.claims")  # not the function
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}
SVG_IMG = '<img src="data:image/svg+xml;base64,'
# outcomes, share at war, violence levels, first crises' ends, true and perceived fans, beliefs,
# events, war kinds, fronts
COMPARISON_FIGURES = 10
PAIRED_TABLE = '<table class="paired">'


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


class Checker(HTMLParser):
    """Parses a page, checking that every element is closed in order and nothing is fetched."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.sources += [v or "" for k, v in attrs if k in ("src", "href")]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def parse(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == [], f"unclosed elements: {checker.stack}"
    return checker


def assert_self_contained(page: str) -> Checker:
    checker = parse(page)
    for needle in ('src="http', 'href="http', "<script", "<link", "@import", "url("):
        assert needle not in page, needle
    assert all(s.startswith(("data:", "#")) for s in checker.sources), checker.sources
    for data in re.findall(re.escape(SVG_IMG) + r'([A-Za-z0-9+/=]+)"', page):
        svg = base64.b64decode(data)
        assert b"<svg" in svg and b"http://www.w3.org" in svg  # a namespace, never fetched
        assert not re.search(rb'(href|src)="https?://', svg)
    return checker


@pytest.fixture(scope="module")
def scenario_report(tmp_path_factory) -> tuple[Path, str, str]:
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "report.html"
    with pytest.raises(SystemExit) as exit_:
        main(["report", "us-iran-2020", "-o", str(path), "--runs", "1024", "--days", "60",
              "--seed", "1"])  # fmt: skip
    assert exit_.value.code == 0
    return folder, path.read_text(encoding="utf-8"), "us-iran-2020"


def test_scenario_report_is_one_self_contained_file(scenario_report):
    folder, page, _ = scenario_report
    assert [p.name for p in folder.iterdir()] == ["report.html"]  # no temporary file left
    checker = assert_self_contained(page)
    assert {"html", "head", "title", "style", "body", "h1", "table", "figure"} <= set(checker.tags)
    for fact in ("us-iran-2020", "starts 2020-01-08, 60 days", "1,024", "actors.USA.doctrine"):
        assert fact in page


def test_scenario_report_has_the_outcome_table_and_one_figure_per_chart(scenario_report):
    _, page, _ = scenario_report
    for header in ("P(stable deescalation) [95% CI]", "P(frozen conflict) [95% CI]",
                   "P(war) [95% CI]"):  # fmt: skip
        assert html.escape(header) in page
    for doctrine in DOCTRINES:
        assert f'<th scope="row">{doctrine}</th>' in page
    assert page.count(SVG_IMG) == COMPARISON_FIGURES
    for section in ("outcomes", "ending", "escalation", "beliefs", "events", "wars", "fronts",
                    "stories"):  # fmt: skip
        assert f'<section id="{section}">' in page
    assert "spiral" in page and "deterrence failure" in page and "inadvertent" in page
    assert "P(host expulsion) [95% CI]" in page and "maritime incidents per run" in page
    assert "takes no act until a ceasefire" in page


def section_of(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start : page.index("</section>", start)]


def tables_of(part: str) -> list[str]:
    return re.findall(r"<table[^>]*>.*?</table>", part, flags=re.S)


def row_names(table: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def col_names(table: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<th scope="col">([^<]*)</th>', table)]


def test_every_doctrine_is_in_every_table_of_doctrines(scenario_report):
    """Six doctrines: each table of policies has a row for each (its paired table for each but
    the first, against which the others are read)."""
    _, page, _ = scenario_report
    assert len(DOCTRINES) == 6
    assert f"actors.USA.doctrine = {', '.join(DOCTRINES)}" in page
    for anchor in ("outcomes", "ending", "wars", "fronts"):
        for table in tables_of(section_of(page, anchor)):
            names = row_names(table)
            if table.startswith(PAIRED_TABLE):
                assert names == list(DOCTRINES[1:]), (anchor, names)
            else:
                assert names == list(DOCTRINES), (anchor, names)


def test_scenario_report_shows_violence_levels_and_how_crises_end(scenario_report):
    _, page, _ = scenario_report
    assert '<a href="#ending">How violent, how they end</a>' in page
    part = section_of(page, "ending")
    tables = tables_of(part)
    levels = ["no violence", "minor clashes", "serious clashes", "full-scale war"]
    violence = next(t for t in tables if col_names(t) == ["policy", *levels])
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", violence):
        shares = [float(v) for v in re.findall(r'<td class="num">([0-9.]+)</td>', row)]
        assert len(shares) == 4 and sum(shares) == pytest.approx(1.0, abs=0.003)
    ending = next(t for t in tables if "crisis ended by the horizon" in col_names(t))
    for header in ("median days of the first crisis", "ended tacitly", "ended by agreement",
                   "ended imposed (ceasefire)", "recurred", "recurrences per run"):  # fmt: skip
        assert header in col_names(ending)
    # the definitions the numbers rest on, read from the scenario, not version 1's rules
    outcomes = load_scenario("us-iran-2020").outcomes
    assert "1,000 battle deaths" in part
    assert f"for {outcomes.end_quiet_days} days in a row" in part
    assert "International Crisis Behavior" in part and "recurs" in part
    # two figures: the highest level per policy, and how the first crisis ends day by day
    assert part.count(SVG_IMG) == 2
    assert 'alt="Stacked bar chart of the highest ICB violence level reached' in part
    assert "competing risks" in part


def test_scenario_report_shows_paired_differences_against_the_first_doctrine(scenario_report):
    _, page, _ = scenario_report
    first = DOCTRINES[0]
    for anchor, header in (
        ("outcomes", "Δ P(war) [95% CI]"),
        ("outcomes", "Δ misperceptions per run [95% CI]"),
        ("ending", "Δ full-scale war [95% CI]"),
        ("ending", "Δ recurred [95% CI]"),
        ("wars", "Δ spiral [95% CI]"),
        ("fronts", "Δ P(host expulsion) [95% CI]"),
    ):
        paired = [t for t in tables_of(section_of(page, anchor)) if t.startswith(PAIRED_TABLE)]
        table = next(t for t in paired if header in col_names(t))
        assert f"Paired differences against {first}" in table
        assert "1,024 runs and seed" in table and "common random numbers" in table
        cells = re.findall(r'<td class="num">([^<]*)</td>', table)
        assert cells and all(re.fullmatch(r"[+-]\d\.\d{3} \[[+-]\d\.\d{3},\xa0[+-]\d\.\d{3}\]", c)
                             for c in cells), cells  # fmt: skip
    assert "paired 95% t intervals" in section_of(page, "about")


def test_scenario_report_speaks_of_version_2(scenario_report):
    """No version-1 wording: war is ICB's full-scale war, limited is a resolve below ½, runs at
    war are not simply frozen for good, and no stable-window rule decides an outcome (the
    narrated runs are left out: their text is the story's)."""
    _, page, _ = scenario_report
    told = section_of(page, "stories")  # the narration is the story's own text, not the page's
    text = html.unescape(re.sub(r'src="data:[^"]+"', "", page.replace(told, ""))).lower()
    for old in ("hidden type", "not yet at war", "runs at war are frozen", "three exchanges",
                "wants no war", "stable window", "was aggressive)"):  # fmt: skip
        assert old not in text, old
    assert "resolve was below ½" in text and "full-scale war" in text
    assert "stable de-escalation: no war, and the crisis ended by the horizon" in text


def test_scenario_report_narrates_the_first_run_of_each_outcome_escaped(scenario_report):
    _, page, name = scenario_report
    # the first run of each outcome that occurred is told; an outcome that did not is said
    levers = {"days": 60, "actors.USA.doctrine": "restraint"}
    occurred = set(simulate(name, 1024, 1, levers).runs["outcome"].astype(str))
    labels = {o: o.replace("_", " ").capitalize() for o in OUTCOMES}
    for o in set(OUTCOMES) - occurred:
        assert f"No run ended in {o.replace('_', ' ')}." in page
    runs = {
        o: int(m) for o, m in re.findall(r"<summary>(\w[\w ]*): run (\d+) under restraint", page)
    }
    assert set(runs) == {labels[o] for o in occurred}
    for k in runs.values():
        told = story(name, k, 1, {"days": 60, "actors.USA.doctrine": "restraint"})
        for line in told.lines():
            assert f"<li>{html.escape(line)}</li>" in page
    assert "&#x27;" in page  # apostrophes in the narration are escaped


def claims_section(page: str) -> str:
    start = page.index('<section id="claims">')
    return page[start : page.index("</section>", start)]


def test_scenario_report_holds_the_analysis_s_claims_escaped(scenario_report):
    _, page, _ = scenario_report
    assert '<a href="#claims">The analysis&#x27;s claims</a>' in page
    part = claims_section(page)
    assert "1,024 runs per setting, 60 days, seed 1" in part
    for header in ("Δ P(war) [95% CI]", "Δ P(stable deescalation) [95% CI]", "verdict"):
        assert f'<th scope="col">{header}</th>' in part
    for claim in CLAIMS:
        assert f'<th scope="row">{claim.id}</th>' in part
        assert html.escape(claim.says) in part
    # every row ends in a verdict, or says why the claim was not measured
    verdicts = re.findall(r"<td>([^<]*)</td></tr>", part)
    assert len(verdicts) == len(CLAIMS)
    assert all(
        v in ("as claimed", "against the claim", "no clear effect")
        or v.startswith("not measured: ")
        for v in verdicts
    )
    assert "restraint: actors.USA.doctrine=proportional → actors.USA.doctrine=restraint" in part
    assert "claims rest on simulations of their own: 1,024 runs per setting" in page


def test_claim_text_is_escaped_in_the_report(monkeypatch):
    odd = [
        dataclasses.replace(CLAIMS[0], says="<b>trust</b> & <script>x</script>"),
        dataclasses.replace(CLAIMS[-1], id="<i>late</i>", source="§<0>"),
        dataclasses.replace(CLAIMS[0], id="never", contrast=lambda s: "needs <u>v2</u>"),
    ]
    monkeypatch.setattr(CLAIMS_MODULE, "CLAIMS", tuple(odd))
    comparison = compare_doctrines(
        "us-iran-2020", DOCTRINES[:1], runs=64, seed=0, days=10, claims_runs=64
    )
    page = comparison_page(comparison)
    assert_self_contained(page)
    part = claims_section(page)
    assert "&lt;b&gt;trust&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in part
    assert "&lt;i&gt;late&lt;/i&gt;" in part and "§&lt;0&gt;" in part
    assert "not measured: needs &lt;u&gt;v2&lt;/u&gt;" in part
    for tag in ("<b>", "<script", "<i>", "<u>", "<0>"):
        assert tag not in page


def test_report_from_a_replay_json(capsys, tmp_path):
    code, out, err = cli(capsys, "replay", "us-iran-2019-2020", "--runs", "64", "--json")
    assert code == 0, err
    source = tmp_path / "r.json"
    source.write_text(out)
    target = tmp_path / "replay.html"
    code, _, err = cli(capsys, "report", str(source), "-o", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert_self_contained(page)
    data = json.loads(out)
    assert page.count(SVG_IMG) == 1
    assert "Replay of us-iran-2019-2020 on us-iran-2020" in page
    assert "USA perceived rung" in page and "IRN belief" in page
    days_with_events = [d["date"] for d in data["days"] if d["events"]]
    assert all(f'<th scope="row">{d}</th>' in page for d in days_with_events)
    assert f"Not replayed ({len(data['not_replayed'])})" in page
    assert all(f"<li>{html.escape(p)}</li>" in page for p in data["not_replayed"])


def test_report_from_a_fork_json(capsys, tmp_path):
    code, out, err = cli(
        capsys, "fork", "us-iran-2019-2020", "--at", "2020-01-08", "--runs", "1024",
        "--days", "30", "--json",
    )  # fmt: skip
    assert code == 0, err
    source = tmp_path / "f.json"
    source.write_text(out)
    target = tmp_path / "fork.html"
    code, _, err = cli(capsys, "report", str(source), "-o", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert page.count(SVG_IMG) == 1
    assert "Fork of us-iran-2019-2020 on 2020-01-08" in page
    for header in ("forecast [95% CI]", "observed", "Brier", "log score", "P [95% CI]"):
        assert f'<th scope="col">{header}</th>' in page
    for event in json.loads(out)["calibration"]["events"].values():
        assert html.escape(event["description"]) in page
    # the conditioned replay: prior and posterior of each side's hidden resolve, and the
    # probability of the whole history that followed
    assert '<section id="conditioning">' in page
    hidden = json.loads(out)["calibration"]["conditioning"]["hidden"]
    assert set(hidden) == {"USA", "IRN"}
    for actor, h in hidden.items():
        assert f'<th scope="row">{actor}</th>' in page and f"{h['posterior_limited']:.3f}" in page
    assert "The whole history that followed" in page


@pytest.mark.parametrize(
    ("kind", "content", "extra", "message"),
    [
        ("dir", None, [], "not a study directory"),
        ("missing", None, [], "no such built-in scenario or file"),
        ("json", '{"outcomes": {}}', [], "not a replay or fork JSON"),
        ("json", '{"days": [', [], "not valid JSON"),
        ("json", '{"timeline": "t", "days": [{"date": "2020-01-01"}]}', [], "malformed replay"),
        ("json", '{"fork": {}, "calibration": {}}', [], "malformed fork"),
        ("json", '{"timeline": "t", "days": []}', ["--runs", "10"], "--runs applies only"),
    ],
)
def test_bad_sources_exit_2_with_one_message(capsys, tmp_path, kind, content, extra, message):
    source = tmp_path / ("study" if kind == "dir" else "source.json")
    if kind == "dir":
        source.mkdir()
    elif content is not None:
        source.write_text(content)
    target = tmp_path / "out.html"
    code, out, err = cli(capsys, "report", str(source), "-o", str(target), *extra)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and out == ""
    assert not target.exists()


def test_demo_writes_its_report(capsys, tmp_path):
    target = tmp_path / "demo.html"
    code, out, err = cli(
        capsys, "demo", "--runs", "1024", "--fronts-runs", "1024", "--days", "60",
        "--fronts-days", "60", "--claims-runs", "256", "--report", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert f"report written to {target.resolve()}" in out
    page = target.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert '<th scope="row">restraint ★</th>' in page
    assert page.count(SVG_IMG) == COMPARISON_FIGURES
    assert "Written by `crisislab demo`" in page
    # the demo's own tables: every doctrine, violence levels and endings, and the paired
    # differences its comparison computed against the first doctrine
    outcomes = tables_of(section_of(page, "outcomes"))
    assert row_names(outcomes[0]) == [f"{d} ★" if d == "restraint" else d for d in DOCTRINES]
    paired = next(t for t in outcomes if t.startswith(PAIRED_TABLE))
    assert row_names(paired) == list(DOCTRINES[1:]) and "Δ P(war) [95% CI]" in col_names(paired)
    assert "ended by agreement" in section_of(page, "ending")
    # the report's claims are the demo's own table: the same runs per setting
    part = claims_section(page)
    assert "256 runs per setting, 60 days, seed 1" in part
    assert all(f'<th scope="row">{claim.id}</th>' in part for claim in CLAIMS)
    assert "The analysis's claims on us-iran-2020: 256 runs per setting" in " ".join(out.split())


def test_demo_without_report_writes_none(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(
        capsys, "demo", "--runs", "1024", "--fronts-runs", "1024", "--days", "10",
        "--fronts-days", "10", "--claims-runs", "128", "--no-report",
    )  # fmt: skip
    assert code == 0
    assert "report written" not in out and list(tmp_path.iterdir()) == []


def test_demo_prints_the_claims_table_after_the_fronts(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(
        capsys, "demo", "--runs", "256", "--fronts-runs", "256", "--days", "30",
        "--fronts-days", "30", "--claims-runs", "200", "--seed", "3", "--no-report",
    )  # fmt: skip
    assert code == 0, err
    text = " ".join(out.split())
    title = "The analysis's claims on us-iran-2020: 200 runs per setting, 30 days, seed 3"
    assert title in text
    assert text.index("The long term") < text.index(title)
    table = out[out.index("The analysis's claims on") :]
    for claim in CLAIMS:
        assert claim.id in table
    assert any(v in table for v in ("as claimed", "against the claim", "no clear effect"))


def test_demo_refuses_a_report_path_in_a_missing_directory_before_simulating(capsys, tmp_path):
    code, out, err = cli(capsys, "demo", "--report", str(tmp_path / "no" / "r.html"))
    assert code == 2 and "does not exist" in err and out == ""
