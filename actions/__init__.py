"""Custom actions served to Rasa by the rasa-sdk action server (one module per topic).

Actions are thin: read the tracker, call a core service, send replies. Every text goes through the
gettext catalogs in the language the gateway put into the message metadata.
"""
