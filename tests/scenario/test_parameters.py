"""Posterior files and simulations that draw their parameters from them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crisislab.cli import main
from crisislab.errors import BadInput, ScenarioError
from crisislab.scenario.parameters import (
    GROUP_RUNS,
    PosteriorError,
    read_posterior,
    write_posterior,
)
from crisislab.simulate import drawing, local_executor, simulate
from crisislab.stats import effective_runs

NAMES = ("actors.IRN.type_prior", "logit.precision")


@pytest.fixture
def posterior_file(tmp_path):
    path = tmp_path / "posterior.parquet"
    values = np.array([[0.2, 2.0], [0.8, 2.0], [0.5, 6.0]])
    write_posterior(path, NAMES, values, np.array([1.0, 1.0, 2.0]), {"scenario": "us-iran-2020"})
    return path


def test_a_posterior_round_trips(posterior_file):
    post = read_posterior(posterior_file)
    assert post.names == NAMES
    assert post.weights.tolist() == [0.25, 0.25, 0.5]
    assert post.values[2].tolist() == [0.5, 6.0]
    assert post.metadata == {"scenario": "us-iran-2020"}
    assert post.describe()["particles"] == 3
    assert len(post.describe()["sha256"]) == 64
    assert not list(posterior_file.parent.glob("*.partial"))


def test_draws_follow_the_weights_and_are_keyed_by_seed_and_group(posterior_file):
    post = read_posterior(posterior_file)
    picks = np.array([post.draw(7, g)[0] for g in range(4000)])
    assert np.bincount(picks, minlength=3) / 4000 == pytest.approx([0.25, 0.25, 0.5], abs=0.03)
    assert [post.draw(7, g) for g in range(5)] == [post.draw(7, g) for g in range(5)]
    assert [post.draw(7, g)[0] for g in range(40)] != [post.draw(8, g)[0] for g in range(40)]


def test_runs_draw_per_group_and_do_not_depend_on_the_executor(posterior_file):
    post = read_posterior(posterior_file)
    alone = simulate("us-iran-2020", 3000, 5, draws=post, days=120)
    draw = alone.columns["parameter_draw"]
    assert np.all(draw.reshape(-1)[:2944].reshape(-1, GROUP_RUNS).std(axis=1) == 0)
    assert len(np.unique(draw)) == 3
    with local_executor(2) as pool:
        pooled = simulate(
            "us-iran-2020", 3000, 5, draws=post, days=120, executor=pool, chunk_blocks=1
        )
    for key, column in alone.columns.items():
        assert np.array_equal(column, pooled.columns[key]), key
    with drawing(post):
        scoped = simulate("us-iran-2020", 3000, 5, days=120)
    assert np.array_equal(scoped.columns["outcome"], alone.columns["outcome"])
    assert alone.summary()["parameters"]["posterior"] == "posterior.parquet"


def test_a_run_is_the_run_of_its_draw(posterior_file):
    """Run k of a simulation with draws is run k of the scenario with its group's parameters."""
    post = read_posterior(posterior_file)
    drawn = simulate("us-iran-2020", 256, 3, draws=post, days=90)
    for k in (0, 70, 200):
        index, values = post.draw(3, k // GROUP_RUNS)
        plain = simulate("us-iran-2020", 256, 3, values, days=90)
        assert drawn.columns["parameter_draw"][k] == index
        assert drawn.columns["outcome"][k] == plain.columns["outcome"][k]
        assert drawn.columns["first_end_day"][k] == plain.columns["first_end_day"][k]
        story = drawn.story(k)
        assert story.row["outcome"] == drawn.columns["outcome"][k]


def test_shared_draws_widen_the_interval():
    rng = np.random.default_rng(1)
    clusters = np.repeat(np.arange(50), 64)
    p = np.repeat(rng.uniform(0.05, 0.6, 50), 64)
    outcome = rng.random(len(p)) < p
    n_eff = effective_runs(outcome, clusters)
    assert 100 < n_eff < len(p) / 3  # strongly clustered: far fewer than 3,200 independent runs
    independent = rng.random(3200) < 0.3
    assert effective_runs(independent, clusters) == pytest.approx(3200, rel=0.25)


def test_a_posterior_naming_an_unknown_parameter_is_refused(tmp_path):
    path = tmp_path / "p.parquet"
    write_posterior(path, ("actors.NOBODY.type_prior",), np.array([[0.5]]), np.ones(1), {})
    with pytest.raises(ScenarioError) as caught:
        simulate("us-iran-2020", 100, 1, draws=read_posterior(path))
    assert "p.parquet" in str(caught.value) and "actors.NOBODY" in str(caught.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({"x": [0.1]}), "not a crisislab posterior"),
    ],
)
def test_bad_posterior_files_name_file_and_column(tmp_path, table, message):
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)
    with pytest.raises(PosteriorError) as caught:
        read_posterior(path)
    assert message in str(caught.value) and "bad.parquet" in str(caught.value)


