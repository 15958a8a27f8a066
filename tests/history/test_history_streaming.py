"""Importers stream: reading a file of tens of MB allocates a small, bounded amount of memory."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

from crisislab.history import read_events

FIXTURES = Path(__file__).parent / "fixtures"
TARGET_BYTES = 24_000_000
# Wide rows keep the row count (and so the time under tracemalloc) low for the size: the test is
# about memory against file size. Long source URLs are common in GDELT.
URL_PADDING = "?utm=" + "x" * 1_000


@pytest.fixture(scope="module")
def big_gdelt(tmp_path_factory) -> tuple[Path, int]:
    """A GDELT 2.0 export of about 24 MB built from the sample rows, and its row count."""
    rows = [
        line + URL_PADDING
        for line in (FIXTURES / "gdelt_20200108.export.CSV").read_text().splitlines()
    ]
    block = ("\n".join(rows) + "\n") * 100
    path = tmp_path_factory.mktemp("big") / "20200108.export.CSV"
    count = 0
    with path.open("w") as fh:
        while fh.tell() < TARGET_BYTES:
            fh.write(block)
            count += 100 * len(rows)
    return path, count


def peak_while_reading(path: Path) -> tuple[int, int]:
    """(records read, peak bytes allocated while reading them)."""
    list(read_events(FIXTURES / "gdelt_20200108.export.CSV"))  # warm the codebook caches
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_events(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_reading_a_large_gdelt_file_allocates_a_small_fraction_of_its_size(big_gdelt):
    path, rows = big_gdelt
    size = path.stat().st_size
    assert size >= TARGET_BYTES
    count, peak = peak_while_reading(path)
    assert count == rows
    assert peak < size / 50, f"peak {peak:,} bytes while reading {size:,} bytes"


def test_reading_a_large_zipped_gdelt_file_streams_too(big_gdelt, tmp_path):
    path, rows = big_gdelt
    zipped = tmp_path / "20200108.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(path, "20200108.export.CSV")
    count, peak = peak_while_reading(zipped)
    assert count == rows
    assert peak < path.stat().st_size / 50, f"peak {peak:,} bytes"
