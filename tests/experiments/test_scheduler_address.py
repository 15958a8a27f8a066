"""A bad --scheduler is bad input (exit 2 with one message), refused before any connection."""

from __future__ import annotations

import pytest

from crisislab.cli import main
from crisislab.errors import StudyError
from crisislab.experiments.executors import _check_scheduler_address

pytest.importorskip("distributed")


@pytest.mark.parametrize("address", ["garbage", "tcp://127.0.0.1:99999", "tcp://:8786", ""])
def test_an_address_that_cannot_name_a_scheduler_is_refused(address: str) -> None:
    with pytest.raises(StudyError, match="--scheduler"):
        _check_scheduler_address(address)


def test_the_cli_exits_2_with_one_message_for_a_bad_scheduler(tmp_path, capsys) -> None:
    argv = ["study", "run", "restraint-under-weak-control", "-e", "dask"]
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--scheduler", "tcp://127.0.0.1:99999", "--dir", str(tmp_path / "s")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "not a scheduler address" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()
