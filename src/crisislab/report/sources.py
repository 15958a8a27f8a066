"""What a report is made from: a scenario, a replay or fork saved as JSON, or a study directory.

The kind is read off the source itself (a directory, a JSON object's keys, else a scenario), so
one command covers all four; anything else is refused with one message, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from crisislab.report.saved import check_saved
from crisislab.scenario.loader import Problem, ScenarioError

MAX_JSON_BYTES = 200_000_000
SCENARIO_ONLY = ("--runs", "--seed", "--days", "--set")


def _problem(source: str, message: str, line: int | None = None, col: int | None = None):
    return ScenarioError([Problem(source, "", message, line, col)])


def json_kind(data: Any) -> str | None:
    """'replay', 'fork' or None, from the keys `crisislab replay|fork --json` write."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("days"), list) and "timeline" in data:
        return "replay"
    if "fork" in data and "calibration" in data:
        return "fork"
    return None


def _is_json(source: str) -> bool:
    """Whether the source is a file to read as JSON: named .json, or starting with '{'."""
    path = Path(source)
    if not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip()
    except OSError as exc:
        raise _problem(source, f"cannot read: {exc.strerror or exc}") from None
    return path.suffix.lower() == ".json" or head.startswith(b"{")


def is_scenario(source: str) -> bool:
    """Whether a report source is a scenario (a built-in name or a YAML file) rather than a
    study directory or a saved JSON, read off the source as `build_report` reads it."""
    return not Path(source).is_dir() and not _is_json(source)


def source_files(source: str) -> list[Path]:
    """The files and folders a report of `source` reads (an output must be none of them): a
    study directory's own files, or the source itself."""
    path = Path(source)
    if not path.is_dir():
        return [path]
    from crisislab.experiments.store import StudyStore

    store = StudyStore(path)
    return [
        store.manifest_path,
        path / "study.yaml",
        path / "design.parquet",
        store.parts,
        store.failures_dir,
    ]


def read_json(source: str) -> tuple[str, dict[str, Any]] | None:
    """(kind, data) if the source is a JSON file, None if it is not JSON at all."""
    if not _is_json(source):
        return None
    path = Path(source)
    if path.stat().st_size > MAX_JSON_BYTES:
        raise _problem(source, f"larger than {MAX_JSON_BYTES:,} bytes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _problem(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(source, f"cannot read: {exc}") from None
    kind = json_kind(data)
    if kind is None:
        raise _problem(
            source,
            "not a replay or fork JSON (expected the output of `crisislab replay --json`, with "
            "`days` and `timeline`, or of `crisislab fork --json`, with `fork` and `calibration`)",
        )
    return kind, data


def _render_json(source: str, kind: str, page: Callable[[Mapping[str, Any]], str], data) -> str:
    try:
        return page(data)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise _problem(source, f"malformed {kind} JSON: {detail}") from None


def _given(
    runs: int | None, seed: int | None, days: int | None, overrides: Mapping[str, Any]
) -> list[str]:
    """The simulation options given on the command line, by their flag."""
    values = (runs, seed, days, overrides or None)
    return [name for name, value in zip(SCENARIO_ONLY, values, strict=True) if value is not None]


def _refuse_options(source: str, given: list[str], kind: str) -> None:
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise _problem(
            source, f"{', '.join(given)} {verb} only when the source is a scenario, not a {kind}"
        )


def _study_report(source: str, given: list[str]) -> str:
    """A directory is a study (it holds manifest.json), whose runs are already done."""
    if not (Path(source) / "manifest.json").is_file():
        raise _problem(
            source,
            "is a directory but not a study directory (no manifest.json); give a study "
            "directory written by `crisislab study run`, a scenario (a built-in name or a YAML "
            "file), or a JSON file from `crisislab replay --json` or `crisislab fork --json`",
        )
    _refuse_options(source, given, "study")
    from crisislab.experiments import StudyResults
    from crisislab.report.study_page import study_page

    return study_page(StudyResults(source), source)


def build_report(
    source: str,
    doctrines: Sequence[str],
    *,
    runs: int | None,
    seed: int | None,
    days: int | None,
    overrides: Mapping[str, Any],
    default_runs: int,
    executor: Executor | None = None,
) -> str:
    """The HTML page for a source; simulation options apply to a scenario source only. A
    scenario's page also measures the analysis's claims, with as many runs per setting as per
    doctrine."""
    from crisislab.report.comparison import compare_doctrines
    from crisislab.report.pages import comparison_page, fork_page, replay_page

    given = _given(runs, seed, days, overrides)
    if Path(source).is_dir():
        return _study_report(source, given)
    found = read_json(source)
    if found is not None:
        kind, data = found
        _refuse_options(source, given, kind)
        check_saved(source, kind, data)
        return _render_json(source, kind, replay_page if kind == "replay" else fork_page, data)
    comparison = compare_doctrines(
        source,
        doctrines,
        runs=runs or default_runs,
        seed=seed or 0,
        overrides=overrides,
        days=days,
        executor=executor,
        claims_runs=runs or default_runs,
    )
    return comparison_page(comparison)
