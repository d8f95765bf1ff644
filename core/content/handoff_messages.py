"""What the assistant says around talking to a person (core/handoff.py, bot/handoff.py)."""

from core.i18n import N_

QUEUED = N_("OK. A person from a WIN-punt (help point for EU workers) will answer you here, in this chat.")
HOURS = N_("Staff answer %(hours)s (Amsterdam time).")
WAIT_ABOUT = N_("Right now the wait is about %(minutes)s minutes.")
WAIT_UNKNOWN = N_("We can't say yet how long the wait is.")
CLOSED_NOW = N_("Staff are not there right now. Your question stays in the queue. Someone will answer from %(when)s.")
URGENT = N_("Your chat is marked as urgent.")
WAITING_ACK = N_("Your message is passed on. A person will answer here as soon as possible.")
BACK_TO_BOT_HINT = N_("You can go back to the assistant at any time.")
BUTTON_BACK_TO_BOT = N_("Back to assistant")
NO_ANSWER = N_("Sorry, nobody could answer you yet. Your question stays in the queue. You can also get help here:")
CLOSED_SILENT = N_(
    "This chat with the WIN-punt is closed because it was quiet for a while. You can write to me at any time, "
    "and ask for a person again."
)
HANDED_BACK = N_(
    "The WIN-punt employee has handed you back to the assistant. Ask me anything, or ask for a person again."
)
ASSISTANT_DOWN = N_(
    "I can't answer right now because of a technical problem, so I've asked a person to help you. "
    "They will answer here. In an emergency, call 112."
)
BACK_TO_BOT = N_("OK, you're talking to the assistant again.")
SOLVED = N_(
    "The WIN-punt employee has marked your question as solved. If you write here again before %(when)s, your "
    "message goes back to the WIN-punt; after that, the assistant answers. To talk to the assistant now, press the "
    "button."
)
REOPENED = N_("Your chat with the WIN-punt is open again. A person will read your message and answer here.")
