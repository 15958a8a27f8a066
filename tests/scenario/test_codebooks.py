"""Worked values from the packaged codebooks, checked against the data files by hand."""

from __future__ import annotations

from importlib.resources import files

import pytest

from crisislab.scenario import codebooks as cb
from crisislab.scenario.codebooks import (
    RIVERA_SCORES,
    all_cameo_codes,
    cameo_label,
    goldstein,
    is_cameo_code,
    plover_category,
    plover_score,
    rivera_score,
)

DATA_FILES = [
    "gdelt_CAMEO.eventcodes.txt",
    "gdelt_CAMEO.goldsteinscale.txt",
    "icews_pkg_cameo-codes.csv",
    "plover_CAMEO2PLOVER-2021.txt",
    "plover_scores.csv",
    "polecat_types_modes.csv",
    "SOURCES.md",
]


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_files_are_package_resources(name: str) -> None:
    assert (files("crisislab.scenario") / "data" / name).is_file()


def test_goldstein_worked_values() -> None:
    assert goldstein("195") == -10.0
    assert goldstein("010") == 0.0
    assert goldstein("018") == 3.4
    assert goldstein("016") == -2.0  # GDELT value; the CAMEO codebook says -5
    assert goldstein("106") == -5.0  # missing from GDELT, filled in from the codebook


def test_codes_are_strings_and_leading_zeros_matter() -> None:
    assert cameo_label("010") == "Make statement"
    assert cameo_label("10") == "DEMAND"
    assert goldstein("10") == -5.0 != goldstein("010")
    assert is_cameo_code("010") and is_cameo_code("10")
    assert not is_cameo_code("0010")
    assert not is_cameo_code(10)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="strings"):
        cameo_label(10)  # type: ignore[arg-type]


def test_labels() -> None:
    assert "aerial weapons" in cameo_label("195").lower()
    assert cameo_label("044") == "Meet at a 'third' location"  # mis-encoded in the GDELT table
    assert cameo_label("105") == "Demand that target yields"  # GDELT has an older label
    assert cameo_label("2042") == "Detonate nuclear weapons"


@pytest.mark.parametrize("query", [cameo_label, goldstein, plover_category])
@pytest.mark.parametrize("code", ["999", "0", "", "1999", " 195"])
def test_unknown_codes_raise_key_error(query, code: str) -> None:
    with pytest.raises(KeyError, match="unknown CAMEO code"):
        query(code)


def test_all_cameo_codes() -> None:
    codes = all_cameo_codes()
    assert isinstance(codes, frozenset)
    assert len(codes) == 312
    assert {"01", "010", "195", "2042", "106", "1213"} <= codes
    assert all(code.isdigit() and 2 <= len(code) <= 4 for code in codes)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("030", ("AGREE", "")),  # third field "diplomatic" is the context, not the mode
        ("041", ("CONSULT", "phone")),
        ("043", ("CONSULT", "visit")),
        ("0861", ("RETREAT", "access")),  # written "access ," in the file
        ("1056", ("REQUEST", "yield")),
        ("138", ("THREATEN", "violence")),
        ("163", ("COERCE", "restrict")),  # listed among the SANCTION codes
        ("1712", ("ASSAULT", "seize")),
        ("191", ("COERCE", "restrict")),  # listed under the 17 heading
        ("195", ("ASSAULT", "heavy-weapons")),
        ("2042", ("ASSAULT", "unconventional")),
        ("20", ("ASSAULT", "")),
        ("08", ("CONCEDE", "")),  # "08" appears twice; the first entry wins
    ],
)
def test_plover_category(code: str, expected: tuple[str, str]) -> None:
    assert plover_category(code) == expected


def test_statements_and_appeals_have_no_plover_mapping() -> None:
    for code in ("01", "010", "0214", "028"):
        with pytest.raises(KeyError, match="no PLOVER mapping"):
            plover_category(code)


def test_plover_category_falls_back_to_parent_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cb, "_plover_map", lambda: {"19": ("ASSAULT", ""), "195": ("X", "m")})
    assert plover_category("195") == ("X", "m")
    assert plover_category("194") == ("ASSAULT", "")
    monkeypatch.setattr(cb, "_plover_map", lambda: {"121": ("REJECT", "assist")})
    assert plover_category("1213") == ("REJECT", "assist")


def test_every_cameo_code_from_03_on_is_mapped_and_scorable() -> None:
    for code in all_cameo_codes():
        if code[:2] in ("01", "02"):
            continue
        category, mode = plover_category(code)
        assert -10.0 <= plover_score(category, mode) <= 10.0


def test_plover_score() -> None:
    assert plover_score("CONSULT") == 2.5
    assert plover_score("CONSULT", "visit") == 4.0
    assert plover_score("consult", "Visit") == 4.0
    assert plover_score("ASSAULT", "heavy-weapons") == -9.5
    assert plover_score("ASSAULT", "massacre") == -9.0  # no row for this mode: category base
    assert plover_score("ACCUSE") == 3.0  # as published, probably a sign error
    assert plover_score(*plover_category("042")) == 4.0
    with pytest.raises(KeyError, match="unknown PLOVER category"):
        plover_score("APPEAL")


def test_rivera_scores() -> None:
    assert RIVERA_SCORES == {
        "deescalation": -2,
        "status_quo": 0,
        "posturing": 4,
        "nonviolent_escalation": 12,
        "violent_escalation": 28,
        "nuclear": 60,
    }
    assert rivera_score("posturing") == 4
    assert rivera_score("nuclear") == 60
    with pytest.raises(KeyError, match="unknown Rivera category"):
        rivera_score("de-escalation")
