"""`crisislab timelines` lists the built-in timelines, one line each."""

from __future__ import annotations

import pytest

from crisislab.cli import main
from crisislab.history import timeline_names


def test_timelines_lists_each_builtin_on_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["timelines"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    lines = out.splitlines()
    assert len(lines) == len(timeline_names())
    line = next(line for line in lines if line.startswith("us-iran-2019-2020 "))
    for part in ("2019-12-27", "2020-03-17", "42 events", "scenario us-iran-2020"):
        assert part in line
