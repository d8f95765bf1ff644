"""What the assistant says around the answers: greeting, menu, language, fallback, errors."""

from core.i18n import N_

GREETING = N_(
    "Hi! I'm the Work in NL assistant. I answer questions about registration, housing, health insurance "
    "and work in the Netherlands. Ask me in your own words, or pick a topic below."
)
PRIVACY_NOTICE = N_(
    "Privacy: I don't ask for your name. Your messages are saved under a code, not under your phone number "
    "or chat name, and are used only to answer you. Please don't send passport, BSN or bank numbers."
)
LANGUAGE_OFFER = N_("I'm writing in English. Do you prefer another language? Pick one:")
MENU_QUESTION = N_("What can I help you with?")
LANGUAGE_QUESTION = N_("Which language do you prefer?")
LANGUAGE_CHANGED = N_("OK, from now on I'll write in English.")
THANKS_REPLY = N_("You're welcome! Ask me anything else any time.")
GOODBYE_REPLY = N_("Goodbye, and take care! You can write to me again whenever you need help.")
FALLBACK_GUESS = N_("Sorry, I'm not sure I understood. Did you mean one of these?")
FALLBACK_MENU = N_(
    "Sorry, I still don't understand. Try a few simple words, for example \"BSN\" or \"salary\", "
    "or pick a topic:"
)
#: After the second misunderstanding in a row, under FALLBACK_MENU; ``button``: the "Talk to a person" label.
FALLBACK_PERSON = N_("A WIN-punt employee can also answer you here: press \"%(button)s\".")
#: Under the menu and the fallback answers, always (issue 10): the way out for someone in danger.
EMERGENCY_LINE = N_("In danger? Call 112 now.")
FOLLOW_UP = N_("Anything else about this?")
WHICH_OF_TWO = N_("Which of these do you mean?")
SOURCE_LINE = N_("Source: %(source)s")
FIGURES_MAY_HAVE_CHANGED = N_(
    "These figures applied until %(date)s and may have changed since. Check the official page: %(source)s"
)
LAST_CHECKED = N_("Last checked: %(date)s")
SERVICE_DOWN = N_(
    "Sorry, I can't answer right now because of a technical problem. Your message is saved and will be "
    "answered as soon as possible. In an emergency, call 112."
)
TOO_LONG = N_("Your message is very long. I read only the first %(limit)s characters.")
EMPTY_MESSAGE = N_("I only understand text messages. Please write your question in a few words.")

# Menu and button labels (a button label is at most 20 characters).
BUTTON_MENU = N_("Menu")
BUTTON_OTHER_QUESTIONS = N_("Something else")
BUTTON_LANGUAGE = N_("Language")
BUTTON_REPORT = N_("Report abuse")
BUTTON_SIGNS = N_("Signs of abuse")
BUTTON_HELP_POINT = N_("Help nearby")
BUTTON_MOBILE_TEAM = N_("Mobile team")
BUTTON_PERSON = N_("Talk to a person")
BUTTON_EMERGENCY = N_("Emergency")
