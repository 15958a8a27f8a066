"""`Study` (a design to run) and `StudyResults` (a study directory to query and analyse)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisislab.experiments.design import Design, salib_problem
from crisislab.experiments.executors import SequentialExecutor
from crisislab.experiments.runner import Progress, RunReport, run_design
from crisislab.experiments.spec import StudySpec, load_study
from crisislab.experiments.store import StudyStore
from crisislab.scenario.loader import Problem, ScenarioError, validate
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from crisislab.analysis import DesignInfo


class Study:
    """A validated study: its spec, its scenario and the design they make.

    >>> study = Study.load("restraint-under-weak-control")
    >>> results = study.run("studies/restraint")            # doctest: +SKIP
    >>> results.points()[["policy", "p_war"]]                # doctest: +SKIP
    """

    def __init__(self, spec: StudySpec, scenario: Scenario, text: str | None = None):
        self.spec = spec
        self.scenario = scenario
        self.text = text if text is not None else json.dumps(spec.model_dump(mode="json"), indent=1)

    @classmethod
    def load(cls, ref: str | Path) -> Study:
        """A study from a file path or the name of an example study."""
        return cls(*load_study(ref))

    @cached_property
    def design(self) -> Design:
        return Design(self.spec, self.scenario)

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem dict for the uncertainties, on their own scales."""
        return salib_problem(self.spec)

    def run(
        self,
        directory: str | Path,
        executor: Executor | None = None,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> StudyResults:
        """Compute every chunk not yet in `directory` (creating it) and return its results.

        The executor belongs to the caller (default: this process). Running again resumes.
        """
        store = StudyStore(directory)
        store.prepare(self.design, self.text)
        report = run_design(self.design, store, executor or SequentialExecutor(), workers, progress)
        results = StudyResults(directory)
        results.report = report
        return results


class StudyResults:
    """The results in a study directory, finished or not: SQL through DuckDB, or pandas."""

    report: RunReport | None = None

    def __init__(self, directory: str | Path):
        self.store = StudyStore(directory)
        if not self.store.exists():
            raise ScenarioError(
                [Problem(str(directory), "", "not a study directory (no manifest)")]
            )
        manifest = self.store.manifest()
        self.manifest = manifest
        self.spec = StudySpec.model_validate(manifest["spec"])
        self.scenario = validate(str(directory), manifest["scenario"], {})

    @cached_property
    def design(self) -> Design:
        return Design(self.spec, self.scenario)

    def status(self) -> dict[str, Any]:
        """How far the study has got: chunks and runs done, failures with their errors."""
        done = self.store.completed()
        chunks = self.design.chunks
        failures = self.store.failures()
        return {
            "study": self.spec.name,
            "chunks": len(chunks),
            "completed": len(done),
            "failed": len(failures),
            "runs": sum(c.runs for c in chunks if c.index in done),
            "total_runs": sum(c.runs for c in chunks),
            "failures": [f.__dict__ for f in failures],
        }

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the views `design`, `runs`, `points`, `failures`."""
        import duckdb

        con = duckdb.connect()
        root = self.store.root
        con.execute(
            f"CREATE VIEW design AS SELECT * FROM read_parquet({_sql_str(root / 'design.parquet')})"
        )
        if self.store.completed():
            glob = _sql_str(self.store.parts / "part-*.parquet")
            con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet({glob})")
        else:
            con.execute(
                "CREATE VIEW runs AS SELECT NULL::INTEGER AS point, NULL::INTEGER AS run, "
                "NULL::VARCHAR AS outcome WHERE false"
            )
        columns = con.execute("DESCRIBE runs").fetchall()
        con.execute(f"CREATE VIEW points AS {_points_sql(columns)}")
        con.register("failures_table", self._failures_arrow())
        con.execute("CREATE VIEW failures AS SELECT * FROM failures_table")
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
        """Run SQL over the study's views; the result is a DuckDB relation (`.df()` for pandas)."""
        return self.connect().sql(query)

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
        seed: int = 0,
    ) -> dict[str, Any]:
        """Outcome probabilities, robustness and regret, sensitivity and scenario discovery, per
        policy, as one JSON-ready dict; arguments not given come from the study's `analysis`."""
        from crisislab.analysis import analyze

        defaults = self.spec.analysis
        chosen = outcome or defaults.outcome
        points = self.points()
        if not int(points["runs"].sum()):
            raise ScenarioError(
                [Problem(str(self.store.root), "", "no results yet: run the study first")]
            )
        result = analyze(
            points,
            self.design_info(),
            outcome=chosen,
            threshold=defaults.threshold if threshold is None else threshold,
            above=defaults.above if above is None else above,
            discovery=defaults.discovery if discovery is None else discovery,
            seed=seed,
        )
        status = self.status()
        return {
            "study": self.spec.name,
            "runs": status["runs"],
            "total_runs": status["total_runs"],
            "failed_chunks": status["failed"],
            **result,
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


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _points_sql(run_columns: list[tuple]) -> str:
    """Per design point: runs, counts and shares of each outcome class, shares of flags, means."""
    parts = ["count(r.point) AS runs"]
    for name in OUTCOMES:
        parts.append(f"count(r.point) FILTER (WHERE r.outcome = '{name}') AS n_{name}")
    for name in OUTCOMES:
        parts.append(f"n_{name} / nullif(count(r.point), 0) AS p_{name}")
    for name, kind, *_ in run_columns:
        if name in ("point", "run", "outcome") or name.endswith("_day"):
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
