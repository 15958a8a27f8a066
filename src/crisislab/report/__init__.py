"""Pictures and reports of results: static figures (PNG or SVG) drawn with matplotlib, and
self-contained HTML reports."""

from crisislab.report.html import write_html
from crisislab.report.plots import fork_figure, replay_figure, save_figure
from crisislab.report.sources import build_report

__all__ = ["build_report", "fork_figure", "replay_figure", "save_figure", "write_html"]
