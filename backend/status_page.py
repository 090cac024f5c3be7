"""The public status page and its "not found" and "too many requests" siblings, as HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backend.contracts import CaseStatusView, Language, PublicStage, group_case_number
from backend.i18n import HTML_LANG, LANGUAGE_NAMES, LANGUAGES, N_, translations_for
from backend.schemas.status import StatusPageView, StepState, TrackerStep

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Uzbekistan keeps one zone all year; citizens read dates in it wherever the server runs.
DISPLAY_TIMEZONE = ZoneInfo("Asia/Tashkent")

STAGE_LABELS: dict[PublicStage, str] = {
    PublicStage.RECEIVED: N_("Received"),
    PublicStage.IN_REVIEW: N_("In review"),
    PublicStage.ACTION_NEEDED: N_("Action needed"),
    PublicStage.DECIDED: N_("Decision made"),
    PublicStage.READY: N_("Document ready"),
    PublicStage.CLOSED: N_("Closed"),
}

NEXT_STEPS: dict[PublicStage, str] = {
    PublicStage.RECEIVED: N_(
        "Your case has been registered. Nothing is needed from you right now: "
        "an officer will start reviewing it soon."
    ),
    PublicStage.IN_REVIEW: N_(
        "An officer is reviewing your case. If anything more is needed, "
        "the stage on this page will change."
    ),
    PublicStage.ACTION_NEEDED: N_(
        "More information is needed. Please come to the office shown below "
        "with your passport and this receipt."
    ),
    PublicStage.DECIDED: N_(
        "A decision has been made on your case. To learn the result, come to the office "
        "shown below with your passport and this receipt."
    ),
    PublicStage.READY: N_(
        "Your document is ready. You can collect it at the office shown below; "
        "bring your passport and this receipt."
    ),
    PublicStage.CLOSED: N_("Your case is closed. Nothing more needs to be done."),
}

KIND_LABELS: dict[str, str] = {
    "application": N_("Application"),
    "appeal": N_("Appeal"),
    "report": N_("Report"),
}

STEP_STATE_LABELS: dict[StepState, str] = {
    "done": N_("completed"),
    "current": N_("current stage"),
    "upcoming": N_("upcoming"),
}

_APPLICATION_STEPS = (
    PublicStage.RECEIVED,
    PublicStage.IN_REVIEW,
    PublicStage.DECIDED,
    PublicStage.READY,
    PublicStage.CLOSED,
)
# Appeals and reports end in a decision: there is no document to collect.
_DECISION_ONLY_STEPS = (
    PublicStage.RECEIVED,
    PublicStage.IN_REVIEW,
    PublicStage.DECIDED,
    PublicStage.CLOSED,
)


def tracker_steps(
    stage: PublicStage, service_kind: str, gettext: Callable[[str], str]
) -> tuple[TrackerStep, ...]:
    """The steps of the tracker; "action needed" takes the place of "in review"."""
    if service_kind == "application" or stage == PublicStage.READY:
        stages = _APPLICATION_STEPS
    else:
        stages = _DECISION_ONLY_STEPS
    attention = stage == PublicStage.ACTION_NEEDED
    slot = PublicStage.IN_REVIEW if attention else stage
    current_index = stages.index(slot)
    steps = []
    for index, step_stage in enumerate(stages):
        state: StepState
        if index < current_index or stage == PublicStage.CLOSED:
            state = "done"
        elif index == current_index:
            state = "current"
        else:
            state = "upcoming"
        shown_stage = stage if index == current_index else step_stage
        steps.append(
            TrackerStep(
                stage=shown_stage,
                label=gettext(STAGE_LABELS[shown_stage]),
                state=state,
                state_label=gettext(STEP_STATE_LABELS[state]),
                attention=attention and index == current_index,
            )
        )
    return tuple(steps)


def _date_and_time(moment: datetime, language: Language) -> str:
    """A long date with a short time, joined the way the language joins them."""
    local = moment.astimezone(DISPLAY_TIMEZONE)
    pattern = str(Locale.parse(language).datetime_formats["medium"])
    return pattern.format(
        format_time(local, "short", locale=language), format_date(local, "long", locale=language)
    )


def build_status_view(status: CaseStatusView, language: Language) -> StatusPageView:
    """Translate and format a case's public status for the page."""
    gettext = translations_for(language).gettext
    return StatusPageView(
        case_number=status.case_number,
        case_number_grouped=group_case_number(status.case_number),
        kind_label=gettext(KIND_LABELS[status.service_kind]),
        stage=status.stage,
        stage_label=gettext(STAGE_LABELS[status.stage]),
        next_step=gettext(NEXT_STEPS[status.stage]),
        steps=tracker_steps(status.stage, status.service_kind, gettext),
        registered_on=format_date(
            status.registered_at.astimezone(DISPLAY_TIMEZONE), "long", locale=language
        ),
        updated_at=_date_and_time(status.updated_at, language),
        office=status.office,
    )


class StatusPages:
    """Renders the public pages in one of the four languages."""

    def __init__(self) -> None:
        self._environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def _render(self, template: str, language: Language, **context: Any) -> str:
        gettext = translations_for(language).gettext
        return self._environment.get_template(template).render(
            _=gettext,
            lang=language,
            html_lang=HTML_LANG[language],
            languages=[(code, LANGUAGE_NAMES[code], HTML_LANG[code]) for code in LANGUAGES],
            **context,
        )

    def status(self, status: CaseStatusView, language: Language) -> str:
        return self._render("status.html", language, view=build_status_view(status, language))

    def not_found(self, language: Language) -> str:
        return self._render("not_found.html", language)

    def rate_limited(self, language: Language) -> str:
        return self._render("rate_limited.html", language)
