"""Shared core of winbot: settings, database, i18n and services used by the gateway and the actions."""
