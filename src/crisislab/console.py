"""The two consoles of the command line: results on stdout, messages and progress on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(obj: Any) -> None:
    """One JSON object on stdout and nothing else there."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
