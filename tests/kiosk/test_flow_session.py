"""The citizen's session state machine: navigation, the form, submitting, background work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend.contracts import make_case_number
from config.profiles import ALL_LANGUAGES, KioskProfile
from kiosk.flow import InvalidTransition, KioskFlow
from kiosk.i18n import translator
from kiosk.messages import ERROR_MESSAGES
from kiosk.session import ErrorCode, FlowState, Step, SubmissionFailed
from tests.kiosk.flow_doubles import (
    TEXT,
    ManualClock,
    ScriptedSubmitter,
    StatusBook,
    TaskQueue,
    fill_form,
    to_text_step,
)

# --- language, home, navigation -----------------------------------------------------------


def test_starts_at_language_choice_with_nothing_held(flow: KioskFlow) -> None:
    assert flow.state.step is Step.LANGUAGE
    assert flow.state.data.is_blank
    assert flow.languages == ["uz_Latn", "uz_Cyrl", "ru", "en"]


def test_choosing_a_language_leads_home(flow: KioskFlow) -> None:
    flow.choose_language("uz_Cyrl")
    assert (flow.state.step, flow.state.data.language) == (Step.HOME, "uz_Cyrl")


def test_a_language_the_profile_does_not_offer_is_refused(demo_profile: KioskProfile) -> None:
    demo_profile.kiosk.languages = ["uz_Latn", "ru"]
    flow = KioskFlow(demo_profile, ScriptedSubmitter(), StatusBook())
    with pytest.raises(ValueError):
        flow.choose_language("en")
    assert flow.state.step is Step.LANGUAGE


@pytest.mark.parametrize(
    "event",
    [
        lambda f: f.start_submission(),
        lambda f: f.start_status_check(),
        lambda f: f.choose_service("mahalla_appeal"),
        lambda f: f.set_text("text"),
        lambda f: f.submit_phone(),
        lambda f: f.confirm(),
        lambda f: f.lookup(),
        lambda f: f.reprint(),
        lambda f: f.back(),
        lambda f: f.edit(Step.TEXT),
    ],
)
def test_events_out_of_step_are_refused(
    flow: KioskFlow, event: Callable[[KioskFlow], None]
) -> None:
    with pytest.raises(InvalidTransition):
        event(flow)
    assert flow.state.step is Step.LANGUAGE


def test_forward_path_through_the_form(flow: KioskFlow) -> None:
    seen: list[Step] = []
    flow.subscribe(lambda state: seen.append(state.step))
    fill_form(flow)
    assert flow.state.step is Step.REVIEW
    assert list(dict.fromkeys(seen)) == [
        Step.HOME,
        Step.SERVICE,
        Step.CATEGORY,
        Step.TEXT,
        Step.PHONE,
        Step.REVIEW,
    ]
    assert flow.selected_service().code == "mahalla_appeal"
    assert flow.selected_category().code == "neighbours"


def test_going_back_from_the_review_to_home_keeps_everything(flow: KioskFlow) -> None:
    fill_form(flow)
    data = flow.state.data
    path = []
    while flow.state.step is not Step.LANGUAGE:
        flow.back()
        path.append(flow.state.step)
        assert flow.state.data == data
    assert path == [Step.PHONE, Step.TEXT, Step.CATEGORY, Step.SERVICE, Step.HOME, Step.LANGUAGE]


def test_back_is_refused_where_there_is_no_way_back(flow: KioskFlow, submitter) -> None:
    submitter.print_errors = [ErrorCode.PRINTER_OUT_OF_PAPER]
    fill_form(flow)
    flow.set_consent(True)
    flow.confirm()
    assert flow.state.step is Step.PRINT_FAILED
    with pytest.raises(InvalidTransition):
        flow.back()


def test_choosing_the_same_service_again_keeps_the_category(flow: KioskFlow) -> None:
    fill_form(flow)
    for _ in range(4):
        flow.back()
    assert flow.state.step is Step.SERVICE
    flow.choose_service("mahalla_appeal")
    assert flow.state.data.category_code == "neighbours"
    assert flow.state.data.text == TEXT


def test_choosing_another_service_clears_only_the_category(flow: KioskFlow) -> None:
    fill_form(flow)
    for _ in range(4):
        flow.back()
    flow.choose_service("customs_report")
    assert flow.state.step is Step.CATEGORY
    assert flow.state.data.category_code is None
    assert flow.state.data.text == TEXT
    assert flow.state.data.phone_digits == "901234567"


def test_unknown_service_and_foreign_category_are_refused(flow: KioskFlow) -> None:
    flow.choose_language("en")
    flow.start_submission()
    with pytest.raises(KeyError):
        flow.choose_service("no_such_service")
    flow.choose_service("customs_report")
    with pytest.raises(ValueError):
        flow.choose_category("neighbours")  # a category of another service
    assert flow.state.step is Step.CATEGORY


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", ErrorCode.TEXT_EMPTY),
        ("     ", ErrorCode.TEXT_EMPTY),
        ("Pasport", ErrorCode.TEXT_TOO_SHORT),
    ],
)
def test_unusable_text_stays_on_the_text_step_with_an_error(
    flow: KioskFlow, text: str, error: ErrorCode
) -> None:
    to_text_step(flow)
    flow.set_text(text)
    flow.submit_text()
    assert (flow.state.step, flow.state.error) == (Step.TEXT, error)
    assert flow.state.data.text == text
    flow.set_text(text + "ni yoʻqotdim, yangisi kerak")
    assert flow.state.error is None
    flow.submit_text()
    assert flow.state.step is Step.PHONE


def test_text_over_the_limit_is_refused_and_the_old_text_kept(flow: KioskFlow) -> None:
    to_text_step(flow)
    flow.set_text("a" * 2000)
    flow.set_text("a" * 2001)
    assert flow.state.error is ErrorCode.TEXT_TOO_LONG
    assert len(flow.state.data.text) == 2000


def test_phone_must_be_complete_or_empty(flow: KioskFlow) -> None:
    to_text_step(flow)
    flow.set_text("Pasportimni yoʻqotdim")
    flow.submit_text()
    flow.set_phone_digits("90123")
    flow.submit_phone()
    assert (flow.state.step, flow.state.error) == (Step.PHONE, ErrorCode.PHONE_INCOMPLETE)
    flow.set_phone_digits("90123456a")
    assert flow.state.error is ErrorCode.PHONE_NOT_DIGITS
    assert flow.state.data.phone_digits == "90123"
    flow.set_phone_digits("9012345678")  # a tenth digit is not taken
    assert flow.state.data.phone_digits == "90123"
    flow.set_phone_digits("")
    flow.submit_phone()
    assert flow.state.step is Step.REVIEW


def test_no_submission_without_consent(flow: KioskFlow, submitter: ScriptedSubmitter) -> None:
    fill_form(flow)
    flow.confirm()
    assert (flow.state.step, flow.state.error) == (Step.REVIEW, ErrorCode.CONSENT_REQUIRED)
    assert submitter.drafts == []
    flow.set_consent(True)
    assert flow.state.error is None


# --- review, edit, submit -----------------------------------------------------------------


def test_submitting_sends_the_reviewed_draft(flow: KioskFlow, submitter: ScriptedSubmitter):
    fill_form(flow)
    flow.set_consent(True)
    flow.confirm()
    assert flow.state.step is Step.DONE
    (draft,) = submitter.drafts
    assert draft.language == "ru"
    assert (draft.service.code, draft.category.code) == ("mahalla_appeal", "neighbours")
    assert draft.text == TEXT
    assert draft.phone == "+998901234567"
    assert flow.state.data.outcome.case_number == make_case_number("0001", 1)


def test_no_phone_means_none_in_the_draft(flow: KioskFlow, submitter: ScriptedSubmitter):
    fill_form(flow, phone="")
    flow.set_consent(True)
    flow.confirm()
    assert submitter.drafts[0].phone is None


def test_editing_from_the_review_comes_straight_back(flow: KioskFlow) -> None:
    fill_form(flow)
    flow.edit(Step.TEXT)
    assert flow.state.step is Step.TEXT
    assert flow.state.editing
    flow.set_text(TEXT + " Прошу принять меры.")
    flow.submit_text()
    assert flow.state.step is Step.REVIEW
    assert not flow.state.editing
    assert flow.state.data.phone_digits == "901234567"


def test_editing_the_service_asks_only_for_what_it_invalidated(flow: KioskFlow) -> None:
    fill_form(flow)
    flow.edit(Step.SERVICE)
    flow.choose_service("general_application")
    assert flow.state.step is Step.CATEGORY  # the old category belonged to the old service
    flow.choose_category("residence")
    assert flow.state.step is Step.REVIEW
    assert flow.state.data.text == TEXT


def test_editing_then_leaving_a_step_incomplete_returns_to_it(flow: KioskFlow) -> None:
    fill_form(flow)
    flow.edit(Step.PHONE)
    flow.set_phone_digits("90")
    flow.back()
    assert flow.state.step is Step.TEXT
    flow.submit_text()
    assert flow.state.step is Step.PHONE  # still incomplete, so not straight to the review


def test_confirm_checks_the_whole_form_again(flow: KioskFlow, submitter) -> None:
    fill_form(flow)
    flow.edit(Step.PHONE)
    flow.set_phone_digits("90")
    flow.back()  # to the text step, leaving the phone half typed
    flow.back()
    flow.choose_category("neighbours")  # editing: jumps to the first incomplete step
    assert (flow.state.step, flow.state.error) == (Step.PHONE, None)
    flow.set_phone_digits("")
    flow.submit_phone()
    flow.set_consent(True)
    flow.confirm()
    assert flow.state.step is Step.DONE
    assert submitter.drafts[0].phone is None


def test_a_failed_submission_keeps_the_form(flow: KioskFlow, submitter: ScriptedSubmitter):
    fill_form(flow)
    flow.set_consent(True)
    submitter.failure = SubmissionFailed("disk full")
    flow.confirm()
    assert (flow.state.step, flow.state.error) == (Step.REVIEW, ErrorCode.SUBMIT_FAILED)
    assert flow.state.data.text == TEXT and flow.state.data.consent
    submitter.failure = None
    flow.confirm()
    assert flow.state.step is Step.DONE


def test_print_failure_then_reprint(flow: KioskFlow, submitter: ScriptedSubmitter) -> None:
    submitter.print_errors = [ErrorCode.PRINTER_OUT_OF_PAPER, ErrorCode.PRINTER_OFFLINE, None]
    fill_form(flow)
    flow.set_consent(True)
    flow.confirm()
    assert (flow.state.step, flow.state.error) == (
        Step.PRINT_FAILED,
        ErrorCode.PRINTER_OUT_OF_PAPER,
    )
    number = flow.state.data.outcome.case_number
    flow.reprint()
    assert (flow.state.step, flow.state.error) == (Step.PRINT_FAILED, ErrorCode.PRINTER_OFFLINE)
    flow.reprint()
    assert flow.state.step is Step.DONE
    assert flow.state.data.outcome.case_number == number
    assert submitter.reprints == 2
    assert len(submitter.drafts) == 1  # printing again never registers the case again


def test_finish_wipes_the_session(flow: KioskFlow) -> None:
    fill_form(flow)
    flow.set_consent(True)
    flow.confirm()
    flow.finish()
    assert flow.state == FlowState(step=Step.LANGUAGE, data=flow.state.data)
    assert flow.state.data.is_blank


# --- background work ----------------------------------------------------------------------


def test_slow_work_runs_in_the_background_and_completes_through_dispatch(
    demo_profile: KioskProfile,
    submitter: ScriptedSubmitter,
    statuses: StatusBook,
    clock: ManualClock,
) -> None:
    worker, ui_thread = TaskQueue(), TaskQueue()
    flow = KioskFlow(
        demo_profile, submitter, statuses, clock=clock, dispatch=ui_thread, run_in_background=worker
    )
    fill_form(flow)
    flow.set_consent(True)
    flow.confirm()
    assert (flow.state.step, flow.state.busy) == (Step.SUBMITTING, True)
    with pytest.raises(InvalidTransition):
        flow.finish()  # nobody may walk away from a half-made submission
    worker.run_all()
    assert flow.state.step is Step.SUBMITTING  # the result waits for the UI thread
    assert len(ui_thread.tasks) == 1
    ui_thread.run_all()
    assert (flow.state.step, flow.state.busy) == (Step.DONE, False)


def test_no_idle_reset_while_work_is_running(
    demo_profile: KioskProfile,
    submitter: ScriptedSubmitter,
    statuses: StatusBook,
    clock: ManualClock,
) -> None:
    worker = TaskQueue()
    flow = KioskFlow(demo_profile, submitter, statuses, clock=clock, run_in_background=worker)
    fill_form(flow)
    flow.set_consent(True)
    flow.confirm()
    clock.advance(10_000)
    flow.tick()
    assert flow.state.step is Step.SUBMITTING
    worker.run_all()
    flow.tick()
    assert flow.state.step is Step.DONE  # the idle time counts from the result


def test_observer_failures_do_not_break_the_flow(flow: KioskFlow) -> None:
    seen: list[Step] = []

    def broken(state: FlowState) -> None:
        raise RuntimeError("screen bug")

    flow.subscribe(broken)
    unsubscribe = flow.subscribe(lambda state: seen.append(state.step))
    flow.choose_language("en")
    unsubscribe()
    flow.start_submission()
    assert flow.state.step is Step.SERVICE
    assert seen == [Step.HOME]


@pytest.mark.parametrize("code", [ErrorCode.NUMBERING_OFFLINE, ErrorCode.NUMBER_UNAVAILABLE])
def test_a_submission_without_a_case_number_says_why(
    flow: KioskFlow, submitter: ScriptedSubmitter, code: ErrorCode
) -> None:
    fill_form(flow)
    flow.set_consent(True)
    submitter.failure = SubmissionFailed("no case number", code)
    flow.confirm()
    assert (flow.state.step, flow.state.error) == (Step.REVIEW, code)
    for language in ALL_LANGUAGES:
        shown = translator(language).gettext(ERROR_MESSAGES[code])
        assert shown != translator(language).gettext(ERROR_MESSAGES[ErrorCode.SUBMIT_FAILED])
        assert language == "en" or shown != ERROR_MESSAGES[code]  # translated
