"""Simulation results: the per-run table, the JSON summary and the story of one run."""

from crisislab.results.result import SimulationResult
from crisislab.results.story import Story

__all__ = ["SimulationResult", "Story"]
