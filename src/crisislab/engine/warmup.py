"""`python -m crisislab.engine.warmup`: compile the engine's day loop, or load it from numba's
cache, before anything runs in parallel (the Makefile's set-up runs it once per environment)."""

from crisislab.engine.native import warm_up

if __name__ == "__main__":
    print(f"crisislab: the day loop is compiled and cached ({warm_up():.1f} s)")
