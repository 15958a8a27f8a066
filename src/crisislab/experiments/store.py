"""The study directory: spec, manifest, design, and one Parquet part per completed chunk.

    DIR/study.yaml        the study file as written (for people)
    DIR/manifest.json     what the study is: spec, scenario, chunk plan, digest (written once)
    DIR/design.parquet    one row per design point: policy, future, lever and uncertainty values
    DIR/runs/part-000042.parquet     one row per run of chunk 42
    DIR/failures/chunk-000042.json   why chunk 42 failed (removed when a retry succeeds)

Every file is written to a temporary name and renamed into place, so a killed study leaves only
whole files: re-running it skips the chunks whose part exists and computes the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from crisislab._version import __version__
from crisislab.experiments.design import Design
from crisislab.scenario.loader import Problem, ScenarioError
from crisislab.scenario.outcomes import OUTCOMES

FORMAT = 1
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: files get the usual permissions, not mkstemp's private 0600
PART_GLOB = "part-*.parquet"


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to `path` so that readers see the old file or the whole new one, never part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet bytes, written the same way every time (so parts are byte-identical)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", store_schema=False)
    return sink.getvalue().to_pybytes()


def runs_table(point: int, first_run: int, columns: Mapping[str, np.ndarray]) -> pa.Table:
    """One chunk's per-run columns as an Arrow table, led by its point and run numbers."""
    n = len(columns["outcome"])
    fields: dict[str, pa.Array] = {
        "point": pa.array(np.full(n, point, dtype=np.int32)),
        "run": pa.array(np.arange(first_run, first_run + n, dtype=np.int32)),
        "outcome": pa.DictionaryArray.from_arrays(
            pa.array(columns["outcome"].astype(np.int8)), pa.array(list(OUTCOMES))
        ),
    }
    for name, values in columns.items():
        if name != "outcome" and values.ndim == 1:
            fields[name] = pa.array(values)
    return pa.table(fields)


def _digest(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Failure:
    chunk: int
    point: int
    error: str
    message: str


class StudyStore:
    """Reads and writes one study directory."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.parts = self.root / "runs"
        self.failures_dir = self.root / "failures"
        self.manifest_path = self.root / "manifest.json"

    # --- creating and checking -----------------------------------------------------------------

    @staticmethod
    def manifest_for(design: Design) -> dict[str, Any]:
        what = {
            "spec": design.spec.model_dump(mode="json"),
            "scenario": design.scenario.model_dump(mode="json"),
        }
        return {
            "format": FORMAT,
            "crisislab": __version__,
            "digest": _digest(what),
            "study": design.spec.name,
            "points": design.n_points,
            "policies": len(design.policies),
            "samples": design.n_samples,
            "runs_per_point": design.spec.runs_per_point,
            "total_runs": design.n_points * design.spec.runs_per_point,
            "chunks": len(design.chunks),
            **what,
        }

    def prepare(self, design: Design, study_text: str) -> None:
        """Create the directory for a design, or check that it already holds this very study."""
        manifest = self.manifest_for(design)
        if self.manifest_path.exists():
            existing = self.manifest()
            if existing.get("digest") != manifest["digest"]:
                raise ScenarioError(
                    [
                        Problem(
                            str(self.root),
                            "",
                            f"this directory holds the study {existing.get('study')!r} with a "
                            "different specification or scenario; choose another --dir",
                        )
                    ]
                )
            if existing.get("crisislab") != __version__:
                raise ScenarioError(
                    [
                        Problem(
                            str(self.root),
                            "",
                            f"this study was started by crisislab {existing.get('crisislab')} and "
                            f"this is {__version__}: its results could differ, so it is not "
                            "resumed; choose another --dir",
                        )
                    ]
                )
            self._sweep_temporaries()
            return
        if self.root.exists() and any(self.root.iterdir()):
            raise ScenarioError(
                [Problem(str(self.root), "", "directory is not empty and holds no study")]
            )
        atomic_write(self.root / "study.yaml", study_text.encode("utf-8"))
        design_table = pa.table(design.rows())
        atomic_write(self.root / "design.parquet", parquet_bytes(design_table))
        # the manifest goes last: a directory with a manifest has everything it names
        atomic_write(self.manifest_path, json.dumps(manifest, indent=1).encode("utf-8"))

    def _sweep_temporaries(self) -> None:
        """Remove what a killed run left half-written (never a finished part)."""
        for folder in (self.root, self.parts, self.failures_dir):
            if folder.is_dir():
                for leftover in folder.glob(".*.tmp"):
                    leftover.unlink(missing_ok=True)

    # --- reading --------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ScenarioError(
                [
                    Problem(
                        str(self.root), "", f"not a study directory (no readable manifest: {exc})"
                    )
                ]
            ) from None

    def part_path(self, chunk: int) -> Path:
        return self.parts / f"part-{chunk:06d}.parquet"

    def failure_path(self, chunk: int) -> Path:
        return self.failures_dir / f"chunk-{chunk:06d}.json"

    def completed(self) -> set[int]:
        """Chunks whose part file is in place."""
        if not self.parts.is_dir():
            return set()
        return {int(p.stem.removeprefix("part-")) for p in self.parts.glob(PART_GLOB)}

    def failures(self) -> list[Failure]:
        if not self.failures_dir.is_dir():
            return []
        out = []
        for path in sorted(self.failures_dir.glob("chunk-*.json")):
            out.append(Failure(**json.loads(path.read_text("utf-8"))))
        return out

    # --- writing --------------------------------------------------------------------------------

    def write_part(self, chunk: int, part: bytes) -> None:
        """Put a chunk's encoded Parquet part in place (and forget an earlier failure of it)."""
        atomic_write(self.part_path(chunk), part)
        self.failure_path(chunk).unlink(missing_ok=True)

    def write_failure(self, failure: Failure) -> None:
        payload = json.dumps(failure.__dict__, indent=1).encode("utf-8")
        atomic_write(self.failure_path(failure.chunk), payload)
