"""Pictures of results: static figures (PNG or SVG) drawn with matplotlib."""

from crisislab.report.plots import fork_figure, replay_figure, save_figure

__all__ = ["fork_figure", "replay_figure", "save_figure"]
