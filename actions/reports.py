"""Reporting abuse (misstanden): the report_abuse form, storing the report, and its status by code.

The form (domain/reports.yml) asks: what happened (the Labour Authority's signs, several allowed), where, which
employer/agency/landlord, since when, a description, anonymous or contact in this chat, and consent to pass it to
a WIN-punt. Every step can be skipped; "stop"/"cancel" (six languages), the Cancel button or any other button
ends it and nothing is stored. Danger signs put 112 first at once; the stored report is urgent and the chat goes
to a person (``handoff_urgent`` + action_human_handoff).

Several categories are allowed because exploitation rarely comes alone: the Labour Authority and FairWork look at
signs together (FairWork acts from two), so one button per report would lose what staff need to triage.
"""

from __future__ import annotations

import abc
import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import LocalisedAction, entity, gazetteer, language_of, metadata, send
from core.content import messages as m
from core.content import report_messages as r
from core.content.catalog import ALL_ANSWERS
from core.content.info import EMERGENCY, REPORT_ABUSE_KEYS
from core.folding import fold
from core.i18n import gettext
from core.privacy import Vault
from core.render import FORGET_IN_RASA_SINCE, Button, answer_button, menu_button, payload, render_answer
from core.reports import (
    CATEGORIES,
    DANGER_CATEGORIES,
    create_report,
    find_code,
    forget_messages,
    get_by_code,
    has_danger_words,
    normalise_code,
)
from core.subtopics import choose

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FORM = "report_abuse_form"
#: The form's questions, in order (domain/reports.yml required_slots).
STEPS = ("report_what", "report_where", "report_employer", "report_since", "report_description",
         "report_contact", "report_consent")
#: Slots filled by the validation only.
HELPER_SLOTS = ("report_categories", "report_what_text", "report_region", "report_danger", "report_cancelled")
#: What a skipped step holds (a step's slot must be set for the form to go on).
SKIPPED = "-"
#: The router turns a bare "stop" into this payload (announcements); inside the form it means: stop the report.
STOP_PAYLOAD = '/mobile_team_visit{"unsubscribe":"all"}'
#: Intent confidence above which an answer classified as an emergency counts as a danger sign.
EMERGENCY_CONFIDENCE = 0.6
#: Messages stored from this long before the form began are the report's too (clock skew gateway/Rasa).
_FORM_START_MARGIN = dt.timedelta(seconds=5)

#: Whole messages that mean "stop the report", in the six languages (compared folded).
_CANCEL_WORDS = ("stop", "cancel", "stop it", "quit", "exit", "abort",
                 "anuluj", "przerwij", "koniec", "rezygnuje", "stój", "stoj",
                 "anulează", "anuleaza", "renunț", "renunt", "oprește", "opreste", "stop raport",
                 "отказ", "откажи", "спри", "стоп", "прекрати",
                 "скасувати", "скасуй", "зупини", "відміна", "припини", "стоп",
                 "annuleren", "afbreken", "stoppen", "ophouden")
#: Whole messages that mean "skip this question".
_SKIP_WORDS = ("skip", "next", "pass", "don't know", "dont know", "i don't know", "no idea",
               "pomiń", "pomin", "dalej", "nie wiem", "następne",
               "sari", "sări", "treci", "mai departe", "nu stiu", "nu știu",
               "пропусни", "напред", "не знам", "следващ",
               "пропустити", "пропусти", "далі", "не знаю",
               "overslaan", "volgende", "weet niet", "ik weet het niet", "geen idee")
_YES_WORDS = ("yes", "y", "ok", "okay", "sure", "tak", "da", "так", "да", "ja", "jawel", "send", "wyślij", "trimite")
_NO_WORDS = ("no", "n", "nie", "nu", "не", "ні", "ni", "nee", "nein")
_ANONYMOUS_WORDS = ("anonymous", "anonymously", "anonimowo", "anonim", "anonima", "anonimno", "анонимно",
                    "анонімно", "anoniem")