def test_bad_columns_are_named(tmp_path):
    path = tmp_path / "bad.parquet"
    write_posterior(path, ("logit.precision",), np.array([[np.nan]]), np.ones(1), {})
    with pytest.raises(PosteriorError, match=r"logit\.precision: values that are not finite"):
        read_posterior(path)
    (tmp_path / "text.parquet").write_text("not parquet")
    with pytest.raises(BadInput, match="not a Parquet posterior file"):
        read_posterior(tmp_path / "text.parquet")


def test_run_with_a_posterior_says_so(posterior_file, capsys):
    with pytest.raises(SystemExit) as code:
        main(
            [
                "run",
                "us-iran-2020",
                "-n",
                "500",
                "--days",
                "60",
                "--posterior",
                str(posterior_file),
                "--json",
            ]
        )
    assert code.value.code == 0
    out = capsys.readouterr().out
    assert '"posterior": "posterior.parquet"' in out
    with pytest.raises(SystemExit) as code:
        main(["run", "us-iran-2020", "-n", "500", "--posterior", "missing.parquet"])
    assert code.value.code == 2
    assert "missing.parquet: no such file" in capsys.readouterr().err


def test_paired_intervals_are_cluster_robust_under_a_posterior(posterior_file):
    from crisislab.experiments import compare

    doctrines = ("restraint", "retaliatory")
    policies = {d: {"actors.USA.doctrine": d} for d in doctrines}
    with drawing(read_posterior(posterior_file)):
        found = compare("us-iran-2020", policies, runs=2048, seed=2, days=120)
    plain = compare("us-iran-2020", policies, runs=2048, seed=2, days=120)
    drawn = found["results"][1]["paired"]["stable_deescalation"]
    fixed = plain["results"][1]["paired"]["stable_deescalation"]
    assert "parameter_draw" not in found["results"][1]["paired"]
    # three particles only: the difference is known far less well than with fixed parameters
    assert drawn["ci"][1] - drawn["ci"][0] > 1.5 * (fixed["ci"][1] - fixed["ci"][0])


def test_a_report_and_a_fork_say_which_posterior_their_runs_drew_from(tmp_path, capsys):
    page = tmp_path / "report.html"
    with pytest.raises(SystemExit) as code:
        main(
            [
                "report",
                "us-iran-2020",
                "-o",
                str(page),
                "-n",
                "300",
                "--days",
                "60",
                "--posterior",
                "generic-crisis-icb",
            ]
        )
    assert code.value.code == 0
    assert "drawn from the posterior generic-crisis-icb.parquet" in page.read_text()
    with pytest.raises(SystemExit) as code:
        main(
            [
                "fork",
                "us-iran-2019-2020",
                "--at",
                "2020-01-08",
                "-n",
                "1024",
                "--days",
                "30",
                "--posterior",
                "generic-crisis-icb",
                "--json",
            ]
        )
    assert code.value.code == 0
    import json

    found = json.loads(capsys.readouterr().out)
    assert found["posterior"]["posterior"] == "generic-crisis-icb.parquet"
    assert found["posterior"]["calibration"]["targets"] == "icb-generic"


def test_a_backtest_page_names_the_posterior(tmp_path):
    page = tmp_path / "bt.html"
    with pytest.raises(SystemExit) as code:
        main(
            [
                "backtest",
                "korea-2010",
                "--every",
                "200",
                "-n",
                "256",
                "--html",
                str(page),
                "--posterior",
                "generic-crisis-icb",
                "--json",
            ]
        )
    assert code.value.code == 0
    assert "Parameters drawn from the posterior generic-crisis-icb.parquet" in page.read_text()
