"""Messages for codes: errors, public case stages, service kinds, language names."""

from __future__ import annotations

from backend.contracts import (
    CASE_NUMBER_DIGITS,
    MAX_TEXT_CHARS,
    PERSONAL_NUMBER_DIGITS,
    PublicStage,
)
from config.profiles import LanguageCode
from kiosk.form_rules import MIN_TEXT_CHARS, PHONE_DIGITS
from kiosk.i18n import N_, Translator, translator
from kiosk.session import ErrorCode

ERROR_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.TEXT_EMPTY: N_("Please describe your matter before you go on."),
    ErrorCode.TEXT_TOO_SHORT: N_(
        "Please write a little more: at least %(min)d characters, so the office understands "
        "your matter."
    ),
    ErrorCode.TEXT_TOO_LONG: N_("The text is too long: at most %(max)d characters."),
    ErrorCode.PHONE_INCOMPLETE: N_(
        "The phone number needs %(phone_digits)d digits after +998. Complete it, or erase it "
        "to go on without a phone number."
    ),
    ErrorCode.PHONE_NOT_DIGITS: N_("A phone number can contain only digits."),
    ErrorCode.CONSENT_REQUIRED: N_("To submit, please tick the box to give your consent."),
    ErrorCode.SUBMIT_FAILED: N_(
        "Your request could not be saved. Nothing you entered is lost: please try again, "
        "or ask the staff for help."
    ),
    ErrorCode.NUMBERING_OFFLINE: N_(
        "This station has no connection to the office yet, so it cannot give your request a "
        "case number and nothing was registered. Submissions are possible as soon as the "
        "station reaches the office: please try again later, or ask the staff for help."
    ),
    ErrorCode.NUMBER_UNAVAILABLE: N_(
        "Your request could not be given a case number right now, so it was not registered "
        "and no receipt is printed. The staff have been told: please try again in a few "
        "minutes, or ask them for help."
    ),
    ErrorCode.CASE_EMPTY: N_("Type the case number printed on your receipt."),
    ErrorCode.CASE_NOT_DIGITS: N_("A case number contains only digits."),
    ErrorCode.CASE_LENGTH: N_(
        "A case number has %(case_digits)d digits. Check that you typed all of them."
    ),
    ErrorCode.CASE_CHECK_DIGIT: N_(
        "This number has a typo: a digit is wrong or two digits are swapped. "
        "Compare it with your receipt."
    ),
    ErrorCode.CASE_NOT_FOUND: N_(
        "No case with this number was found. If you submitted it just now, please try again "
        "in a few minutes."
    ),
    ErrorCode.STATUS_UNAVAILABLE: N_(
        "The case cannot be checked right now: there is no connection to the office. "
        "Please try again later."
    ),
    ErrorCode.SCAN_UNREADABLE: N_(
        "This code is not a case receipt. Scan the QR code on your receipt, or type the number."
    ),
    ErrorCode.PRINTER_OUT_OF_PAPER: N_("The receipt printer is out of paper."),
    ErrorCode.PRINTER_OFFLINE: N_("The receipt printer is not responding."),
    ErrorCode.PRINTER_UNAVAILABLE: N_("The receipt printer is not working."),
    ErrorCode.PERSONAL_NUMBER_EMPTY: N_("Type your personal number."),
    ErrorCode.PERSONAL_NUMBER_LENGTH: N_(
        "A personal number has %(pinfl_digits)d digits. Check that you typed all of them."
    ),
    ErrorCode.PERSONAL_NUMBER_FORMAT: N_(
        "This is not a personal number. Copy it from your ID card or passport."
    ),
    ErrorCode.PERSONAL_NUMBER_CHECK_DIGIT: N_(
        "This personal number has a typo: a digit is wrong or two digits are swapped. "
        "Compare it with your document."
    ),
    ErrorCode.BIRTH_DATE_INCOMPLETE: N_("Type the full date: day, month and four-digit year."),
    ErrorCode.BIRTH_DATE_INVALID: N_("This is not a valid date of birth. Please check it."),
    ErrorCode.BIRTH_DATE_MISMATCH: N_(
        "This date of birth does not match your personal number. Check both."
    ),
    ErrorCode.PERSON_NOT_FOUND: N_(
        "No person with this personal number and date of birth was found. Check both, "
        "or ask the staff for help."
    ),
    ErrorCode.CAMERA_UNAVAILABLE: N_(
        "The camera is not working right now. Please ask the staff for help."
    ),
    ErrorCode.LIVENESS_FAILED: N_(
        "We could not confirm that a live person is in front of the camera. Please face the "
        "camera yourself, without a photo or a screen, and follow the instructions."
    ),
    ErrorCode.VERIFY_UNAVAILABLE: N_(
        "Your photo could not be checked: there is no connection to the office. Your photo is "
        "kept: please try again."
    ),
    ErrorCode.FACE_NOT_VERIFIED: N_(
        "Your photo does not match the photo on record for this personal number. Check that "
        "the personal number is yours and try again."
    ),
    ErrorCode.FACE_REFUSED: N_(
        "Your face could not be seen well enough in the photo. Please try again."
    ),
    ErrorCode.PAYMENT_UNAVAILABLE: N_(
        "Payment cannot be taken right now: there is no connection to the office. Nothing was "
        "charged. Please try again in a few minutes."
    ),
    ErrorCode.PAYMENT_CANCELLED: N_("Payment cancelled. Nothing was charged."),
    ErrorCode.PAYMENT_TIMED_OUT: N_("The time to pay has run out. Nothing was charged."),
    ErrorCode.PAYMENT_REFUND: N_("Your payment arrived too late and will be refunded."),
    ErrorCode.FINGER_READER_UNAVAILABLE: N_(
        "The fingerprint reader is not working right now. Please ask the staff for help."
    ),
    ErrorCode.REFER_TO_STAFF: N_(
        "We could not confirm your identity here. Please go to the staff desk with your ID "
        "card or passport: they will help you."
    ),
}

