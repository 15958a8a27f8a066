"""Real event data: records, streaming importers (own CSV, GDELT 2.0, PLOVER/POLECAT), timelines.

>>> from crisislab.history import load_timeline
>>> timeline = load_timeline("us-iran-2019-2020")
>>> len(timeline.events), timeline.scenario, timeline.report.ok
(42, 'us-iran-2020', True)
>>> timeline.actor_id("IRQ_KH")
'KH'
"""

from crisislab.history.importers import (
    FORMATS,
    MAX_PROBLEMS,
    EventStream,
    ImportReport,
    detect_format,
    plover_to_cameo,
    read_events,
)
from crisislab.history.records import QUAD_CLASSES, EventRecord, quad_class
from crisislab.history.timeline import Timeline, load_timeline, timeline_names

__all__ = [
    "FORMATS",
    "MAX_PROBLEMS",
    "QUAD_CLASSES",
    "EventRecord",
    "EventStream",
    "ImportReport",
    "Timeline",
    "detect_format",
    "load_timeline",
    "plover_to_cameo",
    "quad_class",
    "read_events",
    "timeline_names",
]
