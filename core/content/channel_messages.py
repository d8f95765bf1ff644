"""What the assistant says on Telegram and WhatsApp outside the dialogue: commands, media, buttons, erasure."""

from core.i18n import N_

MEDIA_NOT_UNDERSTOOD = N_(
    "Sorry, I can only read text messages and shared locations, not voice messages, pictures or files. "
    "Please write your question in a few words, or pick a topic:"
)
CONTACT_REFUSED = N_(
    "Thanks, but please don't send me contacts or phone numbers: I don't need them and I don't keep them. "
    "Write your question in a few words instead."
)
SOMETHING_WENT_WRONG = N_(
    "Sorry, something went wrong on my side. Please try again in a moment. In an emergency, call 112."
)
UNKNOWN_BUTTON = N_("Sorry, that button is too old to work. Here is the menu again:")

PRIVACY_DETAILS = N_(
    "Privacy: I don't ask for your name or phone number. Your messages are saved under a code, encrypted, "
    "and used only to answer you. Please don't send passport, BSN or bank numbers. "
    "Send /stop to stop announcements, or /forget to erase everything I have saved about you."
)

FORGET_QUESTION = N_(
    "Do you want me to erase everything I have saved about you (your messages, language and announcements)? "
    "This cannot be undone."
)
FORGET_DONE = N_("Done: I have erased everything I had saved about you. If you write again, we start fresh.")
FORGET_KEPT = N_("OK, I have not erased anything.")
BUTTON_FORGET_YES = N_("Yes, erase")
BUTTON_FORGET_NO = N_("No, keep it")

#: WhatsApp's list messages open with a button (at most 20 characters).
BUTTON_CHOOSE = N_("Choose")

# Telegram's command menu (set_my_commands), one short line each.
COMMAND_START = N_("Start and show the topics")
COMMAND_HELP = N_("What I can help with")
COMMAND_LANGUAGE = N_("Change the language")
COMMAND_PRIVACY = N_("How I handle your data")
COMMAND_STOP = N_("Stop announcements")
COMMAND_FORGET = N_("Erase my data")
