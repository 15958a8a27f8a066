"""The import contract: data flows one way between packages, and private modules stay private.

The contracts live in pyproject.toml ([tool.importlinter]): scenario -> engine -> results ->
simulate -> experiments, analysis and history -> report -> dashboard and CLI, each layer
importing only from the layers below it (function-local and type-checking imports included).
`lint-imports` (import-linter) checks them; a broken contract fails this test with its report,
which names each forbidden import with its file and line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
LINT = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)


def lint_imports() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT, str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contract_sees_the_engine():
    """The import graph skips a directory without __init__.py unless it is named as a root:
    while the engine is a namespace package, pyproject.toml names it; once it has an
    __init__.py, it must not (the graph would refuse to build)."""
    config = (ROOT / "pyproject.toml").read_text()
    named = '"crisislab.engine"' in config.split("[tool.importlinter]")[1].split("[[")[0]
    regular = (ROOT / "src/crisislab/engine/__init__.py").exists()
    assert named != regular, (
        'src/crisislab/engine has an __init__.py: set root_package = "crisislab" in '
        "[tool.importlinter]"
        if regular
        else "src/crisislab/engine has no __init__.py: [tool.importlinter] must list "
        '"crisislab.engine" in root_packages, or the engine is left out of the contract'
    )


def test_packages_import_only_downwards_and_private_modules_stay_private():
    checked = lint_imports()
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, f"import contract broken:\n{report}"
    assert "Packages import only downwards KEPT" in report
    assert "Private modules stay inside their package KEPT" in report
