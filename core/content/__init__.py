"""What the assistant says: sourced answers (English msgids, translated through gettext)."""
