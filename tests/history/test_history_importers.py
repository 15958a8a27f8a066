"""Importers: each format on fixtures in its published layout; bad rows reported with lines."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import doctest
import gzip
import zipfile
from pathlib import Path

import pytest

import crisislab.history
import crisislab.history.importers
from crisislab.errors import TimelineError
from crisislab.history import (
    EventRecord,
    ImportReport,
    detect_format,
    plover_to_cameo,
    quad_class,
    read_events,
)
from crisislab.history.importers import GDELT_COLUMNS, _polecat_table
from crisislab.scenario.codebooks import goldstein

FIXTURES = Path(__file__).parent / "fixtures"
GDELT = FIXTURES / "gdelt_20200108.export.CSV"
GDELT_HEADER = FIXTURES / "gdelt_20200108_header.tsv"
GDELT_ZIP = FIXTURES / "gdelt_20200108.export.CSV.zip"
GDELT_BAD = FIXTURES / "gdelt_bad_rows.tsv"
OWN = FIXTURES / "crisislab_events.csv"
OWN_BAD = FIXTURES / "crisislab_bad_rows.csv"
PLOVER_CSV = FIXTURES / "plover_events.csv"
PLOVER_JSONL = FIXTURES / "plover_events.jsonl"


def read(path: Path, **kwargs) -> tuple[list[EventRecord], ImportReport]:
    stream = read_events(path, **kwargs)
    records = list(stream)
    return records, stream.report


def problem_lines(report: ImportReport) -> list[int | None]:
    return [p.line for p in report.problems]


def without_origin(record: EventRecord) -> EventRecord:
    return dataclasses.replace(record, file="", line=0)


# --- GDELT ------------------------------------------------------------------------------------


def test_gdelt_export_without_header_reads_every_row_with_its_codes():
    records, report = read(GDELT)
    assert (report.format, report.read, report.kept, report.rejected) == ("gdelt", 6, 6, 0)
    first = records[0]
    assert first.date == dt.date(2020, 1, 3)
    assert (first.actor, first.target, first.cameo) == ("USAMIL", "IRNMIL", "186")
    assert (first.plover, first.plover_mode, first.goldstein) == ("ASSAULT", "assassinate", -10.0)
    assert (first.quad, first.line, first.event_id) == (4, 1, "899000001")
    assert first.source == "https://example.org/news/2020/01/03/baghdad-airport-strike"
    assert first.description == "UNITED STATES → IRAN: Assassinate"
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6]


def test_gdelt_codes_stay_strings_and_statements_have_no_plover_category():
    records, _ = read(GDELT)
    statement = next(r for r in records if r.event_id == "899000005")
    assert statement.cameo == "010" and statement.root == "01"
    assert statement.plover is None and statement.score is None
    assert statement.cameo_label == "Make statement"
    assert next(r for r in records if r.event_id == "899000004").cameo == "0356"


def test_gdelt_event_without_a_target_is_kept_with_an_empty_target():
    records, _ = read(GDELT)
    apology = records[-1]
    assert (apology.actor, apology.target, apology.cameo) == ("IRNMIL", "", "055")


def test_gdelt_header_row_is_recognised_and_counted_in_line_numbers():
    plain, _ = read(GDELT)
    headed, report = read(GDELT_HEADER)
    assert report.ok and report.read == 6
    assert [r.line for r in headed] == [2, 3, 4, 5, 6, 7]
    assert [without_origin(r) for r in headed] == [without_origin(r) for r in plain]


def test_gdelt_comma_separated_export_with_header_is_read(tmp_path):
    path = tmp_path / "bigquery-export.csv"
    with GDELT_HEADER.open() as src, path.open("w", newline="") as dst:
        csv.writer(dst).writerows(line.rstrip("\n").split("\t") for line in src)
    records, report = read(path)
    assert report.format == "gdelt" and report.ok
    assert [r.cameo for r in records] == [r.cameo for r in read(GDELT)[0]]


def test_gdelt_zip_is_streamed_without_extracting(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the importer must not extract archives to disk")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    zipped, report = read(GDELT_ZIP)
    assert report.ok and report.format == "gdelt"
    assert zipped[0].file == f"{GDELT_ZIP}[20200108.export.CSV]"
    assert [without_origin(r) for r in zipped] == [without_origin(r) for r in read(GDELT)[0]]


def test_gdelt_zip_member_problems_name_the_member_and_its_line(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("20200108.export.CSV", GDELT_BAD.read_bytes())
    _, report = read(path)
    assert problem_lines(report) == [2, 3, 4, 6, 8]
    assert str(report.problems[0]).startswith(f"{path}[20200108.export.CSV]:2:")


def test_gzip_files_are_read_through(tmp_path):
    path = tmp_path / "20200108.export.CSV.gz"
    path.write_bytes(gzip.compress(GDELT.read_bytes()))
    records, report = read(path)
    assert report.ok and len(records) == 6


def test_gdelt_bad_rows_are_reported_with_file_and_line():
    records, report = read(GDELT_BAD)
    assert [r.line for r in records] == [1, 7, 9]
    assert (report.read, report.kept, report.rejected) == (8, 3, 5)
    assert problem_lines(report) == [2, 3, 4, 6, 8]
    messages = [p.message for p in report.problems]
    assert "GDELT 1.0" in messages[0]
    assert "month must be in 1..12" in messages[1]
    assert "unknown CAMEO code '999'" in messages[2]
    assert "expected a date as YYYYMMDD" in messages[3]
    assert "not UTF-8" in messages[4]
    assert all(p.source == str(GDELT_BAD) for p in report.problems)
    assert str(report.problems[2]) == (f"{GDELT_BAD}:4:1: EventCode: unknown CAMEO code '999'")


def test_gdelt_goldstein_differing_from_the_codebook_is_a_warning(tmp_path):
    fields = GDELT.read_text().splitlines()[2].split("\t")
    fields[GDELT_COLUMNS.index("GoldsteinScale")] = "-3.0"
    path = tmp_path / "x.export.CSV"
    path.write_text("\t".join(fields) + "\n")
    records, report = read(path)
    assert report.ok and records[0].goldstein == goldstein("195") == -10.0
    assert report.warning_count == 1 and "differs from the codebook" in report.warnings[0].message


# --- the project's CSV ------------------------------------------------------------------------


def test_own_csv_reads_quoting_multiline_fields_and_rows_without_url():
    records, report = read(OWN)
    assert report.format == "crisislab" and report.ok and report.warning_count == 0
    assert [r.line for r in records] == [2, 3, 4, 6]
    assert records[1].description == 'FM Zarif: "We do not seek escalation or war."'
    assert records[2].description == "A description over\ntwo lines, quoted as CSV allows."
    assert records[2].source == str(OWN)  # no URL: the file label
    assert records[0].action == "targeted_killing"
    assert [r.cameo for r in records] == ["186", "0356", "010", "163"]
    assert [r.goldstein for r in records] == [-10.0, 7.0, 0.0, -8.0]


def test_own_csv_bad_rows_are_reported_with_line_numbers():
    records, report = read(OWN_BAD)
    assert [r.line for r in records] == [2, 11]
    assert (report.read, report.kept, report.rejected) == (9, 2, 7)
    by_line = {p.line: p for p in report.problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert by_line[3].path == "date" and "month" in by_line[3].message
    assert by_line[4].path == "cameo_code" and "'999'" in by_line[4].message
    assert "leading zero was lost" in by_line[5].message
    assert by_line[6].path == "date"
    assert by_line[7].path == "actor"
    assert "expected 9 fields, found 10" in by_line[8].message
    assert by_line[9].path == "goldstein"
    assert {(w.line, w.path) for w in report.warnings} == {(11, "cameo_label"), (11, "goldstein")}
    assert records[1].goldstein == 7.0  # the codebook's, not the file's 6.0


@pytest.mark.parametrize(
    ("code", "hint"),
    [("999", ""), ("1O", ""), ("10a", ""), ("56", "'056'"), ("0010", "")],
)
def test_unknown_cameo_codes_are_problems(tmp_path, code, hint):
    path = tmp_path / "events.csv"
    path.write_text(f"date,actor,target,cameo_code\n2020-01-08,IRN,USA,{code}\n")
    records, report = read(path)
    assert records == [] and problem_lines(report) == [2]
    assert f"unknown CAMEO code {code!r}" in report.problems[0].message
    assert hint in report.problems[0].message


def test_missing_required_column_is_a_file_problem(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("date,actor,cameo_code\n2020-01-08,IRN,138\n")
    with pytest.raises(TimelineError) as exc:
        list(read_events(path, format="crisislab"))
    assert exc.value.problems[0].line == 1
    assert "missing column(s) target" in str(exc.value)


def test_unbalanced_quote_is_reported_at_its_line_with_the_span(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "date,actor,target,description,cameo_code\n"
        "2020-01-08,IRN,USA,fine,138\n"
        '2020-01-09,IRN,USA,"broken,138\n'
        "2020-01-10,IRN,USA,swallowed,138\n"
    )
    records, report = read(path)
    assert [r.line for r in records] == [2]
    assert problem_lines(report) == [3]
    assert "lines 3-4" in report.problems[0].message


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xef\xbb\xbfdate,actor,target,cameo_code\r\n2020-01-08,IRN,USA,138\r\n")
    records, report = read(path)
    assert report.ok and records[0].cameo == "138" and records[0].line == 2


def test_overlong_line_is_rejected_without_reading_it_whole(tmp_path):
    path = tmp_path / "events.csv"
    with path.open("w") as fh:
        fh.write("date,actor,target,description,cameo_code\n")
        fh.write("2020-01-08,IRN,USA," + "x" * 1_200_000 + ",138\n")
        fh.write("2020-01-09,IRN,USA,short,138\n")
    records, report = read(path)
    assert [r.line for r in records] == [3]
    assert problem_lines(report) == [2] and "longer than" in report.problems[0].message


# --- strict mode and the report ---------------------------------------------------------------


def test_strict_mode_raises_scenario_error_listing_every_bad_line():
    with pytest.raises(TimelineError) as exc:
        list(read_events(OWN_BAD, strict=True))
    assert [p.line for p in exc.value.problems] == [3, 4, 5, 6, 7, 8, 9]
    assert f"{OWN_BAD}:3:1: date:" in str(exc.value)


def test_strict_mode_reads_a_clean_file():
    assert len(list(read_events(GDELT_ZIP, strict=True))) == 6


def test_problems_are_capped_in_memory_but_all_counted(tmp_path):
    path = tmp_path / "events.csv"
    rows = "".join(f"2020-01-{1 + i % 28:02d},IRN,USA,999\n" for i in range(50))
    path.write_text("date,actor,target,cameo_code\n" + rows)
    _, report = read(path, max_problems=10)
    assert (report.problem_count, len(report.problems), report.omitted) == (50, 10, 40)
    assert problem_lines(report) == list(range(2, 12))
    error = report.error()
    assert len(error.problems) == 11 and "40 more problems" in error.problems[-1].message
    assert "rejected 50 (50 problems" in report.summary()


# --- PLOVER and POLECAT -----------------------------------------------------------------------


def test_polecat_style_csv_maps_types_to_cameo_roots():
    records, report = read(PLOVER_CSV)
    assert report.format == "plover"
    assert [(r.event_id, r.cameo, r.plover, r.plover_mode) for r in records] == [
        ("pc-0001", "18", "ASSAULT", "assassinate"),
        ("pc-0002", "10", "REQUEST", ""),
        ("pc-0003", "19", "ASSAULT", "heavy-weapons"),
        ("pc-0004", "13", "THREATEN", "violence"),
        ("pc-0005", "16", "SANCTION", ""),
        ("pc-0006", "08", "CONCEDE", ""),
        ("pc-0009", "18", "ASSAULT", "teleport"),
    ]
    first = records[0]
    assert (first.actor, first.target) == ("USA", "IRN")  # the country codes, not the names
    assert first.description == "US strike kills Iranian commander in Baghdad"
    assert first.goldstein == goldstein("18") and first.quad == 4
    assert records[2].score == -9.5  # ASSAULT/heavy-weapons in the PLOVER score table
    assert records[5].quad == 1  # CONCEDE is verbal cooperation in PLOVER, unlike CAMEO 08


def test_polecat_style_csv_bad_rows_and_unknown_modes_are_reported():
    _, report = read(PLOVER_CSV)
    assert problem_lines(report) == [8, 9]
    assert "unknown PLOVER event type 'surrender'" in report.problems[0].message
    assert "day is out of range" in report.problems[1].message
    assert [(w.line, w.path) for w in report.warnings] == [(10, "event_mode")]


def test_polecat_tab_separated_file_is_read(tmp_path):
    path = tmp_path / "ngec_coded_events.txt"
    with PLOVER_CSV.open(newline="") as src, path.open("w", newline="") as dst:
        csv.writer(dst, delimiter="\t").writerows(csv.reader(src))
    records, report = read(path)
    assert report.format == "plover" and len(records) == 7


def test_plover_json_lines_read_entity_objects_lists_and_citations():
    records, _ = read(PLOVER_JSONL)
    assert [r.line for r in records] == [1, 2, 4, 8]
    first = records[0]
    assert (first.actor, first.target, first.cameo, first.plover_mode) == (
        "IRN",
        "USA",
        "19",
        "heavy-weapons",
    )
    assert first.source == "https://example.org/2020/01/08/al-asad"
    assert first.description == "Ballistic missiles hit Ain al-Asad and Erbil."
    assert (records[1].cameo, records[1].plover, records[1].source) == (
        "03",
        "AGREE",
        str(PLOVER_JSONL),
    )
    assert records[2].cameo == "11" and records[2].actor == "GBR"
    assert (records[3].actor, records[3].cameo, records[3].plover_mode) == ("UNK", "19", "drone")


def test_plover_json_lines_bad_lines_are_reported():
    _, report = read(PLOVER_JSONL)
    assert problem_lines(report) == [5, 6, 7]
    assert "malformed JSON" in report.problems[0].message
    assert "'bombard'" in report.problems[1].message
    assert "JSON object" in report.problems[2].message
    assert [(w.line, w.message) for w in report.warnings] == [(4, "3 values; the first is used")]


@pytest.mark.parametrize(
    ("category", "mode", "code"),
    [
        ("AGREE", "", "03"),
        ("consult", "phone", "04"),
        ("ACCUSE", "", "11"),
        ("ACCUSE", "investigate", "09"),
        ("RETREAT", "withdraw", "08"),
        ("CONCEDE", "", "08"),
        ("SANCTION", "", "16"),
        ("COERCE", "seize", "17"),
        ("ASSAULT", "", "18"),
        ("ASSAULT", "firearms", "19"),
        ("ASSAULT", "aerial", "19"),
        ("ASSAULT", "massacre", "20"),
        ("ASSAULT", "unconventional", "20"),
    ],
)
def test_plover_types_map_to_root_level_cameo_codes(category, mode, code):
    assert plover_to_cameo(category, mode) == code


def test_every_polecat_type_and_mode_has_a_root_code_with_a_goldstein_score():
    quads, modes = _polecat_table()
    for kind in quads:
        assert len(plover_to_cameo(kind)) == 2
    for kind, mode in modes:
        code = plover_to_cameo(kind, mode)
        assert len(code) == 2 and -10 <= goldstein(code) <= 10
        assert quad_class(code) in (1, 2, 3, 4)


def test_unknown_plover_category_raises_key_error():
    with pytest.raises(KeyError, match="unknown PLOVER category"):
        plover_to_cameo("BOMBARD")


# --- detection and file errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (GDELT, "gdelt"),
        (GDELT_HEADER, "gdelt"),
        (GDELT_ZIP, "gdelt"),
        (GDELT_BAD, "gdelt"),
        (OWN, "crisislab"),
        (OWN_BAD, "crisislab"),
        (PLOVER_CSV, "plover"),
        (PLOVER_JSONL, "plover"),
    ],
)
def test_format_is_detected_from_the_first_line(path, expected):
    assert detect_format(path) == expected


def test_unrecognised_file_raises_a_scenario_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("\n\nnot, an, event, file\n")
    with pytest.raises(TimelineError, match="cannot tell the event-data format"):
        read_events(path)


def test_missing_file_and_unknown_format_name_raise_scenario_errors(tmp_path):
    with pytest.raises(TimelineError, match="no such file"):
        read_events(tmp_path / "missing.csv")
    with pytest.raises(TimelineError, match="unknown format 'icews'"):
        read_events(OWN, format="icews")


def test_empty_files_yield_nothing(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(TimelineError, match="empty"):
        read_events(path)
    records, report = read(path, format="gdelt")
    assert records == [] and report.read == 0


def test_corrupt_zip_raises_a_scenario_error(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(TimelineError, match="zip"):
        list(read_events(path, format="gdelt"))


def test_corrupt_gzip_raises_a_scenario_error(tmp_path):
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress(OWN.read_bytes())[:40])
    with pytest.raises(TimelineError, match="cannot read or decompress"):
        list(read_events(path, format="crisislab"))
    with pytest.raises(TimelineError, match="cannot read or decompress"):
        read_events(path)


def test_stream_can_be_closed_early():
    with read_events(GDELT) as stream:
        first = next(stream)
    assert first.line == 1
    with pytest.raises(StopIteration):
        next(stream)


# --- records ----------------------------------------------------------------------------------


def test_records_are_frozen():
    record = next(iter(read_events(GDELT)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.cameo = "190"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("code", "quad"), [("010", 1), ("057", 1), ("06", 2), ("087", 2), ("0871", 2), ("112", 3)]
)
def test_quad_class_follows_the_cameo_root(code, quad):
    assert quad_class(code) == quad


def test_quad_class_of_conflict_roots_and_bad_roots():
    assert {quad_class(c) for c in ("14", "145", "19", "2042")} == {4}
    with pytest.raises(ValueError):
        quad_class("21")


def test_module_docstring_examples_run():
    for module in (crisislab.history, crisislab.history.importers):
        failures, _ = doctest.testmod(module, verbose=False)
        assert failures == 0
