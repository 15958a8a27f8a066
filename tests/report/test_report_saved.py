"""`crisislab report` checks a replay or fork JSON before drawing it: a bad field is exit 2 with
one message naming the field, and nothing is written."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from crisislab.cli import main
from crisislab.errors import BadInput
from crisislab.history.fork import fork
from crisislab.history.replay import replay
from crisislab.report.saved import check_saved


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


@pytest.fixture(scope="module")
def saved() -> dict[str, dict]:
    """A real replay and fork JSON, as `crisislab replay|fork --json` write them."""
    return {
        "replay": json.loads(json.dumps(replay("us-iran-2019-2020", runs=64).to_json())),
        "fork": json.loads(
            json.dumps(
                fork("us-iran-2019-2020", dt.date(2020, 1, 8), runs=1024, days=30).summary(),
                default=str,
            )
        ),
    }


def test_the_files_the_commands_write_pass(saved):
    check_saved("r.json", "replay", saved["replay"])
    check_saved("f.json", "fork", saved["fork"])


def spoil(data: dict, path: str, value) -> dict:
    copy = json.loads(json.dumps(data))
    *parents, last = path.split(".")
    node = copy
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return copy


@pytest.mark.parametrize(
    "kind, path, value, field, says",
    [
        ("replay", "days.0.sides.USA.belief", "high", "days[0].sides.USA.belief", "valid number"),
        ("replay", "days.1.sides.IRN.belief", 1.5, "days[1].sides.IRN.belief", "less than"),
        ("replay", "days.2.goldstein", math.nan, "days[2].goldstein", "finite"),
        ("replay", "days.0.date", "2020-02-30", "days[0].date", "YYYY-MM-DD"),
        ("fork", "calibration.events.war.forecast", math.nan, "calibration.events.war.forecast",
         "finite"),
        ("fork", "outcomes.war.ci", [0.1], "outcomes.war.ci", "at least 2"),
        ("fork", "runs", "many", "runs", "valid integer"),
        ("fork", "goldstein_series.q50", [], "goldstein_series", "q50 has 0 values"),
    ],
)  # fmt: skip
def test_a_bad_field_exits_2_naming_it_and_writes_nothing(
    capsys, tmp_path, saved, kind, path, value, field, says
):
    source = tmp_path / f"{kind}.json"
    source.write_text(json.dumps(spoil(saved[kind], path, value)))  # NaN is written as NaN
    target = tmp_path / "out.html"
    code, out, err = cli(capsys, "report", str(source), "-o", str(target))
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1, err
    assert f"{source}: {field}: malformed {kind} JSON" in lines[0]
    assert says in lines[0]
    assert not target.exists()


def test_every_problem_is_counted_in_the_one_message(saved):
    data = spoil(spoil(saved["replay"], "days.0.sides.USA.belief", "high"), "runs", -1)
    with pytest.raises(BadInput) as exc:
        check_saved("r.json", "replay", data)
    assert len(exc.value.problems) == 1
    assert "(and 1 more problem)" in str(exc.value)
