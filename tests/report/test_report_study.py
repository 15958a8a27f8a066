"""`crisislab report DIR` on a study directory: one self-contained page of the study's analysis."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from test_report_html import SVG_IMG, assert_self_contained, cli

from crisislab.cli import main
from crisislab.experiments import Study, StudyResults
from crisislab.report import study_page

# Under retaliatory P(war) lies near the 5% threshold and rises with KH's base hazard: at 1,024
# runs per point that rise stands out of the sampling noise, and PRIM finds a box to draw.
STUDY = """\
name: report-check
description: Two US doctrines over a few uncertain futures.
scenario: us-iran-2020
days: 90
levers:
  actors.USA.doctrine: [restraint, retaliatory]
uncertainties:
  actors.KH.control: {low: 0.3, high: 0.95, label: KH control}
  actors.KH.base_hazard: {distribution: loguniform, low: 0.005, high: 0.3}
  channel.kind: {values: [none, indirect, hotline]}
runs_per_point: 1024
samples: 24
seed: 7
analysis:
  outcome: war
  threshold: 0.03
  discovery: {war: 0.05, frozen_conflict: 0.5}
"""
SECTIONS = (
    "The study",
    "Outcomes by policy",
    "Across the futures",
    "Robustness",
    "Sensitivity",
    "Scenario discovery",
    "Warnings and further questions",
)


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> tuple[Path, str, dict]:
    """A small study, run once, its report and its analysis."""
    root = tmp_path_factory.mktemp("study")
    spec = root / "study.yaml"
    spec.write_text(STUDY, encoding="utf-8")
    directory = root / "dir"
    Study.load(spec).run(directory)
    target = root / "study.html"
    with pytest.raises(SystemExit) as exit_:
        main(["report", str(directory), "-o", str(target)])
    assert exit_.value.code in (0, None)
    return directory, target.read_text(encoding="utf-8"), StudyResults(directory).analyze()


def test_the_report_is_self_contained_with_every_section(study):
    _, page, _ = study
    assert_self_contained(page)
    assert "<h1>Study report-check</h1>" in page
    assert "Two US doctrines over a few uncertain futures." in page
    assert "2 policies × 24 futures × 1,024 runs per point = 49,152 runs" in page
    assert "lhs (Latin hypercube)" in page and "49,152 of 49,152" in page
    for title in SECTIONS:
        assert f"<h2>{html.escape(title)}</h2>" in page


def test_the_report_names_the_policies_and_the_minimax_regret_policy(study):
    _, page, analysis = study
    for entry in analysis["policies"]:
        assert f'<th scope="row">{entry["policy"]}' in page
        war = entry["outcomes"]["war"]
        assert f"{war['p']:.3f} [{war['ci'][0]:.3f}, {war['ci'][1]:.3f}]" in page
    mark = analysis["robustness"]["minimax_regret"]
    assert f'<th scope="row">{mark} ★</th>' in page
    assert f"Minimax regret: {mark}" in page
    assert html.escape(analysis["sensitivity"]["about"]) in page


def test_the_report_states_the_discovery_sentences_and_draws_the_boxes(study):
    _, page, analysis = study
    boxes = 0
    for found in analysis["discovery"].values():
        for entry in found["policies"]:
            text = entry.get("sentence") or entry["message"]
            assert html.escape(text) in page
        boxes += len(study_page._drawn(found))
    assert boxes >= 1, "the study is set up so that PRIM finds a box to draw"
    assert page.count("with the PRIM box for") == boxes
    # outcomes, spread, robustness, sensitivity, one scatter per drawn box
    assert page.count(SVG_IMG) == 4 + boxes
    assert all(f'alt="{alt}' in page for alt in ("Horizontal bar chart", "Strip and box plot"))


def test_the_report_says_how_to_query_the_study(study):
    directory, page, _ = study
    assert f"crisislab study query {directory} " in page
    assert "The analysis raised no warning." in page


def test_simulation_options_are_refused_for_a_study(capsys, tmp_path, study):
    directory = study[0]
    target = tmp_path / "out.html"
    code, out, err = cli(capsys, "report", str(directory), "-o", str(target), "--seed", "3")
    assert code == 2 and out == ""
    assert "--seed applies only when the source is a scenario, not a study" in err
    assert not target.exists()


def test_a_directory_that_is_not_a_study_exits_2(capsys, tmp_path):
    (tmp_path / "plain").mkdir()
    target = tmp_path / "out.html"
    code, out, err = cli(capsys, "report", str(tmp_path / "plain"), "-o", str(target))
    assert code == 2 and out == ""
    assert "not a study directory (no manifest.json)" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()
