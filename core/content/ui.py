"""The web chat page's own words (served by GET /api/ui)."""

from core.i18n import N_

UI_STRINGS = {
    "title": N_("Work in NL assistant"),
    "placeholder": N_("Type your question…"),
    "send": N_("Send"),
    "language_label": N_("Language"),
    "privacy_title": N_("Your privacy"),
    "privacy_text": N_(
        "This chat is anonymous. We don't ask for your name or phone number. Your messages are saved under "
        "a random code and used only to answer you. Don't send passport, BSN or bank numbers. "
        "In an emergency, call 112."
    ),
    "privacy_accept": N_("OK, I understand"),
    "error_network": N_("The message could not be sent. Check your connection and try again."),
    # Shown (and sent in the 429 answer) when someone sends too many messages too quickly (bot/guard.py).
    "rate_limited": N_("You're sending messages very quickly. Please wait a moment, then send your message again."),
    "typing": N_("The assistant is typing…"),
    "message_list_label": N_("Conversation"),
}
