"""docs/model.md's state table is the declaration in src/crisislab/engine/state.py, as it stands."""

from __future__ import annotations

from pathlib import Path

from crisislab.engine import layout, state

MODEL = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def test_the_state_table_in_the_model_reference_is_generated_from_the_declaration() -> None:
    text = MODEL.read_text(encoding="utf-8")
    start = text.index("<!-- state-table:")
    body = text[text.index("\n", start) + 1 : text.index("<!-- /state-table -->")].strip()
    assert body == state.state_table(), (
        "docs/model.md: paste crisislab.engine.state.state_table() between the state-table marks"
    )


def test_every_declared_field_has_its_own_columns() -> None:
    for prefix, kind, slot in (("F", "float", False), ("I", "int", False)):
        taken: set[int] = set()
        for f in state.FIELDS:
            if f.kind != kind or (f.shape == "slot") != slot:
                continue
            first = layout.COLUMNS[f"{prefix}_{f.name.upper()}"]
            columns = set(range(first, first + f.width))
            assert not columns & taken, f.name
            taken |= columns
        assert taken == set(range(layout.COLUMNS[f"{prefix}_COLUMNS"]))
