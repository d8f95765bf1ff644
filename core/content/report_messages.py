"""What the assistant says in the report_abuse form and about a report's status (actions/reports.py)."""

from __future__ import annotations

from core.content.model import FACTS_CHECKED, Answer
from core.i18n import N_

INTRO = N_(
    "I can pass your report to a WIN-punt (help point for EU workers). I'll ask a few short questions. "
    "You can skip any question or stop at any time: nothing is stored until you say yes at the end. "
    "In danger? Call 112."
)
ASK_WHAT = N_("What happened? Pick one or more, then press \"Done\".")
ASK_WHAT_MORE = N_("Chosen: %(categories)s. Pick more, or press \"Done\".")
ASK_WHERE = N_("Where did it happen? Write the town or the postcode (for example 5912 AB).")
ASK_EMPLOYER = N_("Which employer, agency or landlord is it? Write the name.")
ASK_SINCE = N_("Since when is this happening? For example: \"since March\" or \"2 weeks\".")
ASK_DESCRIPTION = N_(
    "Tell me in your own words what happened. Please don't write your own name, BSN or passport number."
)
ASK_CONTACT = N_(
    "Do you want a WIN-punt employee to answer you here, in this chat? Or do you want to stay anonymous? "
    "Anonymous means: we don't keep who you are, so nobody can write back to you."
)
ASK_CONSENT = N_(
    "Last question: may we pass your report to a WIN-punt? They can help you and can pass it on to the "
    "Labour Authority, the municipality or the police."
)
PRESS_A_BUTTON = N_("Please press one of the buttons.")
DANGER_NOTE = N_(
    "You may be in danger. When you finish the report, I'll connect you with a person straight away. "
    "You can skip the other questions."
)
CANCELLED = N_("OK, I stopped. Your report was not sent and nothing was stored.")
NOT_SENT = N_("OK, your report was not sent and nothing was stored.")
CONFIRMED = N_(
    "Thank you. Your report was sent to a WIN-punt. Your code is %(code)s. Keep it: to see what happens with "
    "your report, write here \"status %(code)s\"."
)
CONFIRMED_ANONYMOUS = N_("Your report is anonymous: we don't know who sent it, so nobody can write back to you.")
CONFIRMED_CONTACT = N_("A WIN-punt employee can answer you here, in this chat.")
URGENT_HANDOFF = N_("Because you may be in danger, I'm connecting you with a person now.")
STATUS_ASK_CODE = N_("Send me the code of your report, for example: status K7M-4QX2")
STATUS_UNKNOWN = N_("I can't find a report with the code %(code)s. Please check the code and try again.")
STATUS_LINE = N_("Report %(code)s: %(status)s")

STATUS_NEW = N_("received, not handled yet.")
STATUS_IN_PROGRESS = N_("a WIN-punt employee is working on it.")
STATUS_REFERRED_LABOUR_AUTHORITY = N_("passed on to the Labour Authority (Arbeidsinspectie).")
STATUS_REFERRED_MUNICIPALITY = N_("passed on to the municipality (gemeente).")
STATUS_REFERRED_POLICE = N_("passed on to the police.")
STATUS_CLOSED = N_("closed.")
STATUS_TEXTS = {
    "new": STATUS_NEW,
    "in_progress": STATUS_IN_PROGRESS,
    "referred_labour_authority": STATUS_REFERRED_LABOUR_AUTHORITY,
    "referred_municipality": STATUS_REFERRED_MUNICIPALITY,
    "referred_police": STATUS_REFERRED_POLICE,
    "closed": STATUS_CLOSED,
}

# Buttons (at most 20 characters).
BUTTON_SKIP = N_("Skip")
BUTTON_CANCEL = N_("Cancel")
BUTTON_DONE = N_("Done")
BUTTON_ANONYMOUS = N_("Stay anonymous")
BUTTON_CONTACT = N_("Answer me here")
BUTTON_YES_SEND = N_("Yes, send it")
BUTTON_NO = N_("No")
BUTTON_STATUS = N_("Status of my report")

#: The Labour Authority's signs of exploitation (core.reports.CATEGORIES), as button labels.
CATEGORY_LABELS = {
    "wages": N_("Pay too low or none"),
    "hours": N_("Too many hours"),
    "unsafe": N_("Unsafe work"),
    "housing": N_("Bad housing"),
    "papers": N_("Passport/ID taken"),
    "debts": N_("Debt to boss/agency"),
    "violence": N_("Threats or violence"),
    "other": N_("Something else"),
}

#: Where to report directly, from the fact sheet (sections 8 and 2.2), shown after a report and with its status.
REPORT_DIRECTLY = Answer(
    key="report_abuse/where",
    title=N_("Where to report"),
    text=N_(
        "In danger: call 112.\n"
        "You can also report directly:\n"
        "• Labour Authority (Arbeidsinspectie): pay, hours, unsafe work, exploitation. 0800 51 51 (free), "
        "or the online form.\n"
        "• Police: 0900 8844. Anonymously: Meld Misdaad Anoniem 0800-7000.\n"
        "• Bad landlord or housing: the meldpunt (reporting point) of your gemeente (municipality). "
        "You can report anonymously.\n"
        "• FairWork: free and confidential advice about exploitation, fairwork.nu\n"
        "• CoMensha, help for victims of human trafficking: (033) 448 11 86, office hours 09:00–17:00."
    ),
    sources=(
        "https://www.wegwijzermensenhandel.nl/signaleren-van-mensenhandel/melden-van-mensenhandel",
        "https://www.nllabourauthority.nl/topics/subjects/labour-market-fraud-and-malpractices/report/faq-on-reporting",
        "https://www.volkshuisvestingnederland.nl/onderwerpen/wet-goed-verhuurderschap/"
        "gemeentelijk-meldpunt-goed-verhuurderschap",
        "https://www.fairwork.nu/en/frequently-asked-questions/",
        "https://www.comensha.nl/actualiteiten/item/comensha-24-7-bereikbaar/",
    ),
    checked=FACTS_CHECKED,
)
