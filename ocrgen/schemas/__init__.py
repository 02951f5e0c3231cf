"""pydantic models: the single source of truth for the config, the plan record and the label."""

from ocrgen.schemas.config import BatchConfig, Directions, FontSelection, Specification
from ocrgen.schemas.label import CharBox, Label
from ocrgen.schemas.plan import AssetRef, PlanRecord
from ocrgen.schemas.ranges import ColorRange, Range

__all__ = [
    "AssetRef",
    "BatchConfig",
    "CharBox",
    "ColorRange",
    "Directions",
    "FontSelection",
    "Label",
    "PlanRecord",
    "Range",
    "Specification",
]
