"""crisislab: simulate interstate crises in which intent and perception diverge.

>>> import crisislab
>>> scenario = crisislab.load_scenario("us-iran-2020")
>>> result = crisislab.simulate(scenario, runs=2048, seed=1,
...                             overrides={"actors.USA.doctrine": "restraint"})
>>> sorted(result.summary()["outcomes"])
['frozen_conflict', 'stable_deescalation', 'war']
"""

from crisislab.results import SimulationResult, Story
from crisislab.results.story import story
from crisislab.scenario.loader import ScenarioError, builtin_names, load_scenario
from crisislab.scenario.schema import Scenario
from crisislab.simulate import simulate
from crisislab.stats import wilson_interval

__version__ = "0.1.0"

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "Story",
    "__version__",
    "builtin_names",
    "load_scenario",
    "simulate",
    "story",
    "wilson_interval",
]
