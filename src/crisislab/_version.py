"""The version of crisislab (one place, read by the package and by the study manifest)."""

__version__ = "0.1.0"
