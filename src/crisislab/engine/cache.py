"""Numba's on-disk cache of the engine's compiled functions, kept honest about what they inline.

numba reuses a cached function while its own source file is unchanged. The day loop also
compiles in, as constants or inlined code, the column numbers of layout.py (derived from
state.py), the codes of constants.py and draws.py and the functions of beliefs.py, philox.py
and violence.py: a change to any of them alone would leave a stale kernel that reads the wrong
columns. The engine's cached functions are therefore stamped with a fingerprint of all the
engine's sources, so that any change recompiles them. Imported by the package before any
compiled function is defined.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from numba.core import caching

ENGINE = Path(__file__).resolve().parent


def fingerprint() -> str:
    """A hash of every source file of the engine."""
    digest = hashlib.sha1()
    for path in sorted(ENGINE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


FINGERPRINT = fingerprint()
_LOCATORS = tuple(caching.CacheImpl._locator_classes)


class EngineCacheLocator(caching._CacheLocator):
    """numba's own locator for an engine function, with the engine's fingerprint added to the
    freshness stamp it checks before reusing a cached function."""

    def __init__(self, inner: caching._CacheLocator) -> None:
        self._inner = inner

    def ensure_cache_path(self) -> None:
        self._inner.ensure_cache_path()

    def get_cache_path(self) -> str:
        return self._inner.get_cache_path()

    def get_source_stamp(self) -> object:
        return (self._inner.get_source_stamp(), FINGERPRINT)

    def get_disambiguator(self) -> str:
        return self._inner.get_disambiguator()

    @classmethod
    def from_function(cls, py_func, py_file):  # type: ignore[no-untyped-def]
        if Path(py_file).resolve().parent != ENGINE:
            return None
        for locator in _LOCATORS:
            inner = locator.from_function(py_func, py_file)
            if inner is not None:
                return cls(inner)
        return None


_CLASSES: list = caching.CacheImpl._locator_classes  # numba's list, tried in order
if EngineCacheLocator not in _CLASSES:
    _CLASSES.insert(0, EngineCacheLocator)