_CONTACT_WORDS = ("contact", "answer me", "kontakt", "odpowiedz", "raspunde", "отговор", "відповідь",
                  "contact me", "antwoord")


@cache
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


def _is(text: str, words: tuple[str, ...]) -> bool:
    return fold(text.strip(" .!?,;")) in _folded(words)


@cache
def vault() -> Vault:
    """The same key as the gateway's (messages and addresses), built on first use."""
    from core.settings import Settings

    return Vault(Settings.from_env().encryption_key)


def choice_button(title: str, value: str) -> Button:
    """A button of the form: the report_abuse intent with the step's choice (the form reads it)."""
    return Button(gettext(title), payload("report_abuse", report_choice=value))


def skip_cancel() -> list[Button]:
    return [choice_button(r.BUTTON_SKIP, "skip"), choice_button(r.BUTTON_CANCEL, "cancel")]


def _danger_now(dispatcher: CollectingDispatcher) -> None:
    """112 and the help lines first, then what happens next."""
    send(dispatcher, render_answer(EMERGENCY))
    send(dispatcher, gettext(r.DANGER_NOTE))


def _latest_intent(tracker: Tracker) -> tuple[str, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def signals_danger(tracker: Tracker, text: str) -> bool:
    name, confidence = _latest_intent(tracker)
    return (name == "emergency" and confidence >= EMERGENCY_CONFIDENCE) or has_danger_words(text)


def _raw_text(tracker: Tracker) -> str:
    """What the user sent: the words as written, or a button's payload."""
    original = metadata(tracker).get("original_text")
    if original:
        return str(original)
    return str((tracker.latest_message or {}).get("text") or "")


def clear_form() -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in (*STEPS, *HELPER_SLOTS)]


class ActionReportAbuse(LocalisedAction):
    """Starts a report: what comes, 112 first if the message already names a danger; the form asks next."""

    def name(self) -> str:
        return "action_report_abuse"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> list[dict]:
        # A fresh form: nothing left over from an earlier report, and no question pending.
        events = [*clear_form(), SlotSet("requested_slot", None)]
        text = _raw_text(tracker)
        if not text.startswith("/") and signals_danger(tracker, text):
            _danger_now(dispatcher)
            events.append(SlotSet("report_danger", True))
        # A sub-answer's button (signs, a passport taken, who does what) asks for information, not to report:
        # that answer, a button to report, and the bot listens (the form does not start).
        key = entity(tracker, "subtopic")
        if key in REPORT_ABUSE_KEYS:
            others = [k for k in REPORT_ABUSE_KEYS if k != key]
            buttons = [Button(gettext(m.BUTTON_REPORT), payload("report_abuse")), *map(answer_button, others),
                       menu_button()]
            send(dispatcher, render_answer(ALL_ANSWERS[key]), buttons)
            return [FollowupAction("action_listen")]
        # A typed question the sub-answers answer gets that answer first; the form then offers to report it
        # (Cancel or Skip at any step).
        if not text.startswith("/"):
            # The model ranks "just a report" (the topic itself) against these sub-answers: only a clear
            # question about one of them gets its answer first.
            key = choose((tracker.latest_message or {}).get("subtopic"), "report_abuse", REPORT_ABUSE_KEYS).answer
        if key in REPORT_ABUSE_KEYS:
            send(dispatcher, render_answer(ALL_ANSWERS[key]))
        send(dispatcher, gettext(r.INTRO))
        return events


# --- the questions ----------------------------------------------------------------------------------------