_ERROR_PARAMETERS = {
    "min": MIN_TEXT_CHARS,
    "max": MAX_TEXT_CHARS,
    "phone_digits": PHONE_DIGITS,
    "case_digits": CASE_NUMBER_DIGITS,
    "pinfl_digits": PERSONAL_NUMBER_DIGITS,
}

STAGE_NAMES: dict[PublicStage, str] = {
    PublicStage.RECEIVED: N_("Received"),
    PublicStage.IN_REVIEW: N_("Under review"),
    PublicStage.ACTION_NEEDED: N_("Your action is needed"),
    PublicStage.DECIDED: N_("Decision made"),
    PublicStage.READY: N_("Ready"),
    PublicStage.CLOSED: N_("Closed"),
}

STAGE_NEXT_STEPS: dict[PublicStage, str] = {
    PublicStage.RECEIVED: N_(
        "Your case is registered. An officer will start reviewing it soon; you need to do "
        "nothing now."
    ),
    PublicStage.IN_REVIEW: N_("An officer is reviewing your case. You need to do nothing now."),
    PublicStage.ACTION_NEEDED: N_(
        "The office needs something from you. Please contact the office named below."
    ),
    PublicStage.DECIDED: N_(
        "A decision has been made. You will be told about it; you can also ask at the office."
    ),
    PublicStage.READY: N_("Your answer or document is ready. Please collect it at the office."),
    PublicStage.CLOSED: N_("Your case is closed. Nothing more is needed from you."),
}

SERVICE_KIND_NAMES: dict[str, str] = {
    "application": N_("Application"),
    "appeal": N_("Appeal"),
    "report": N_("Report"),
}


def error_text(tr: Translator, code: ErrorCode) -> str:
    """The error in the citizen's language."""
    return tr.gettext(ERROR_MESSAGES[code]) % _ERROR_PARAMETERS


def language_name(language: LanguageCode) -> str:
    """``uz_Latn`` -> ``Oʻzbekcha``: a language's name in that language."""
    # Translators: the name of your language as its speakers write it, e.g. "Русский".
    return translator(language).pgettext("name of this language in itself", "English")


def stage_name(tr: Translator, stage: PublicStage) -> str:
    return tr.gettext(STAGE_NAMES[stage])


def stage_next_step(tr: Translator, stage: PublicStage) -> str:
    return tr.gettext(STAGE_NEXT_STEPS[stage])


def service_kind_name(tr: Translator, kind: str) -> str:
    return tr.gettext(SERVICE_KIND_NAMES[kind])
