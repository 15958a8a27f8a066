"""Truth and perception never mix: the decision code of the day loop reads only what the decider
perceives (`view` fields) and its own private facts (`own` fields), as state.py declares them."""

from __future__ import annotations

import ast
import inspect

import pytest

from crisislab.engine import kernel, state

DECISIONS = ("choose_responses", "doctrine_response", "logit_response", "worst_new_slot")
ALLOWED = {"view", "own"}


def _fields_read(function_name: str) -> set[str]:
    """Every declared state field a function of the kernel reads (col.F_X, col.SLI_X, ...),
    leaving out the targets of writes such as `I[col.I_ORDERS + side, j] += 1`."""
    source = inspect.getsource(getattr(kernel, function_name).py_func)
    tree = ast.parse(source)
    written = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                written.add(id(sub))
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and id(node) not in written
            and isinstance(node.value, ast.Name)
            and node.value.id == "col"
        ):
            prefix, _, rest = node.attr.partition("_")
            if prefix in {"F", "I", "SLF", "SLI"}:
                names.add(rest.lower())
    return names


@pytest.mark.parametrize("function_name", DECISIONS)
def test_decisions_read_only_perceived_or_own_state(function_name: str) -> None:
    for name in _fields_read(function_name):
        assert name in state.BY_NAME, f"{function_name} reads an undeclared field {name}"
        part = state.BY_NAME[name].part
        assert part in ALLOWED, f"{function_name} reads {name}, a {part} field"


def test_the_check_sees_reads_of_truth() -> None:
    """The check itself: a function that reads the truth is caught (end_day reads the ledger)."""
    parts = {state.BY_NAME[name].part for name in _fields_read("end_day")}
    assert parts - ALLOWED


def test_choose_responses_reads_belief_and_slots() -> None:
    assert {"belief", "role", "group", "commitment", "limited"} <= _fields_read("choose_responses")