class _AskReportStep(LocalisedAction, abc.ABC):
    """Asks one question of the form, with Skip and Cancel buttons."""

    question: str

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so rasa-sdk does not register this base class as an action."""

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        send(dispatcher, gettext(self.question), skip_cancel())


class ActionAskReportWhat(LocalisedAction):
    def name(self) -> str:
        return "action_ask_report_what"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        chosen = list(tracker.get_slot("report_categories") or [])
        buttons = [choice_button(r.CATEGORY_LABELS[c], c) for c in CATEGORIES if c not in chosen]
        if chosen:
            names = ", ".join(gettext(r.CATEGORY_LABELS[c]) for c in chosen if c in r.CATEGORY_LABELS)
            text = gettext(r.ASK_WHAT_MORE, categories=names)
            buttons = [choice_button(r.BUTTON_DONE, "done"), *buttons]
        else:
            text = gettext(r.ASK_WHAT)
            buttons.append(choice_button(r.BUTTON_SKIP, "skip"))
        send(dispatcher, text, [*buttons, choice_button(r.BUTTON_CANCEL, "cancel")])


class ActionAskReportWhere(_AskReportStep):
    question = r.ASK_WHERE

    def name(self) -> str:
        return "action_ask_report_where"


class ActionAskReportEmployer(_AskReportStep):
    question = r.ASK_EMPLOYER

    def name(self) -> str:
        return "action_ask_report_employer"


class ActionAskReportSince(_AskReportStep):
    question = r.ASK_SINCE

    def name(self) -> str:
        return "action_ask_report_since"


class ActionAskReportDescription(_AskReportStep):
    question = r.ASK_DESCRIPTION

    def name(self) -> str:
        return "action_ask_report_description"


class ActionAskReportContact(LocalisedAction):
    def name(self) -> str:
        return "action_ask_report_contact"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        send(dispatcher, gettext(r.ASK_CONTACT), [
            choice_button(r.BUTTON_ANONYMOUS, "anonymous"), choice_button(r.BUTTON_CONTACT, "contact"),
            choice_button(r.BUTTON_CANCEL, "cancel"),
        ])


class ActionAskReportConsent(LocalisedAction):
    def name(self) -> str:
        return "action_ask_report_consent"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        send(dispatcher, gettext(r.ASK_CONSENT), [
            choice_button(r.BUTTON_YES_SEND, "yes"), choice_button(r.BUTTON_NO, "no"),
        ])


# --- the answers ----------------------------------------------------------------------------------------------


class ValidateReportAbuseForm(LocalisedAction):
    """What each answer means. Returns the slots to set; the requested slot set to None asks again."""

    def name(self) -> str:
        return "validate_report_abuse_form"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> list[dict]:
        step = tracker.get_slot("requested_slot")
        if step not in STEPS:
            return []
        text = _raw_text(tracker).strip()
        choice = entity(tracker, "report_choice")
        is_button = text.startswith("/")
        if choice == "cancel" or _is(text, _CANCEL_WORDS) or (is_button and choice is None):
            # Cancel, "stop" (the router's announcements payload) or a button from elsewhere: leave the form.
            return [*clear_form(), SlotSet("report_cancelled", True),
                    SlotSet("report_danger", tracker.get_slot("report_danger")), SlotSet("requested_slot", None)]
        skipped = choice == "skip" or (not is_button and _is(text, _SKIP_WORDS))
        events: list[dict] = []
        if not is_button and not skipped and not tracker.get_slot("report_danger") and signals_danger(tracker, text):
            _danger_now(dispatcher)
            events.append(SlotSet("report_danger", True))
        if step == "report_what":
            return events + self._what(dispatcher, tracker, text, choice, is_button, skipped)
        if step == "report_contact":
            return events + self._pick(dispatcher, step, text, choice, skipped, "anonymous",
                                       {"anonymous": _ANONYMOUS_WORDS, "contact": _CONTACT_WORDS})
        if step == "report_consent":
            return events + self._pick(dispatcher, step, text, choice, skipped, "no",
                                       {"yes": _YES_WORDS, "no": _NO_WORDS})
        if skipped or not text or is_button:
            return [*events, SlotSet(step, SKIPPED)]
        events.append(SlotSet(step, text))
        if step == "report_where":
            events.append(SlotSet("report_region", self._region(tracker, text)))
        return events

    def _what(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str, choice: str | None,
              is_button: bool, skipped: bool) -> list[dict]:
        chosen = list(tracker.get_slot("report_categories") or [])
        events: list[dict] = []
        if choice in CATEGORIES:
            if choice not in chosen:
                chosen.append(choice)
            events.append(SlotSet("report_categories", chosen))
            if choice in DANGER_CATEGORIES and not tracker.get_slot("report_danger"):
                _danger_now(dispatcher)
                events.append(SlotSet("report_danger", True))
            return [*events, SlotSet("report_what", None)]  # ask again: more, or done
        if choice == "done" or skipped:
            return [SlotSet("report_what", "done" if chosen else SKIPPED)]
        if is_button:
            return [SlotSet("report_what", None)]
        # Written in their own words instead of buttons: kept (it goes with the description), category "other".
        return [SlotSet("report_what_text", text[:2000]), SlotSet("report_categories", chosen or ["other"]),
                SlotSet("report_what", "done")]

    @staticmethod
    def _pick(dispatcher: CollectingDispatcher, step: str, text: str, choice: str | None, skipped: bool,
              default: str, words: dict[str, tuple[str, ...]]) -> list[dict]:
        if choice in words:
            return [SlotSet(step, choice)]
        if skipped:
            return [SlotSet(step, default)]
        for value, accepted in words.items():
            if _is(text, accepted):
                return [SlotSet(step, value)]
        send(dispatcher, gettext(r.PRESS_A_BUTTON))
        return [SlotSet(step, None)]

    @staticmethod
    def _region(tracker: Tracker, text: str) -> str | None:
        from core.locate import locate

        found = metadata(tracker).get("entities") or {}
        query = found.get("postcode") or found.get("city") or text
        located = locate(gazetteer(), str(query))
        if located is None or located.ambiguous:
            return None  # national: staff still see the place as written
        return located.spot.region


# --- after the form -------------------------------------------------------------------------------------------


def _report_started(tracker: Tracker) -> float | None:
    """Rasa's timestamp of the message that started this report: the last user message before the last run of
    action_report_abuse (the form can be re-entered after an interruption, so not the last ``active_loop``)."""
    started: float | None = None
    last_user: float | None = None
    for event in tracker.events:
        if event.get("event") == "user":
            last_user = event.get("timestamp")
        elif event.get("event") == "action" and event.get("name") == "action_report_abuse":
            started = last_user
    return started


def _form_started_at(tracker: Tracker) -> dt.datetime | None:
    """When the message that started the form reached Rasa (its events carry timestamps), less a margin for the
    clocks of the gateway (which stores the messages) and Rasa."""
    started = _report_started(tracker)
    if started is None:
        return None
    return dt.datetime.fromtimestamp(started, dt.UTC) - _FORM_START_MARGIN


def _last_user_message(tracker: Tracker) -> float | None:
    return next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None)


def forget_in_rasa(dispatcher: CollectingDispatcher, since: float | None) -> None:
    """Ask the gateway to delete this conversation's events from ``since`` (a Rasa timestamp) from Rasa's tracker
    store once this turn is stored: the turns that carried a report (or an anonymous report's code) would keep
    its answers under the user's pseudonym. Rasa's API cannot delete events; the gateway can (bot/rasa_store.py).
    """
    if since is not None:
        dispatcher.utter_message(json_message={FORGET_IN_RASA_SINCE: since})


def _value(tracker: Tracker, slot: str) -> str | None:
    value = tracker.get_slot(slot)
    return None if value in (None, "", SKIPPED) else str(value)


class ActionReportSubmit(LocalisedAction):
    """Stores the report (with consent) or says that nothing was stored; urgent reports go to a person."""

    def name(self) -> str:
        return "action_report_submit"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> list[dict]:
        danger = bool(tracker.get_slot("report_danger"))
        events = clear_form()
        started = _form_started_at(tracker)
        # Whatever the outcome, the report's turns leave Rasa's tracker store (asked for last, after the answers):
        # a stored report keeps its text encrypted in the reports table, a cancelled one keeps nothing, an
        # anonymous one no link to the chat.
        report_started = _report_started(tracker)
        if tracker.get_slot("report_cancelled") or tracker.get_slot("report_consent") != "yes":
            if danger:
                send(dispatcher, render_answer(EMERGENCY))
            cancelled = bool(tracker.get_slot("report_cancelled"))
            send(dispatcher, gettext(r.CANCELLED if cancelled else r.NOT_SENT))
            send(dispatcher, render_answer(r.REPORT_DIRECTLY), [menu_button()])
            if started is not None:
                forget_messages(db, vault(), tracker.sender_id, started)  # nothing stored: not even the answers
            forget_in_rasa(dispatcher, report_started)
            return events
        categories = [c for c in (tracker.get_slot("report_categories") or []) if c in CATEGORIES]
        anonymous = tracker.get_slot("report_contact") != "contact"
        description = "\n".join(t for t in (_value(tracker, "report_what_text"),
                                            _value(tracker, "report_description")) if t) or None
        report = create_report(
            db, vault(), categories=categories, place=_value(tracker, "report_where"),
            employer=_value(tracker, "report_employer"), since=_value(tracker, "report_since"),
            description=description, region=_value(tracker, "report_region"), anonymous=anonymous,
            user_id=None if anonymous else tracker.sender_id, language=None if anonymous else language_of(tracker),
            urgent=danger,
        )
        if anonymous and started is not None:
            # The chat messages that carried the report would tie it to the reporter: they have done their job.
            forget_messages(db, vault(), tracker.sender_id, started)
        if report.urgent:
            send(dispatcher, render_answer(EMERGENCY))
        send(dispatcher, gettext(r.CONFIRMED, code=report.code))
        send(dispatcher, gettext(r.CONFIRMED_ANONYMOUS if anonymous else r.CONFIRMED_CONTACT))
        if report.urgent:
            send(dispatcher, gettext(r.URGENT_HANDOFF))
            forget_in_rasa(dispatcher, report_started)
            return [*events, SlotSet("handoff_urgent", True), FollowupAction("action_human_handoff")]
        status_button = Button(gettext(r.BUTTON_STATUS), payload("report_status", report_code=report.code))
        send(dispatcher, render_answer(r.REPORT_DIRECTLY), [status_button, menu_button()])
        forget_in_rasa(dispatcher, report_started)
        return events


class ActionReportStatus(LocalisedAction):
    """ "status K7M-4QX2" or the status button: the report's status, and where to report directly."""

    def name(self) -> str:
        return "action_report_status"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, db: Session) -> None:
        code = normalise_code(entity(tracker, "report_code") or "") or find_code(_raw_text(tracker))
        answer_status(dispatcher, tracker, db, code)


def answer_status(dispatcher: CollectingDispatcher, tracker: Tracker, db: Session, code: str | None) -> None:
    """The status of the report with ``code`` (or ask for the code), then the official places to report."""
    if code is None:
        send(dispatcher, gettext(r.STATUS_ASK_CODE), [menu_button()])
        return
    report = get_by_code(db, code)
    if report is None:
        send(dispatcher, gettext(r.STATUS_UNKNOWN, code=code), [menu_button()])
        return
    send(dispatcher, gettext(r.STATUS_LINE, code=report.code, status=gettext(r.STATUS_TEXTS[report.status.value])))
    send(dispatcher, render_answer(r.REPORT_DIRECTLY), [menu_button()])
    if report.anonymous:
        # Asking with the code from this chat would tie the anonymous report to the asker: drop that message.
        forget_messages(db, vault(), tracker.sender_id, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10),
                        only_containing=report.code)
        forget_in_rasa(dispatcher, _last_user_message(tracker))
