"""Test doubles for the flow's collaborators, and a helper that fills the form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

from backend.contracts import CaseStatusView, PublicStage, make_case_number
from kiosk.flow import KioskFlow
from kiosk.session import CaseDraft, ErrorCode, StatusUnavailable, SubmissionOutcome

KNOWN_CASE = make_case_number("0001", 423)  # 000100004236
TEXT = "Соседи шумят каждую ночь после полуночи."


class ScriptedSubmitter:
    """Registers drafts in memory and prints with the outcomes a test lines up."""

    def __init__(self) -> None:
        self.drafts: list[CaseDraft] = []
        self.print_errors: list[ErrorCode | None] = []
        self.reprints = 0
        self.failure: Exception | None = None

    def submit(self, draft: CaseDraft) -> SubmissionOutcome:
        if self.failure is not None:
            raise self.failure
        self.drafts.append(draft)
        return SubmissionOutcome(
            submission_id=uuid4(),
            case_number=make_case_number("0001", len(self.drafts)),
            qr_data="https://status.example.uz/s/x",
            delivered=True,
            print_error=self._next_print_error(),
        )

    def reprint(self, outcome: SubmissionOutcome) -> SubmissionOutcome:
        self.reprints += 1
        return replace(outcome, print_error=self._next_print_error())

    def _next_print_error(self) -> ErrorCode | None:
        return self.print_errors.pop(0) if self.print_errors else None


class StatusBook:
    """Case statuses by number; ``reachable = False`` plays a backend that does not answer."""

    def __init__(self) -> None:
        moment = datetime(2025, 11, 20, 9, 30, tzinfo=UTC)
        self.cases = {
            KNOWN_CASE: CaseStatusView(
                case_number=KNOWN_CASE,
                stage=PublicStage.IN_REVIEW,
                registered_at=moment,
                updated_at=moment,
                service_kind="appeal",
                office="Yunusobod district migration office, Tashkent",
            )
        }
        self.reachable = True
        self.asked: list[str] = []

    def lookup(self, case_number: str) -> CaseStatusView | None:
        self.asked.append(case_number)
        if not self.reachable:
            raise StatusUnavailable("no route to backend")
        return self.cases.get(case_number)


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class TaskQueue:
    """Holds tasks until the test runs them: a worker thread, or the UI thread's queue."""

    def __init__(self) -> None:
        self.tasks: list[Callable[[], None]] = []

    def __call__(self, task: Callable[[], None]) -> None:
        self.tasks.append(task)

    def run_all(self) -> None:
        while self.tasks:
            self.tasks.pop(0)()


def fill_form(flow: KioskFlow, *, phone: str = "901234567") -> None:
    """Language to review, as a citizen would."""
    flow.choose_language("ru")
    flow.start_submission()
    flow.choose_service("mahalla_appeal")
    flow.choose_category("neighbours")
    flow.set_text(TEXT)
    flow.submit_text()
    flow.set_phone_digits(phone)
    flow.submit_phone()


def to_text_step(flow: KioskFlow) -> None:
    flow.choose_language("uz_Latn")
    flow.start_submission()
    flow.choose_service("general_application")
    flow.choose_category("documents")
