"""The study directory: spec, manifest, design, and one Parquet part per completed chunk.

    DIR/manifest.json     what the study is (spec, scenario, chunk plan, digest) and the SHA-256
                          and size of the design and of every part stored
    DIR/study.yaml        the study file as written (for people)
    DIR/design.parquet    one row per design point: policy, future, lever and uncertainty values
    DIR/runs/part-000042.parquet     one row per run of chunk 42
    DIR/failures/chunk-000042.json   why chunk 42 failed (removed when a retry succeeds)

Every file is written to a temporary name and renamed into place, so a killed study leaves only
whole files. The manifest is written first: its arrival claims the directory, so a study is
resumable from its first millisecond (a directory holding nothing but temporary files is still
free). While a study runs the manifest is rewritten every few seconds with the checksums of the
parts stored since; a part a kill left unrecorded is accepted only if it decodes into exactly its
chunk's runs. A part that is truncated, overwritten or otherwise damaged is found by its size or
checksum, and a resumed run computes it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from crisislab._version import __version__
from crisislab.errors import OutputError, Problem, StudyError
from crisislab.experiments.design import Chunk, Design
from crisislab.scenario.outcomes import OUTCOMES

if TYPE_CHECKING:
    from crisislab.scenario.parameters import Posterior

FORMAT = 1
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: files get the usual permissions, not mkstemp's private 0600
PART_GLOB = "part-*.parquet"
CHECKPOINT_SECONDS = 2.0  # the manifest's part checksums are brought up to date this often
_HASH_BLOCK = 1 << 20


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to `path` so that readers see the old file or the whole new one, never part.

    A failure (a full disk, a read-only folder) removes the temporary file and is an
    `OutputError` naming `path`, never the temporary name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or type(exc).__name__
    return OutputError([Problem(str(path), "", f"cannot write: {reason}")])


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


def _checksum(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _is_temporary(path: Path) -> bool:
    """A file that `atomic_write` had not yet renamed into place when it was interrupted."""
    return path.name.startswith(".") and path.name.endswith(".tmp") and path.is_file()


@dataclass(frozen=True)
class Failure:
    chunk: int
    point: int
    error: str
    message: str


@dataclass(frozen=True)
class PartCheck:
    """What the parts folder holds: the chunks whose part is whole, and the damaged part files
    (by file name, with what is wrong with each)."""

    good: frozenset[int]
    damaged: dict[str, str] = field(default_factory=dict)

    def describe(self, limit: int = 3) -> str:
        """The damaged parts in a few words: "part-000003.parquet (truncated …), …"."""
        shown = [f"{name} ({why})" for name, why in sorted(self.damaged.items())[:limit]]
        more = len(self.damaged) - limit
        return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


class StudyStore:
    """Reads and writes one study directory."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.parts = self.root / "runs"
        self.failures_dir = self.root / "failures"
        self.manifest_path = self.root / "manifest.json"
        self._state: dict[str, Any] | None = None  # the manifest as this process keeps it
        self._verdicts: dict[str, tuple[tuple[int, int], str | None]] = {}
        self._dirty = False
        self._last_checkpoint = time.monotonic()

    # --- creating and checking -----------------------------------------------------------------

    @staticmethod
    def manifest_for(design: Design, posterior: Posterior | None = None) -> dict[str, Any]:
        """What the study is. Its digest covers the spec, the scenario and, for a study that
        draws its parameters from a posterior, the posterior file's SHA-256 (not its path: the
        same file moved still resumes, another file does not)."""
        what = {
            # the path of the posterior is where it was found, not what the study is
            "spec": design.spec.model_dump(mode="json", exclude={"posterior"}),
            "scenario": design.scenario.model_dump(mode="json"),
        }
        drawn = {} if posterior is None else {"posterior": posterior.digest}
        about = {} if posterior is None else {"posterior": posterior.describe()}
        return {
            "format": FORMAT,
            "crisislab": __version__,
            "digest": _digest({**what, **drawn}),
            "study": design.spec.name,
            "points": design.n_points,
            "policies": len(design.policies),
            "samples": design.n_samples,
            "runs_per_point": design.spec.runs_per_point,
            "total_runs": design.n_points * design.spec.runs_per_point,
            "chunks": len(design.chunks),
            **what,
            **about,
        }

    def prepare(self, design: Design, study_text: str, posterior: Posterior | None = None) -> None:
        """Create the directory for a design, or check that it already holds this very study
        (and put back a study file or design that a kill or a disk left missing or damaged)."""
        design_bytes = self.check(design, study_text, posterior)
        if self._state is not None:
            self._sweep_temporaries()
            self._complete(design_bytes, study_text)
            return
        self._claim()
        manifest = self.manifest_for(design, posterior)
        self._state = {**manifest, "design": _checksum(design_bytes), "parts": {}}
        # the manifest goes first: from the moment it is in place the directory is this study's,
        # and a run that finds the design or the study file missing writes them again
        atomic_write(self.manifest_path, self._manifest_bytes())
        self._complete(design_bytes, study_text)

    def check(self, design: Design, study_text: str, posterior: Posterior | None = None) -> bytes:
        """Refuse, without writing anything, a directory that `prepare` would refuse: another
        study's (another spec, scenario or posterior), a path that is not a directory, or a
        directory with files of someone else's. What an interrupted creation leaves (temporary
        files; the study file and design of this very study, written by an earlier version)
        does not count. Returns the design's bytes."""
        manifest = self.manifest_for(design, posterior)
        design_bytes = parquet_bytes(pa.table(design.rows()))
        if self.manifest_path.exists():
            existing = self.manifest()
            if existing.get("digest") != manifest["digest"]:
                raise StudyError(
                    [Problem(str(self.root), "", _why_not_resumed(existing, manifest))]
                )
            if existing.get("crisislab") != __version__:
                raise StudyError(
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
            if self._state is None or self._state.get("digest") != existing.get("digest"):
                self._state = existing
            return design_bytes
        self._state = None
        if self.root.exists() or self.root.is_symlink():
            if not self.root.is_dir():
                raise StudyError([Problem(str(self.root), "", "exists and is not a directory")])
            ours = {
                "study.yaml": study_text.encode("utf-8"),
                "design.parquet": design_bytes,
            }
            for entry in self.root.iterdir():
                mine = (
                    entry.name in ours
                    and entry.is_file()
                    and entry.read_bytes() == ours[entry.name]
                )
                if _is_temporary(entry) or mine:
                    continue
                raise StudyError(
                    [Problem(str(self.root), "", "directory is not empty and holds no study")]
                )
        return design_bytes

    def _claim(self) -> None:
        """Make the directory (`check` has found it free), without what a creation left."""
        self._sweep_temporaries()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(self.root, exc) from None

    def _complete(self, design_bytes: bytes, study_text: str) -> None:
        """Write the study file and the design if they are missing, and the design if damaged."""
        study_file = self.root / "study.yaml"
        if not study_file.is_file():
            atomic_write(study_file, study_text.encode("utf-8"))
        design_file = self.root / "design.parquet"
        if not self._design_ok():
            atomic_write(design_file, design_bytes)
            if "design" not in self._manifest():
                self._manifest()["design"] = _checksum(design_bytes)
                self._dirty = True

    def _design_ok(self) -> bool:
        path = self.root / "design.parquet"
        recorded = self._manifest().get("design")
        if path.is_symlink() or not path.is_file():  # a link could lead a query anywhere
            return False
        if recorded is None:
            return True
        return path.stat().st_size == recorded["bytes"] and _file_sha256(path) == recorded["sha256"]

    def design_ok(self) -> bool:
        """Whether design.parquet is in place and is the file the study wrote."""
        return self._design_ok()

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
            manifest = json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise StudyError(
                [
                    Problem(
                        str(self.root), "", f"not a study directory (no readable manifest: {exc})"
                    )
                ]
            ) from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("parts", {}), dict):
            raise StudyError(
                [Problem(str(self.manifest_path), "", "not a crisislab study manifest")]
            )
        return manifest

    def _manifest(self) -> dict[str, Any]:
        if self._state is None:
            self._state = self.manifest()
        return self._state

    def part_path(self, chunk: int) -> Path:
        return self.parts / f"part-{chunk:06d}.parquet"

    def failure_path(self, chunk: int) -> Path:
        return self.failures_dir / f"chunk-{chunk:06d}.json"

    def completed(self) -> set[int]:
        """Chunks whose part file is in place (whole or not: `check_parts` tells)."""
        if not self.parts.is_dir():
            return set()
        done = set()
        for path in self.parts.glob(PART_GLOB):
            number = path.stem.removeprefix("part-")
            if number.isdigit():
                done.add(int(number))
        return done

    def check_parts(self, chunks: Iterable[Chunk]) -> PartCheck:
        """Which parts are whole. A part the manifest records must have its size and SHA-256; a
        part stored after the manifest was last brought up to date (a kill can leave a few) must
        decode into exactly its chunk's runs, and is then recorded (written by `checkpoint`).
        A file named like a part that belongs to no chunk of the design is damaged too. Results
        are kept per file while its size and modification time stay the same."""
        by_name = {self.part_path(c.index).name: c for c in chunks}
        good: set[int] = set()
        damaged: dict[str, str] = {}
        if not self.parts.is_dir():
            return PartCheck(frozenset())
        for path in sorted(self.parts.glob(PART_GLOB)):
            chunk = by_name.get(path.name)
            if chunk is None:
                damaged[path.name] = "no chunk of this study has that name"
                continue
            problem = self._verdict(path, chunk)
            if problem is None:
                good.add(chunk.index)
            else:
                damaged[path.name] = problem
        return PartCheck(frozenset(good), damaged)

    def _verdict(self, path: Path, chunk: Chunk) -> str | None:
        try:
            stat = path.lstat()
        except OSError as exc:
            return f"cannot be read: {exc.strerror}"
        if not S_ISREG(stat.st_mode):  # a link could lead a query to any file
            return "not a regular file"
        key = (stat.st_size, stat.st_mtime_ns)
        cached = self._verdicts.get(path.name)
        if cached is not None and cached[0] == key:
            return cached[1]
        recorded = self._manifest().get("parts", {}).get(path.name)
        problem: str | None
        try:
            if recorded is not None:
                problem = _against_record(path, stat.st_size, recorded)
            else:
                problem = _decodes_to(path, chunk)
                if problem is None:
                    self._manifest().setdefault("parts", {})[path.name] = {
                        "sha256": _file_sha256(path),
                        "bytes": stat.st_size,
                    }
                    self._dirty = True
        except OSError as exc:
            problem = f"cannot be read: {exc.strerror}"
        self._verdicts[path.name] = (key, problem)
        return problem

    def failures(self) -> list[Failure]:
        if not self.failures_dir.is_dir():
            return []
        out = []
        for path in sorted(self.failures_dir.glob("chunk-*.json")):
            try:
                out.append(Failure(**json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError, TypeError) as exc:  # damaged: still a failed chunk
                number = path.stem.removeprefix("chunk-")
                chunk = int(number) if number.isdigit() else -1
                out.append(Failure(chunk, -1, "unreadable", f"{path.name}: {exc}"))
        return out

    # --- writing --------------------------------------------------------------------------------

    def discard(self, names: Iterable[str]) -> None:
        """Remove damaged part files, so that only whole parts are ever in the parts folder."""
        for name in names:
            (self.parts / name).unlink(missing_ok=True)
            self._verdicts.pop(name, None)

    def write_part(self, chunk: int, part: bytes) -> None:
        """Put a chunk's encoded Parquet part in place (and forget an earlier failure of it);
        its checksum goes into the manifest at the next checkpoint."""
        path = self.part_path(chunk)
        atomic_write(path, part)
        self._manifest().setdefault("parts", {})[path.name] = _checksum(part)
        self._verdicts.pop(path.name, None)
        self._dirty = True
        self.failure_path(chunk).unlink(missing_ok=True)
        if time.monotonic() - self._last_checkpoint >= CHECKPOINT_SECONDS:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Bring the manifest's checksums up to date (atomically), if anything changed."""
        if self._dirty and self._state is not None:
            atomic_write(self.manifest_path, self._manifest_bytes())
            self._dirty = False
        self._last_checkpoint = time.monotonic()

    def _manifest_bytes(self) -> bytes:
        state = self._manifest()
        state["parts"] = dict(sorted(state.get("parts", {}).items()))
        return json.dumps(state, indent=1).encode("utf-8")

    def write_failure(self, failure: Failure) -> None:
        payload = json.dumps(failure.__dict__, indent=1).encode("utf-8")
        atomic_write(self.failure_path(failure.chunk), payload)


def _posterior_words(about: Any) -> str:
    if not isinstance(about, Mapping):
        return "no posterior (fixed parameters)"
    name = about.get("posterior") or "a posterior"
    return f"the posterior {name} (sha256 {str(about.get('sha256', ''))[:12]}…)"


def _why_not_resumed(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    """Why a directory holding another study is refused: its posterior, else its definition."""
    study = existing.get("study")
    had, has = existing.get("posterior"), wanted.get("posterior")
    sha = [about.get("sha256") if isinstance(about, Mapping) else None for about in (had, has)]
    if sha[0] != sha[1]:
        return (
            f"this directory holds the study {study!r} run with {_posterior_words(had)}, and "
            f"this run has {_posterior_words(has)}: a study resumes only with the posterior it "
            "started with (the same file, by its SHA-256); give that one (--posterior, or the "
            "study file's `posterior:`) or choose another --dir"
        )
    return (
        f"this directory holds the study {study!r} with a different specification or scenario; "
        "choose another --dir"
    )


def _against_record(path: Path, size: int, recorded: Mapping[str, Any]) -> str | None:
    if size != recorded.get("bytes"):
        return f"{size:,} bytes where {recorded.get('bytes'):,} were stored: truncated or replaced"
    if _file_sha256(path) != recorded.get("sha256"):
        return "its SHA-256 differs from the one recorded: damaged or replaced"
    return None


def _decodes_to(path: Path, chunk: Chunk) -> str | None:
    """None if the file is a Parquet part holding exactly the runs of `chunk`, else what is not."""
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for damaged files
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"not a readable Parquet file ({reason})"
    if table.num_rows != chunk.runs:
        return f"holds {table.num_rows:,} runs where its chunk has {chunk.runs:,}"
    names = set(table.column_names)
    if not {"point", "run", "outcome"} <= names:
        return "lacks the point, run or outcome column"
    points = table.column("point").to_numpy()
    runs = table.column("run").to_numpy()
    expected = np.arange(chunk.first_run, chunk.first_run + chunk.runs)
    if not (np.all(points == chunk.point) and np.array_equal(runs, expected)):
        return "holds runs of another chunk"
    return None
