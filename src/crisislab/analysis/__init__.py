"""Analysis of study results: which policy is robust, what drives the outcome, and where.

Works on plain inputs (a points table and a :class:`DesignInfo`) so it does not depend on how
a study stores its results. `completed` and `per_future` are the points-table helpers the report
draws from.
"""

from crisislab.analysis._common import completed, per_future
from crisislab.analysis.design import DesignInfo, default_label
from crisislab.analysis.discovery import discover
from crisislab.analysis.outcomes import outcome_probabilities
from crisislab.analysis.robustness import robustness
from crisislab.analysis.sensitivity import salib_problem, sensitivity
from crisislab.analysis.summary import analyze

__all__ = [
    "DesignInfo",
    "analyze",
    "completed",
    "default_label",
    "discover",
    "outcome_probabilities",
    "per_future",
    "robustness",
    "salib_problem",
    "sensitivity",
]
