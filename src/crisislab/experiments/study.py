"""`Study` (a design to run) and `StudyResults` (a study directory to query and analyse).

SQL over a study runs on a DuckDB connection confined to the study: it reads the study's design
and whole parts and nothing else (no other file, no network, no extension, settings locked), and
`StudyResults.sql` takes one query (SELECT, WITH … SELECT, FROM …, DESCRIBE, SUMMARIZE), so that
nothing a user types can change a study or reach beyond it.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisislab.errors import Problem, StudyError
from crisislab.experiments.design import Design, salib_problem
from crisislab.experiments.executors import SequentialExecutor
from crisislab.experiments.runner import Progress, RunReport, run_design
from crisislab.experiments.spec import StudySpec, load_study_drawing, read_checked_posterior
from crisislab.experiments.store import PartCheck, StudyStore
from crisislab.scenario.loader import validate
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from crisislab.analysis import DesignInfo
    from crisislab.scenario.parameters import Posterior


class Study:
    """A validated study: its spec, its scenario and the design they make.

    >>> study = Study.load("restraint-under-weak-control")
    >>> results = study.run("studies/restraint")            # doctest: +SKIP
    >>> results.points()[["policy", "p_war"]]                # doctest: +SKIP
    """

    def __init__(
        self,
        spec: StudySpec,
        scenario: Scenario,
        text: str | None = None,
        posterior: Posterior | None = None,
    ):
        if posterior is None and spec.posterior is not None:  # a path as given (not a file's)
            posterior = read_checked_posterior(spec, scenario, Path(spec.posterior))
        self.spec = spec
        self.scenario = scenario
        self.text = text if text is not None else json.dumps(spec.model_dump(mode="json"), indent=1)
        self.posterior = posterior  # parameter draws per group of runs, or None

    @classmethod
    def load(cls, ref: str | Path, posterior: str | Path | None = None) -> Study:
        """A study from a file path or the name of an example study. `posterior` (a
        calibration's posterior file) gives or replaces the file's `posterior:`; it is read and
        checked against the scenario here, before anything runs."""
        return cls(*load_study_drawing(ref, posterior))

    @cached_property
    def design(self) -> Design:
        return Design(self.spec, self.scenario)

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem dict for the uncertainties, on their own scales."""
        return salib_problem(self.spec)

    def check_directory(self, directory: str | Path | StudyStore) -> StudyStore:
        """Refuse, writing nothing, a directory `prepare` would refuse (another study's, or one
        holding someone else's files)."""
        store = directory if isinstance(directory, StudyStore) else StudyStore(directory)
        store.check(self.design, self.text, self.posterior)
        return store

    def prepare(self, directory: str | Path | StudyStore) -> StudyStore:
        """Claim `directory` for this study (atomically), or check that it holds this study: a
        directory of another study, or one holding files of someone else's, is refused here,
        before any work starts."""
        store = directory if isinstance(directory, StudyStore) else StudyStore(directory)
        store.prepare(self.design, self.text, self.posterior)
        return store

    def run(
        self,
        directory: str | Path | StudyStore,
        executor: Executor | None = None,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> StudyResults:
        """Compute every chunk not yet in `directory` (creating it) and return its results.

        The executor belongs to the caller (default: this process). Running again resumes, and
        computes again any part found damaged (`results.report.repaired` names them).
        """
        store = self.prepare(directory)
        report = run_design(
            self.design,
            store,
            executor or SequentialExecutor(),
            workers,
            progress,
            self.posterior,
        )
        results = StudyResults(store)
        results.report = report
        return results


class StudyResults:
    """The results in a study directory, finished or not: SQL through DuckDB, or pandas."""

    report: RunReport | None = None

    def __init__(self, directory: str | Path | StudyStore):
        self.store = directory if isinstance(directory, StudyStore) else StudyStore(directory)
        directory = self.store.root
        if not self.store.exists():
            raise StudyError([Problem(str(directory), "", "not a study directory (no manifest)")])
        manifest = self.store.manifest()
        self.manifest = manifest
        self.spec = StudySpec.model_validate(manifest["spec"])
        self.scenario = validate(str(directory), manifest["scenario"], {})
        # what the runs drew their parameters from (`Posterior.describe()`), or None
        posterior = manifest.get("posterior")
        self.posterior: dict[str, Any] | None = posterior if isinstance(posterior, dict) else None

    @cached_property
    def design(self) -> Design:
        return Design(self.spec, self.scenario)

    def parts(self) -> PartCheck:
        """The chunks whose part is whole, and the damaged part files with what is wrong with
        them (checked by size and SHA-256 against the manifest; cheap while files are unchanged)."""
        return self.store.check_parts(self.design.chunks)

    def status(self) -> dict[str, Any]:
        """How far the study has got: chunks and runs done, failures with their errors, and
        damaged parts (which `Study.run` computes again)."""
        check = self.parts()
        done = check.good
        chunks = self.design.chunks
        failures = self.store.failures()
        return {
            "study": self.spec.name,
            **self._posterior_entry(),
            "chunks": len(chunks),
            "completed": len(done),
            "failed": len(failures),
            "damaged": len(check.damaged),
            "runs": sum(c.runs for c in chunks if c.index in done),
            "total_runs": sum(c.runs for c in chunks),
            "failures": [f.__dict__ for f in failures],
            "damaged_parts": [
                {"part": name, "problem": why} for name, why in sorted(check.damaged.items())
            ],
        }

    def _posterior_entry(self) -> dict[str, Any]:
        """`{"posterior": …}` for JSON output of a study that drew its parameters, else {}."""
        return {} if self.posterior is None else {"posterior": self.posterior}

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the views `design`, `runs`, `points`, `failures`,
        confined to this study: it may read the design and the whole parts and no other file,
        has no network and no extensions, spills to a private temporary folder (removed when
        the connection closes), and its settings are locked once the views exist."""
        import duckdb
        import pyarrow as pa

        root = self.store.root.resolve()
        parts = [str(root / "runs" / f"part-{i:06d}.parquet") for i in sorted(self.parts().good)]
        design_file = str(root / "design.parquet")
        design_ok = self.store.design_ok()
        spill = os.path.join(tempfile.gettempdir(), f"crisislab-sql-{uuid.uuid4().hex}")
        con = duckdb.connect(config={**CONFINED, "temp_directory": spill})
        allowed = parts + ([design_file] if design_ok else [])
        if allowed:
            con.execute("SET allowed_paths = $1", [allowed])
        con.execute("SET enable_external_access = false")
        if design_ok:
            con.execute(
                f"CREATE VIEW design AS SELECT * FROM read_parquet({_sql_str(design_file)})"
            )
        else:  # damaged or missing: the design is a pure function of the manifest
            con.register("design_rows", pa.table(self.design.rows()))
            con.execute("CREATE VIEW design AS SELECT * FROM design_rows")
        if parts:
            files = "[" + ", ".join(_sql_str(path) for path in parts) + "]"
            con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet({files})")
        else:
            con.execute(
                "CREATE VIEW runs AS SELECT NULL::INTEGER AS point, NULL::INTEGER AS run, "
                "NULL::VARCHAR AS outcome WHERE false"
            )
        columns = con.execute("DESCRIBE runs").fetchall()
        con.execute(f"CREATE VIEW points AS {_points_sql(columns)}")
        con.register("failures_table", self._failures_arrow())
        con.execute("CREATE VIEW failures AS SELECT * FROM failures_table")
        con.execute("SET lock_configuration = true")
        return con

    def _failures_arrow(self) -> Any:
        import pyarrow as pa

        rows = [f.__dict__ for f in self.store.failures()]
        schema = pa.schema(
            [
                ("chunk", pa.int64()),
                ("point", pa.int64()),
                ("error", pa.string()),
                ("message", pa.string()),
            ]
        )
        return pa.Table.from_pylist(rows, schema=schema)

    def sql(self, query: str) -> duckdb.DuckDBPyRelation:
        """Run one query over the study's views; the result is a DuckDB relation (`.df()` for
        pandas). Anything but one query (SELECT, WITH … SELECT, FROM …, DESCRIBE, SUMMARIZE) is
        a `StudyError`; the connection reads nothing outside the study (see `connect`)."""
        return self.connect().sql(one_query(query))

    def points(self) -> pd.DataFrame:
        """One row per design point: its policy and future, runs done, outcome counts and shares."""
        return self.sql("SELECT * FROM points ORDER BY point").df()

    def design_info(self) -> DesignInfo:
        """What the analysis needs to know of the design: paths, labels, sampler, unit sample."""
        from crisislab.analysis import DesignInfo

        spec = self.spec
        return DesignInfo(
            levers=list(spec.levers),
            uncertainties=list(spec.uncertainties),
            labels={p: u.label for p, u in spec.uncertainties.items() if u.label},
            sampler=spec.sampler,
            unit=self.design.unit,
            second_order=spec.second_order,
            morris_levels=spec.morris_levels,
        )

    def analyze(
        self,
        outcome: str | None = None,
        threshold: float | None = None,
        above: bool | None = None,
        discovery: Mapping[str, float] | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """Outcome probabilities, robustness and regret, sensitivity and scenario discovery, per
        policy, as one JSON-ready dict; arguments not given come from the study's `analysis`, and
        the bootstrap of confidence intervals is seeded from the study's seed (the same numbers
        every time). A study not finished is analysed on the runs done so far: `missing` says
        what is not there yet, and the first warning says it in words."""
        from crisislab.analysis import analyze

        defaults = self.spec.analysis
        chosen = outcome or defaults.outcome
        points = self.points()
        if not int(points["runs"].sum()):
            raise StudyError(
                [Problem(str(self.store.root), "", "no results yet: run the study first")]
            )
        result = analyze(
            points,
            self.design_info(),
            outcome=chosen,
            threshold=defaults.threshold if threshold is None else threshold,
            above=defaults.above if above is None else above,
            discovery=defaults.discovery if discovery is None else discovery,
            seed=self.spec.seed if seed is None else seed,
        )
        status = self.status()
        missing = _missing(status, points)
        warnings = [*_missing_warnings(status, missing, self.store.root), *result["warnings"]]
        return {
            "study": self.spec.name,
            **self._posterior_entry(),
            "runs": status["runs"],
            "total_runs": status["total_runs"],
            "failed_chunks": status["failed"],
            "complete": status["runs"] == status["total_runs"],
            "missing": missing,
            **result,
            "warnings": warnings,
            "outcomes_of_interest": self.outcomes_of_interest(),
        }

    def outcomes_of_interest(self) -> list[dict[str, Any]]:
        """Per policy, each outcome the study file names, pooled over all its runs: a share with
        its Wilson interval (outcome classes, flags) or a mean with a normal 95% interval."""
        from crisislab.experiments.spec import METRIC_OUTCOMES
        from crisislab.stats import wilson_interval

        con = self.connect()
        available = {name for name, *_ in con.execute("DESCRIBE runs").fetchall()}
        wanted = [o for o in self.spec.outcomes if o in OUTCOMES or o in available]
        if not wanted:
            return []
        parts = []
        for name in wanted:
            if name in OUTCOMES:
                parts.append(f"count(*) FILTER (WHERE r.outcome = '{name}') AS \"{name}\"")
            elif name in METRIC_OUTCOMES:
                parts.append(f'avg(r."{name}"::DOUBLE) AS "{name}"')
                parts.append(f'stddev_samp(r."{name}"::DOUBLE) AS "{name}.sd"')
            else:
                parts.append(f'count(*) FILTER (WHERE r."{name}") AS "{name}"')
        query = (
            f"SELECT d.policy, count(*) AS n, {', '.join(parts)} FROM runs r "
            "JOIN design d USING (point) GROUP BY d.policy ORDER BY min(d.point)"
        )
        relation = con.sql(query)
        columns = list(relation.columns)
        out = []
        for row in relation.fetchall():
            record = dict(zip(columns, row, strict=True))
            n = int(record["n"])
            values: dict[str, Any] = {}
            for name in wanted:
                if name in METRIC_OUTCOMES:
                    mean, sd = float(record[name]), float(record[f"{name}.sd"] or 0.0)
                    half = 1.96 * sd / n**0.5
                    values[name] = {
                        "mean": round(mean, 6),
                        "ci": [round(mean - half, 6), round(mean + half, 6)],
                    }
                else:
                    k = int(record[name])
                    lo, hi = wilson_interval(k, n)
                    values[name] = {"p": round(k / n, 6), "ci": [round(lo, 6), round(hi, 6)]}
            out.append({"policy": record["policy"], "runs": n, "outcomes": values})
        return out

    def runs(self) -> duckdb.DuckDBPyRelation:
        """Every run stored so far, as a relation (never loaded whole unless asked)."""
        return self.sql("SELECT * FROM runs")


# DuckDB settings of a study's connection, before external access is switched off and the
# settings are locked: nothing is installed or loaded, from anywhere.
CONFINED: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_persistent_secrets": False,
    "python_enable_replacements": False,
}


def one_query(query: str) -> str:
    """`query` if it is exactly one read-only query, parsed by DuckDB's own parser; else a
    `StudyError` saying what is allowed."""
    import duckdb

    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise StudyError([Problem("SQL", "", _first_line(exc))]) from None
    if len(statements) != 1:
        raise StudyError(
            [Problem("SQL", "", f"give exactly one query, not {len(statements)} statements")]
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        words = statements[0].query.split()
        what = words[0].upper() if words and words[0].isalpha() else kind.name
        raise StudyError(
            [
                Problem(
                    "SQL",
                    "",
                    f"{what} is not allowed: a study's results are read-only; give one "
                    "query (SELECT, WITH … SELECT, FROM …, DESCRIBE or SUMMARIZE)",
                )
            ]
        )
    return query


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _missing(status: Mapping[str, Any], points: pd.DataFrame) -> dict[str, Any]:
    """What an unfinished study lacks: chunks and runs, by cause, and points and policies
    without any run."""
    runs = points["runs"].astype(int)
    per_policy = runs.groupby(points["policy"], sort=False).sum()
    return {
        "chunks": status["chunks"] - status["completed"],
        "runs": status["total_runs"] - status["runs"],
        "failed_chunks": status["failed"],
        "damaged_parts": status["damaged"],
        "points_without_runs": int((runs == 0).sum()),
        "policies_without_runs": [str(p) for p, n in per_policy.items() if n == 0],
    }


def _missing_warnings(
    status: Mapping[str, Any], missing: Mapping[str, Any], root: Path
) -> list[str]:
    if not missing["chunks"]:
        return []
    causes = []
    if missing["failed_chunks"]:
        causes.append(f"{missing['failed_chunks']} failed")
    if missing["damaged_parts"]:
        causes.append(f"{missing['damaged_parts']} damaged")
    because = f" ({', '.join(causes)})" if causes else ""
    text = (
        f"the study is not finished: {status['runs']:,} of {status['total_runs']:,} runs, "
        f"{status['completed']} of {status['chunks']} chunks; {missing['chunks']} chunks are "
        f"missing{because} and {missing['points_without_runs']} design points have no runs yet"
    )
    if missing["policies_without_runs"]:
        text += "; no runs yet for " + ", ".join(missing["policies_without_runs"])
    return [
        text + ". The numbers use the runs done so far; run the study again "
        f"(crisislab study run STUDY --dir {root}) to finish it"
    ]


def _sql_str(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _points_sql(run_columns: list[tuple]) -> str:
    """Per design point: runs, counts and shares of each outcome class, shares of flags, means."""
    parts = ["count(r.point) AS runs"]
    for name in OUTCOMES:
        parts.append(f"count(r.point) FILTER (WHERE r.outcome = '{name}') AS n_{name}")
    for name in OUTCOMES:
        parts.append(f"n_{name} / nullif(count(r.point), 0) AS p_{name}")
    for name, kind, *_ in run_columns:
        if name in ("point", "run", "outcome", "parameter_draw") or name.endswith("_day"):
            continue
        if kind == "BOOLEAN":
            parts.append(f'avg(r."{name}"::DOUBLE) AS "p_{name}"')
        else:
            parts.append(f'avg(r."{name}"::DOUBLE) AS "mean_{name}"')
    select = ",\n  ".join(parts)
    return (
        f"SELECT d.*,\n  {select}\nFROM design d LEFT JOIN runs r ON r.point = d.point\n"
        "GROUP BY ALL"
    )
