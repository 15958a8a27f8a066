"""Truth and perception never mix: the decision code of the day loop reads only what the decider
perceives (`view` fields) and its own private facts (`own` fields), as state.py declares them
(MODEL.md §3, §5)."""

from __future__ import annotations

import ast
import inspect

import pytest

from crisislab.engine import kernel, state

# Every decision function of the kernel (version 2, MODEL.md §5): a leadership's orders to its
# armed groups and the quantal response that answers an attack, with the pieces they call.
DECISIONS = (
    "decide_orders",
    "order_utility",
    "answer_utilities",
    "quantal_choice",
    "choose_responses",
    "worst_new_slot",
    "answer_rate",
    "logistic",
)
ALLOWED = {"view", "own"}
TABLE_PARTS = {name: part for name, _, part, _ in state.TABLES}


def _tree(function_name: str) -> ast.AST:
    return ast.parse(inspect.getsource(getattr(kernel, function_name).py_func))


def _written(tree: ast.AST) -> set[int]:
    """The nodes that are targets of writes, such as `I[col.I_ORDERS + side, j] += 1`."""
    written = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                written.add(id(sub))
    return written


def _field(node: ast.AST) -> str | None:
    """The declared field named by `col.F_X`, `col.I_X`, `col.SLF_X` or `col.SLI_X`."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "col"
    ):
        prefix, _, rest = node.attr.partition("_")
        if prefix in {"F", "I", "SLF", "SLI"}:
            return rest.lower()
    return None


def _fields_read(function_name: str) -> set[str]:
    """Every declared state field a function of the kernel reads (col.F_X, col.SLI_X, ...), and
    every per-run table it reads through the state (S.grievance, S.deaths, ...), leaving out the
    targets of writes."""
    tree = _tree(function_name)
    written = _written(tree)
    names = set()
    for node in ast.walk(tree):
        if id(node) in written:
            continue
        name = _field(node)
        if name is not None:
            names.add(name)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "S"
            and node.attr in TABLE_PARTS
        ):
            names.add(node.attr)
    return names


def _part(name: str) -> str:
    return state.BY_NAME[name].part if name in state.BY_NAME else TABLE_PARTS[name]


@pytest.mark.parametrize("function_name", DECISIONS)
def test_decisions_read_only_perceived_or_own_state(function_name: str) -> None:
    for name in _fields_read(function_name):
        assert name in state.BY_NAME or name in TABLE_PARTS, (
            f"{function_name} reads an undeclared field {name}"
        )
        part = _part(name)
        assert part in ALLOWED, f"{function_name} reads {name}, a {part} field"


def _other_sides_own_reads(tree: ast.AST) -> list[str]:
    """Reads of a side's `own` field at any column but `+ side`, the decider's own."""
    written, found = _written(tree), []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Subscript) or id(node) in written:
            continue
        index = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
        named = [f for f in map(_field, ast.walk(index)) if f in state.BY_NAME]
        own = [
            f for f in named if state.BY_NAME[f].part == "own" and state.BY_NAME[f].shape == "side"
        ]
        at_side = (
            isinstance(index, ast.BinOp)
            and isinstance(index.op, ast.Add)
            and _field(index.left) is not None
            and isinstance(index.right, ast.Name)
            and index.right.id == "side"
        )
        if own and not at_side:
            found.append(ast.unparse(index))
    return found


@pytest.mark.parametrize("function_name", DECISIONS)
def test_decisions_read_their_own_side_s_private_facts_only(function_name: str) -> None:
    """An `own` field is a leadership's private fact: a decision reads it at `+ side`, its own
    column, never the other side's (its resolve, its grievance, its orders)."""
    assert _other_sides_own_reads(_tree(function_name)) == []


def test_the_pure_utilities_take_no_state() -> None:
    """The utilities and the choice are functions of figures passed to them: no state at all."""
    for name in ("order_utility", "answer_utilities", "quantal_choice", "answer_rate", "logistic"):
        args = inspect.signature(getattr(kernel, name).py_func).parameters
        assert "S" not in args, name
        assert _fields_read(name) == set(), name


def test_the_check_sees_reads_of_truth() -> None:
    """The check itself: a function that reads the truth is caught (end_day reads the ledger and
    truth the deaths table), and so is a read of the other side's own fields."""
    parts = {_part(name) for name in _fields_read("end_day")}
    assert parts - ALLOWED
    assert "deaths" in _fields_read("truth")
    assert "withdrawal_day" in _fields_read("decide_orders")  # public: a `view` field
    other = "def f(F, j, side):\n    return F[col.F_RESOLVE + 1 - side, j] + F[col.F_RAGE, j]\n"
    assert _other_sides_own_reads(ast.parse(other)) == ["col.F_RESOLVE + 1 - side", "col.F_RAGE"]
    mine = "def f(F, j, side):\n    F[col.F_RAGE + 1, j] = F[col.F_RESOLVE + side, j]\n"
    assert _other_sides_own_reads(ast.parse(mine)) == []


def test_choose_responses_reads_beliefs_slots_and_its_own_hidden_state() -> None:
    """What an answer weighs (MODEL.md §5): its belief about the other, the credibility of its
    red lines, the answer rate, the perceived slot (role, group, rung), its own resolve,
    grievance and commitment."""
    read = _fields_read("choose_responses")
    assert {
        "belief",
        "credibility",
        "answered",
        "unanswered",
        "role",
        "group",
        "perceived",
        "resolve",
        "rage",
        "commitment",
    } <= read
    assert "limited" not in read  # the type of version 1 no longer decides


def test_decide_orders_reads_deterrence_and_its_own_hidden_state() -> None:
    read = _fields_read("decide_orders")
    assert {"credibility", "answered", "unanswered", "belief", "resolve", "rage"} <= read
