"""Long or large work from the command line: outputs that write through what they name, caps on
total work checked before it starts, progress on stderr only, and Ctrl-C that stops promptly
with one line and exit code 130."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

import crisislab.cli as cli_module
from crisislab.cli import lever_names, main

SMALL = ("--runs", "1024", "--days", "30")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- outputs ----------------------------------------------------------------------------------


def test_export_to_a_named_pipe_writes_through_it(capsys, tmp_path):
    fifo = tmp_path / "events"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    try:
        code, _, err = cli(capsys, "export", "us-iran-2020", "-o", str(fifo), "-n", "2", "-d", "30")
    finally:
        reader.join(timeout=60)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(received[0])))
    assert rows and {r["run"] for r in rows} <= {"0", "1"}
    assert fifo.is_fifo()


def test_export_to_a_symbolic_link_writes_its_target(capsys, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = cli(capsys, "export", "us-iran-2020", "-o", str(link), "-n", "2", "-d", "30")
    assert code == 0, err
    assert link.is_symlink()
    assert real.read_text().startswith("date,actor,target")


def test_export_to_dev_stdout_writes_through_the_descriptor(capfd):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "us-iran-2020", "-o", "/dev/stdout", "-n", "2", "-d", "30"])
    captured = capfd.readouterr()
    assert exit_.value.code == 0, captured.err
    assert captured.out.startswith("date,actor,target")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_export_to_a_full_disk_exits_2_with_a_clear_message(capsys):
    code, out, err = cli(capsys, "export", "us-iran-2020", "-o", "/dev/full", "-n", "20")
    assert code == 2 and out == ""
    assert one_error(err) == "error: /dev/full: cannot write: no space left on the device"


def test_export_to_a_missing_folder_exits_2_naming_it_before_simulating(capsys, tmp_path):
    path = tmp_path / "missing" / "out.csv"
    code, _, err = cli(capsys, "export", "us-iran-2020", "-o", str(path), "-n", "1000")
    assert code == 2
    line = one_error(err)
    assert str(path) in line and "does not exist" in line and ".tmp" not in line


def test_report_under_a_file_exits_2_before_simulating(capsys, tmp_path):
    (tmp_path / "file").write_text("")
    code, _, err = cli(capsys, "report", "us-iran-2020", "-o", str(tmp_path / "file" / "r.html"))
    assert code == 2 and "is not a folder" in one_error(err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_report_in_a_read_only_folder_exits_2(capsys, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = cli(capsys, "report", "us-iran-2020", "-o", str(folder / "r.html"))
    finally:
        folder.chmod(0o755)
    line = one_error(err)
    assert code == 2 and "permission denied" in line and ".tmp" not in line


@pytest.mark.parametrize("name, what", [("figure", "no extension"), ("figure.xyz", ".xyz")])
def test_a_plot_without_a_figure_extension_exits_2_before_replaying(capsys, tmp_path, name, what):
    plot = tmp_path / name
    code, out, err = cli(capsys, "replay", "us-iran-2019-2020", "--plot", str(plot), "--json")
    assert code == 2 and out == ""
    line = one_error(err)
    assert what in line and ".png, .svg or .pdf" in line
    assert not plot.exists()


def test_fork_plot_as_a_svg_file_is_written(capsys, tmp_path):
    plot = tmp_path / "fork.svg"
    code, _, err = cli(
        capsys, "fork", "us-iran-2019-2020", "--at", "2020-01-08", *SMALL, "--plot", str(plot)
    )
    assert code == 0, err
    assert plot.read_text().lstrip().startswith("<?xml")


# --- caps on total work ------------------------------------------------------------------------


def test_run_beyond_the_cap_is_refused_before_work_with_the_cap_and_the_option(capsys):
    code, out, err = cli(capsys, "run", "us-iran-2020", "-n", "10000000", "-d", "3650")
    assert code == 2 and out == ""
    line = one_error(err)
    assert "36,500,000,000 run-days" in line and "4,000,000,000" in line
    assert "--max-run-days 36500000000" in line


def test_the_cap_takes_the_scenario_horizon_and_can_be_lowered_or_raised(capsys):
    code, _, err = cli(capsys, "run", "us-iran-2020", "-n", "2048", "--max-run-days", "700000")
    assert code == 2 and "2,048 runs × 365 days" in one_error(err)
    code, out, err = cli(
        capsys, *("run", "us-iran-2020", *SMALL), "--max-run-days", "30720", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["runs"] == 1024


def test_compare_caps_policies_times_runs_times_days(capsys):
    levers = ["--lever", "actors.KH.control=" + ",".join(f"0.{i}" for i in range(10))]
    levers += ["--lever", "actors.IRN.enforcement=" + ",".join(f"0.{i}" for i in range(10))]
    levers += ["--lever", "channel.kind=none,indirect,hotline"]
    code, _, err = cli(capsys, "compare", "us-iran-2020", *levers, "-n", "10000000")
    line = one_error(err)
    assert code == 2
    assert "300 policies × 10,000,000 runs × 365 days" in line and "--max-run-days" in line


def test_compare_refuses_more_combinations_than_it_runs_and_points_to_studies(capsys):
    values = ",".join(f"{i / 100:.3f}" for i in range(101))
    levers = [f"--lever=actors.{a}.control={values}" for a in ("KH", "PMF")]
    code, _, err = cli(capsys, "compare", "us-iran-2020", *levers, "-n", "1")
    assert code == 2
    assert "10,201 combinations" in one_error(err) and "study" in err


def test_fork_and_report_cap_the_daily_series_they_keep_in_memory(capsys, tmp_path):
    code, _, err = cli(
        capsys, "fork", "us-iran-2019-2020", "--at", "2020-01-08", "-n", "1000000", "-d", "90"
    )
    assert code == 2 and "90,000,000 run-days" in one_error(err) and "--max-run-days" in err
    report = tmp_path / "r.html"
    code, _, err = cli(capsys, "report", "us-iran-2020", "-o", str(report), "-n", "100000")
    assert code == 2 and "6 doctrines × 100,000 runs × 365 days" in one_error(err)
    assert not report.exists()


def test_export_caps_runs_times_days(capsys, tmp_path):
    out_file = tmp_path / "e.csv"
    code, _, err = cli(
        capsys, "export", "us-iran-2020", "-o", str(out_file), "-n", "2000", "-d", "3650"
    )
    assert code == 2 and "--max-run-days" in one_error(err)
    assert not out_file.exists()


# --- compare labels and levers -----------------------------------------------------------------


def test_lever_names_say_whose_value_it_is():
    assert lever_names(["actors.KH.control", "channel.kind", "days"]) == {
        "actors.KH.control": "KH.control",
        "channel.kind": "channel.kind",
        "days": "days",
    }
    names = lever_names(["actors.KH.control", "groups.KH.control"])
    assert names == {
        "actors.KH.control": "actors.KH.control",
        "groups.KH.control": "groups.KH.control",
    }


def test_compare_labels_name_the_actor(capsys):
    code, out, err = cli(
        capsys, "compare", "us-iran-2020", "--lever", "actors.KH.control=0.4,0.8",
        "--lever", "channel.carries_c2=true,false", *SMALL, "--json",
    )  # fmt: skip
    assert code == 0, err
    results = json.loads(out)["results"]
    assert [r["policy"] for r in results] == [
        "KH.control=0.4, channel.carries_c2=true",
        "KH.control=0.4, channel.carries_c2=false",
        "KH.control=0.8, channel.carries_c2=true",
        "KH.control=0.8, channel.carries_c2=false",
    ]
    assert results[1]["paired"]["against"] == "KH.control=0.4, channel.carries_c2=true"


@pytest.mark.parametrize(
    "levers, message",
    [
        (["--lever", "actors.KH.control=0.4,0.4"], "value given twice"),
        (["--lever", "channel.kind=none", "--lever", "channel.kind=hotline"], "given twice"),
    ],
)
def test_compare_refuses_a_lever_value_or_path_given_twice(capsys, levers, message):
    code, _, err = cli(capsys, "compare", "us-iran-2020", *levers, *SMALL)
    assert code == 2 and message in one_error(err)


# --- progress --------------------------------------------------------------------------------


def test_brackets_in_the_users_text_print_as_themselves(capsys, tmp_path, monkeypatch):
    """Rich markup is never read from a lever value or a timeline's name (nor a query's rows,
    tests/cli/test_cli_study.py): `[/]` there once stopped the command with an internal error."""
    fixtures = Path(__file__).parents[1] / "history" / "fixtures"
    monkeypatch.chdir(tmp_path)
    Path("two-leaders-timeline.csv").write_text((fixtures / "two-leaders-timeline.csv").read_text())
    code, out, err = cli(
        capsys, "compare", "us-iran-2020", "--lever", "title='[/]',[bold]x", "-n", "2", "-d", "5"
    )
    assert code == 0, err
    assert "title=[/]" in out and "title=[bold]x" in out
    timeline = (fixtures / "two-leaders-timeline.yaml").read_text()
    timeline = timeline.replace("name: two-leaders-2020", "name: '[/]two'", 1)
    Path("timeline.yaml").write_text(
        timeline.replace("scenario: two-leaders", "scenario: two.yaml")
    )
    Path("two.yaml").write_text((fixtures / "two-leaders.yaml").read_text())
    code, out, err = cli(capsys, "replay", "timeline.yaml", "-n", "2")
    assert code == 0, err
    assert "Replay of [/]" in out


@pytest.mark.parametrize("args", [["scenarios"], ["run", "us-iran-2020", "-n", "8", "--json"]])
def test_a_stdout_whose_reader_went_away_exits_2_with_one_line(args):
    """`crisislab … | head`: Rich and Click would exit 1, the code of a bug, with no word."""
    child = subprocess.Popen(
        [sys.executable, "-m", "crisislab", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdout.close()  # before the child has imported crisislab, let alone printed
    err = child.stderr.read()
    assert child.wait(timeout=120) == 2, err
    assert err == "error: stdout: cannot write: the reader of the pipe went away\n"


def test_the_progress_bar_fits_80_columns(monkeypatch):
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=True, color_system=None)
    monkeypatch.setattr(cli_module, "err", console)
    bar = cli_module._progress_bar("compare")
    task = bar.add_task("compare", total=40_000_000)
    bar.update(task, completed=12_345_678)
    console.print(bar.get_renderable())
    lines = buffer.getvalue().splitlines()
    assert lines and all(len(line) <= 80 for line in lines)
    assert "12,345,678/40,000,000 runs" in lines[0]


def test_long_work_off_a_terminal_reports_lines_on_stderr_and_keeps_stdout_json(
    capsys, monkeypatch
):
    monkeypatch.setattr(cli_module, "RUN_DAY_SECONDS", 1.0)  # any work counts as long
    code, out, err = cli(capsys, "run", "us-iran-2020", "-n", "3000", "-d", "30", "--json")
    assert code == 0, err
    assert json.loads(out)["runs"] == 3000
    assert "run: 3,000 of 3,000 runs (100%)" in err


def test_short_work_off_a_terminal_shows_no_progress(capsys):
    code, out, err = cli(capsys, "run", "us-iran-2020", *SMALL, "--json")
    assert code == 0 and err == ""
    json.loads(out)


# --- Ctrl-C ------------------------------------------------------------------------------------


def interrupt_after_first_chunk(monkeypatch):
    def interrupt(self, runs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module._Meter, "__call__", interrupt)


@pytest.mark.parametrize(
    "args, kept",
    [
        (("run", "us-iran-2020", "-n", "5000", "-d", "30"), "nothing was kept"),
        (
            ("compare", "us-iran-2020", "--lever", "channel.kind=none,hotline", *SMALL),
            "nothing was kept",
        ),
        (("fork", "us-iran-2019-2020", "--at", "2020-01-08", *SMALL), "nothing was kept"),
    ],
)
def test_an_interrupt_exits_130_with_one_line_saying_what_was_kept(capsys, monkeypatch, args, kept):
    interrupt_after_first_chunk(monkeypatch)
    code, out, err = cli(capsys, *args)
    assert code == 130 and out == ""
    assert one_error(err).startswith(f"interrupted: {kept}")


def test_an_interrupted_export_leaves_no_file(capsys, monkeypatch, tmp_path):
    interrupt_after_first_chunk(monkeypatch)
    path = tmp_path / "e.csv"
    code, _, err = cli(capsys, "export", "us-iran-2020", "-o", str(path), "-n", "300")
    assert code == 130
    assert one_error(err) == f"interrupted: nothing was written to {path}"
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_report_leaves_the_old_one(capsys, monkeypatch, tmp_path):
    interrupt_after_first_chunk(monkeypatch)
    path = tmp_path / "r.html"
    path.write_text("old")
    code, _, err = cli(capsys, "report", "us-iran-2020", "-o", str(path), *SMALL)
    assert code == 130 and one_error(err).startswith("interrupted: nothing was written")
    assert path.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


def test_ctrl_c_stops_a_long_run_within_seconds_with_one_line(tmp_path):
    """A real SIGINT to `crisislab run --runs 10000000` (about two minutes of work) once it has
    reported its first chunk: exit 130, one line, no traceback, and well before the run would
    have ended."""
    process = subprocess.Popen(
        [sys.executable, "-m", "crisislab", "run", "us-iran-2020", "-n", "10000000", "-w", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first progress line: the simulation is under way
    assert first.startswith("run: "), first
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert time.monotonic() - sent < 30  # generous: about a second on an idle machine
    assert process.returncode == 130 and out == "" and "Traceback" not in err
    said = [line for line in err.splitlines() if not line.startswith("run: ")]
    assert said == ["interrupted: nothing was kept; a run's results are printed only when it ends"]
