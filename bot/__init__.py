"""Transports and the gateway: web chat, (later) Telegram and WhatsApp, and the router to Rasa."""
