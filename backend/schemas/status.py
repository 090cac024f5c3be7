"""The public status page as the template sees it: already translated and formatted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backend.contracts import PublicStage

StepState = Literal["done", "current", "upcoming"]


@dataclass(frozen=True)
class TrackerStep:
    """One stage in the step tracker."""

    stage: PublicStage
    label: str
    state: StepState
    state_label: str
    attention: bool = False


@dataclass(frozen=True)
class StatusPageView:
    case_number: str
    case_number_grouped: str
    kind_label: str
    stage: PublicStage
    stage_label: str
    next_step: str
    steps: tuple[TrackerStep, ...]
    registered_on: str
    updated_at: str
    office: str
