"""crisislab: simulate interstate crises in which intent and perception diverge.

>>> import crisislab
>>> scenario = crisislab.load_scenario("us-iran-2020")
>>> result = crisislab.simulate(scenario, runs=2048, seed=1,
...                             overrides={"actors.USA.doctrine": "restraint"})
>>> sorted(result.summary()["outcomes"])
['frozen_conflict', 'stable_deescalation', 'war']
"""

from crisislab._version import __version__
from crisislab.engine.external import Perceived
from crisislab.errors import (
    BadInput,
    CrisislabError,
    OutputError,
    ResourceLimit,
    StudyError,
    TimelineError,
)
from crisislab.experiments import Study, StudyResults, claims, compare, load_study
from crisislab.history.fork import fork
from crisislab.history.importers import read_events
from crisislab.history.replay import replay
from crisislab.history.timeline import load_timeline, timeline_names
from crisislab.results import SimulationResult, Story
from crisislab.scenario.loader import ScenarioError, builtin_names, load_scenario
from crisislab.scenario.schema import Scenario
from crisislab.simulate import local_executor, simulate, story
from crisislab.stats import paired_difference, wilson_interval

__all__ = [
    "BadInput",
    "CrisislabError",
    "OutputError",
    "Perceived",
    "ResourceLimit",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "Story",
    "Study",
    "StudyError",
    "StudyResults",
    "TimelineError",
    "__version__",
    "builtin_names",
    "claims",
    "compare",
    "fork",
    "load_scenario",
    "load_study",
    "load_timeline",
    "local_executor",
    "paired_difference",
    "read_events",
    "replay",
    "simulate",
    "story",
    "timeline_names",
    "wilson_interval",
]
