"""The engine: the compiled day loop (kernel.py) and what sets it up and reads it back."""

from crisislab.engine import cache as _cache  # noqa: F401  (before any compiled function)
