"""A chunk of runs in the day loop's packed state: set up, run, read back by name.

`Batch` is the engine's one entry point: it lays out the state declared in state.py as the
kernel's arrays (columns from layout.py), sets the scenario's initial values and the hidden
types (keyed draws, so a run's type does not depend on its chunk), runs the kernel block by
block, and reads fields back by name for the outcome summary (outcomes.py), the log of a traced
run (trace.py) and daily series.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
from scipy import stats

from crisislab.engine import draws as purpose
from crisislab.engine import external, philox, state
from crisislab.engine import layout as col
from crisislab.engine.constants import CRISIS_THREAT, SLOTS
from crisislab.engine.external import Policy
from crisislab.engine.kernel import State, run_block
from crisislab.engine.params import Setup, parameters
from crisislab.scenario.schema import Leadership

BLOCK_RUNS = 1024  # runs the kernel advances together: a block's state stays in the caches
LOG_ROOM_PER_RUN_DAY = 2  # initial room of a traced run's log; it grows if a run needs more


class Batch:
    """The runs [first_run, first_run + runs) of one seed: a pure function of its inputs."""

    def __init__(
        self,
        setup: Setup,
        seed: int,
        first_run: int,
        runs: int,
        policies: Mapping[int, Policy] | None = None,
    ) -> None:
        self.setup, self.seed, self.first_run, self.runs = setup, seed, first_run, runs
        self.policies = dict(policies or {})  # side -> external policy (external.py)
        self.conditioning: dict[str, dict[int, float]] = {}  # a conditioned replay's record
        self.params = parameters(setup)
        self.key = np.array([*philox.key_of(seed), first_run], np.int64)
        self.total_days = setup.t0 + setup.days
        self.log_room = LOG_ROOM_PER_RUN_DAY * runs * self.total_days + 64 if setup.tracing else 0
        self.state = self._initial_state()

    # --- set-up -------------------------------------------------------------------------------

    def _initial_state(self) -> State:
        c, n = self.setup.c, self.runs
        width = n + col.PAD
        F = np.zeros((col.F_COLUMNS, width))
        I = np.zeros((col.I_COLUMNS, width), np.dtype(col.INTEGER_DTYPE))  # noqa: E741
        SLF = np.zeros((2, SLOTS, n, col.SLF_COLUMNS))
        SLI = np.zeros((2, SLOTS, n, col.SLI_COLUMNS), np.int32)
        for f in state.FIELDS:
            prefix = ("SL" if f.shape == "slot" else "") + ("F" if f.kind == "float" else "I")
            array = {"F": F, "I": I, "SLF": SLF, "SLI": SLI}[prefix]
            first = col.COLUMNS[f"{prefix}_{f.name.upper()}"]
            if f.shape == "slot":
                array[..., first] = f.initial
            else:
                array[first : first + f.width] = f.initial
        groups = max(len(c.groups), 1)
        grievance = np.zeros((groups, width))
        for i, g in enumerate(c.groups):
            grievance[i] = g.grievance0
        daily_days = self.total_days if self.setup.daily or self.setup.tracing else 0
        S = State(
            F,
            I,
            SLF,
            SLI,
            np.zeros((2, SLOTS, n, max(len(c.red_lines), 1)), np.bool_),
            grievance,
            np.zeros((groups, width)),
            np.zeros((len(c.nationalities), width)),
            np.zeros((len(c.nationalities), width)),
            np.zeros((groups, width), np.bool_),
            np.zeros((self.log_room, col.LOG_COLUMNS)),
            np.zeros(1, np.int64),
            np.zeros((col.DAILY_COLUMNS, daily_days, n if daily_days else 0), np.float32),
        )
        self._scenario_values(S)
        return S

    def _scenario_values(self, S: State) -> None:
        """Initial values that come from the scenario, and the hidden resolve of each leadership."""
        c, n = self.setup.c, self.runs
        fronts = c.scenario.fronts
        runs = np.arange(self.first_run, self.first_run + n)
        resolve = c.scenario.resolve
        for side, spec in enumerate(c.sides):
            u = philox.uniforms(self.seed, runs, -1, purpose.TYPES, side, 1)[0]
            limited = u < spec.type_prior
            mean = np.where(limited, resolve.limited_mean, resolve.aggressive_mean)
            x = philox.uniforms(self.seed, runs, -1, purpose.RESOLVE, side, 1)[0]
            # a Beta around the type's mean, kept on the type's side of 1/2
            drawn = stats.beta.ppf(
                x, mean * resolve.concentration, (1 - mean) * resolve.concentration
            )
            drawn = np.where(limited, np.minimum(drawn, 0.499), np.maximum(drawn, 0.501))
            S.F[col.F_RESOLVE + side, :n] = drawn
            S.F[col.F_RESOLVE_DRAWN + side, :n] = drawn
            S.F[col.F_RESOLVE_TARGET + side, :n] = drawn
            S.I[col.I_LIMITED + side, :n] = limited
            S.F[col.F_BELIEF + side, :n] = spec.prior_trust
            kappa = max(
                (line.enforcement for line in c.red_lines if line.owner != side), default=0.0
            )
            S.F[col.F_CREDIBILITY + side, :n] = kappa
            S.F[col.F_CREDIBILITY_PRIOR + side, :n] = kappa
            S.F[col.F_THREAT + side, :n] = CRISIS_THREAT
            leadership = cast(Leadership, c.scenario.actors[spec.id])  # a side is a leadership
            S.F[col.F_ALERT + side, :n] = leadership.initial_alert
        if self.setup.host_on:
            S.F[col.F_PRESSURE, :n] = fronts.host.initial_pressure
        S.F[col.F_BREAKOUT, :n] = fronts.nuclear.breakout_months
        S.I[col.I_DIALOGUE, :n] = fronts.nuclear.dialogue and fronts.nuclear.enabled

    # --- running ------------------------------------------------------------------------------

    def run(self) -> Batch:
        """Replay the script's days before the first simulated day (if any), start the ledger
        afresh, simulate every day; a traced run whose log ran out of room runs again with
        room enough."""
        t0 = self.setup.t0
        if t0 > 0:
            if self.setup.conditioned:
                self._conditioned_replay(t0)
            else:
                self._days(0, t0)
            self._reset_ledger()
        self._days(t0, self.total_days)
        needed = int(self.state.n_log[0])
        if needed > self.log_room:
            self.log_room = needed
            self.state = self._initial_state()
            return self.run()
        if self.setup.tracing and self.conditioning:
            # a resampled particle's replayed records belong to other lines: its story starts
            # at the fork
            self._drop_replayed_records(t0)
        return self

    def _days(self, first: int, last: int) -> None:
        if not self.policies or last <= self.setup.t0:
            self._blocks(first, last)
            return
        for t in range(first, last):  # an external policy decides between days
            self._blocks(t, t + 1)
            for side, policy in self.policies.items():
                seen = external.perceived(self, side, t)
                external.apply(self, side, seen, policy(seen))

    def _conditioned_replay(self, t0: int) -> None:
        """The replay as sequential importance resampling (MODEL.md §14): each run is a
        particle, weighed day by day by the record's likelihood (kernel.weigh_record); a block
        of BLOCK_RUNS particles is resampled systematically when its effective sample size falls
        below half, and once more at the fork if its weights are uneven, so that every run that
        goes on is an equally weighted draw from the conditioned state. Blocks are fixed runs of
        the seed, so the result does not depend on the chunks. `self.conditioning` keeps, per
        block, the smallest effective sample size met (a share of the block) and the number of
        resamplings."""
        blocks = range(0, self.runs, BLOCK_RUNS)
        smallest = {lo: 1.0 for lo in blocks}
        resamplings = dict.fromkeys(blocks, 0.0)
        for t in range(t0):
            self._blocks(t, t + 1)
            for lo in blocks:
                hi = min(lo + BLOCK_RUNS, self.runs)
                share = self._ess_share(lo, hi)
                smallest[lo] = min(smallest[lo], share)
                if share < 0.5 or (t == t0 - 1 and share < 1.0 - 1e-9):
                    self._resample(lo, hi, t)
                    resamplings[lo] += 1
        self.conditioning = {"ess_min": smallest, "resamplings": resamplings}

    def _weights(self, lo: int, hi: int) -> np.ndarray:
        lw = self.state.F[col.F_LOG_WEIGHT, lo:hi]
        w = np.exp(lw - lw.max())
        return w / w.sum()

    def _ess_share(self, lo: int, hi: int) -> float:
        w = self._weights(lo, hi)
        return float(1.0 / np.sum(w * w) / (hi - lo))

    def _resample(self, lo: int, hi: int, t: int) -> None:
        """Systematic resampling of the particles [lo, hi) (one keyed uniform for the block
        and day); each copy keeps its own run index, hence its own random numbers."""
        w = self._weights(lo, hi)
        u = philox.uniforms(self.seed, np.array([self.first_run + lo]), t, purpose.RESAMPLE, 0, 1)
        positions = (u[0, 0] + np.arange(hi - lo)) / (hi - lo)
        ancestors = lo + np.minimum(np.searchsorted(np.cumsum(w), positions), hi - lo - 1)
        S = self.state
        for array, axis in (
            (S.F, 1), (S.I, 1), (S.SLF, 2), (S.SLI, 2), (S.fired, 2), (S.grievance, 1),
            (S.suppression, 1), (S.deaths, 1), (S.injuries, 1), (S.seen, 1),
            (S.daily[:, : t + 1], 2),  # the days recorded so far
        ):  # fmt: skip
            if array.shape[axis] >= hi:
                index = [slice(None)] * array.ndim
                index[axis] = slice(lo, hi)
                source = [slice(None)] * array.ndim
                source[axis] = ancestors
                array[tuple(index)] = array[tuple(source)]
        S.F[col.F_LOG_WEIGHT, lo:hi] = 0.0

    def _drop_replayed_records(self, t0: int) -> None:
        S = self.state
        n = int(S.n_log[0])
        kept = S.log[:n][S.log[:n, col.LOG_DAY] >= t0]
        S.log[: len(kept)] = kept
        S.n_log[0] = len(kept)

    def _blocks(self, first: int, last: int) -> None:
        for lo in range(0, self.runs, BLOCK_RUNS):
            hi = min(lo + BLOCK_RUNS, self.runs)
            run_block(self.state, self.params, self.key, lo, hi, first, last)

    def _reset_ledger(self) -> None:
        S = self.state
        for f in state.FIELDS:
            if f.part == "ledger":
                first = col.COLUMNS[("F_" if f.kind == "float" else "I_") + f.name.upper()]
                (S.F if f.kind == "float" else S.I)[first : first + f.width] = f.initial
        S.deaths[:] = 0.0
        S.injuries[:] = 0.0

    # --- reading back -------------------------------------------------------------------------

    def field(self, name: str) -> np.ndarray:
        """A declared field of every run: [runs] for one column, [runs, width] for several,
        [observer, slot, runs] for a slot field."""
        f = state.BY_NAME[name]
        S, n = self.state, self.runs
        if f.shape == "slot":
            array = S.SLF if f.kind == "float" else S.SLI
            return array[..., col.COLUMNS[("SLF_" if f.kind == "float" else "SLI_") + name.upper()]]
        array = S.F if f.kind == "float" else S.I
        first = col.COLUMNS[("F_" if f.kind == "float" else "I_") + name.upper()]
        if f.width == 1:
            return array[first, :n]
        return array[first : first + f.width, :n].T

    def table(self, name: str) -> np.ndarray:
        """A per-run table whose width comes from the scenario, [runs, rows] (state.TABLES)."""
        return getattr(self.state, name)[:, : self.runs].T

    def daily(self, series: str) -> np.ndarray:
        """A daily series, [runs, day] for every day from day 0, or [runs, side, day] for a
        series per side (layout.DAILY)."""
        first = col.COLUMNS[f"DAILY_{series.upper()}"]
        names = [s if isinstance(s, str) else s[0] for s in col.DAILY]
        width = dict(s if not isinstance(s, str) else (s, 1) for s in col.DAILY)[series]
        assert series in names
        values = self.state.daily[first : first + width]
        return values[0].T if width == 1 else values.transpose(2, 0, 1)

    def log(self) -> np.ndarray:
        """The traced runs' records, [record, layout.LOG column]."""
        return self.state.log[: int(self.state.n_log[0])]
