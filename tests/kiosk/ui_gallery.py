"""Every screen of the kiosk in one language, checked for layout faults and photographed.

Driven through the flow rather than by touches (the touch paths have their own tests), with
the real runtime behind it: backend, printer simulator, outbox. Background work is held so
the waiting screens can be photographed too.
"""

from __future__ import annotations

from pathlib import Path

from backend.contracts import make_case_number
from devices.printer.interface import PaperState
from devices.printer.simulator import PrinterSimulator
from kiosk.background import call_now
from kiosk.flow import KioskFlow
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode, Step
from tests.kiosk.flow_doubles import ManualClock, TaskQueue

SAMPLE_TEXTS = {
    "uz_Latn": "Qoʻshnim har kecha yarim tundan keyin baland ovozda musiqa qoʻyadi. "
    "Iltimos, choralar koʻring.",
    "uz_Cyrl": "Қўшним ҳар кеча ярим тундан кейин баланд овозда мусиқа қўяди. "
    "Илтимос, чоралар кўринг.",
    "ru": "Сосед каждую ночь после полуночи громко включает музыку. Прошу принять меры.",
    "en": "My neighbour plays loud music every night after midnight. Please take action.",
}


class Gallery:
    """Walks one language through every screen, photographing each."""

    def __init__(
        self,
        harness,
        runtime: KioskRuntime,
        printer: PrinterSimulator,
        language: str,
        **flow_options: object,
    ) -> None:
        self.harness = harness
        self.printer = printer
        self.language = language
        self.work = TaskQueue()  # held until released, so waiting screens can be seen
        self.clock = ManualClock()
        self.flow: KioskFlow = harness.mount_runtime(
            runtime,
            clock=self.clock,
            dispatch=call_now,
            run_in_background=self.work,
            idle_warning_seconds=60,
            idle_reset_seconds=15,
            **flow_options,
        )
        self.pictures: list[Path] = []
        self.problems: list[str] = []

    def shot(self, name: str, step: Step | None = None) -> None:
        self.harness.step(3)
        if step is not None:
            assert self.flow.state.screen is step, (name, self.flow.state)
        self.problems += [f"{name}: {p}" for p in self.harness.layout_problems()]
        self.pictures.append(self.harness.screenshot(f"gallery-{self.language}-{name}"))

    def walk(self, *, include_language_screen: bool = False) -> None:
        flow = self.flow
        if include_language_screen:
            self.shot("01-language", Step.LANGUAGE)
        flow.choose_language(self.language)
        self.shot("02-home", Step.HOME)
        flow.start_submission()
        self.shot("03-service", Step.SERVICE)
        flow.choose_service("mahalla_appeal")
        self.shot("04-category", Step.CATEGORY)
        flow.choose_category("neighbours")
        flow.set_text(SAMPLE_TEXTS[self.language][:8])
        flow.submit_text()
        assert flow.state.error is ErrorCode.TEXT_TOO_SHORT
        self.shot("05-text-error", Step.TEXT)
        flow.set_text(SAMPLE_TEXTS[self.language])
        flow.submit_text()
        flow.set_phone_digits("9012")
        flow.submit_phone()
        self.shot("06-phone-error", Step.PHONE)
        flow.set_phone_digits("901234567")
        flow.submit_phone()
        flow.confirm()
        assert flow.state.error is ErrorCode.CONSENT_REQUIRED
        self.shot("07-review-error", Step.REVIEW)
        flow.set_consent(True)
        flow.confirm()
        self.shot("08-submitting", Step.SUBMITTING)
        self.work.run_all()
        self.shot("09-done", Step.DONE)
        case = flow.state.data.outcome

        flow.finish()
        self.printer.set_paper(PaperState.OUT)
        try:
            self._file_quickly()
            self.shot("10-print-failed", Step.PRINT_FAILED)
        finally:
            self.printer.set_paper(PaperState.OK)

        flow.finish()
        flow.choose_language(self.language)
        flow.start_status_check()
        typo = case.case_number[:-1] + str((int(case.case_number[-1]) + 1) % 10)
        flow.set_case_entry(typo)
        flow.lookup()
        assert flow.state.error is ErrorCode.CASE_CHECK_DIGIT
        self.shot("11-status-typo", Step.STATUS_ENTRY)
        flow.set_case_entry(case.case_number)
        flow.lookup()
        self.shot("12-status-lookup", Step.STATUS_LOOKUP)
        self.work.run_all()
        self.shot("13-status-result", Step.STATUS_RESULT)
        self.clock.now += 60
        flow.tick()
        self.shot("14-idle-warning", Step.STATUS_RESULT)
        assert flow.state.step is Step.IDLE_WARNING
        flow.touch()
        flow.check_another()
        flow.set_case_entry(make_case_number("0001", 999_999))
        flow.lookup()
        self.work.run_all()
        assert flow.state.error is ErrorCode.CASE_NOT_FOUND
        self.shot("15-status-not-found", Step.STATUS_ENTRY)
        self.harness.unmount()

    def _file_quickly(self) -> None:
        flow = self.flow
        flow.choose_language(self.language)
        flow.start_submission()
        flow.choose_service("customs_report")
        flow.choose_category("illegal_goods")
        flow.set_text(SAMPLE_TEXTS[self.language])
        flow.submit_text()
        flow.submit_phone()
        flow.set_consent(True)
        flow.confirm()
        self.work.run_all()
