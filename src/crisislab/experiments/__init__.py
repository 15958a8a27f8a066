"""Studies: designs over levers and uncertainties, run on any executor into a resumable store;
and policy comparisons over the same worlds."""

from crisislab.experiments.claims import claims
from crisislab.experiments.comparison import compare, policy_label, run_indicators
from crisislab.experiments.design import Design, salib_problem
from crisislab.experiments.executors import EXECUTORS, SequentialExecutor, open_executor
from crisislab.experiments.runner import RunReport, run_design
from crisislab.experiments.spec import StudySpec, example_names, load_study
from crisislab.experiments.store import StudyStore
from crisislab.experiments.study import Study, StudyResults

__all__ = [
    "EXECUTORS",
    "Design",
    "RunReport",
    "SequentialExecutor",
    "Study",
    "StudyResults",
    "StudySpec",
    "StudyStore",
    "claims",
    "compare",
    "example_names",
    "load_study",
    "open_executor",
    "policy_label",
    "run_design",
    "run_indicators",
    "salib_problem",
]
