# Two entry points: `make demo` and `make test`. Each sets up what it needs from the lock file.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv

.PHONY: demo test setup lint bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Bytecode is compiled once here: every process a study starts (pool or Dask workers, the CLI)
# would otherwise compile numba's sources again where PYTHONDONTWRITEBYTECODE is set.
.venv/.synced: $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --frozen --quiet --all-extras --all-groups --compile-bytecode
	$(UV) run --frozen --no-sync python -m compileall -q src
	$(UV) run --frozen --no-sync python -c 'from crisislab.engine.warmup import main; main()'
	touch $@

setup: .venv/.synced

demo: setup
	$(UV) run --frozen --no-sync crisislab demo

test: setup
	$(UV) run --frozen --no-sync ruff check src tests benchmarks
	$(UV) run --frozen --no-sync mypy src
	$(UV) run --frozen --no-sync pytest -n 2 -m "not browser"
	$(UV) run --frozen --no-sync pytest -m browser

bench: setup
	$(UV) run --frozen --no-sync python benchmarks/engine_speed.py

clean:
	rm -rf .venv .tools
