"""Rasa behind its HTTP API only (REST channel and /model/parse), so it can be replaced later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class RasaUnavailable(RuntimeError):
    """Rasa or its action server could not answer; the message must be kept for later."""


@dataclass(frozen=True)
class BotMessage:
    text: str | None
    buttons: list[dict[str, str]]
    custom: dict[str, Any] | None


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 20.0, client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[BotMessage]:
        body = {"sender": sender, "message": text, "metadata": metadata}
        data = await self._post("/webhooks/rest/webhook", body)
        if not isinstance(data, list) or not data:
            # Rasa answers every message with at least one reply; none means an action failed.
            raise RasaUnavailable("Rasa returned no reply")
        return [
            BotMessage(item.get("text"), list(item.get("buttons") or []), item.get("custom"))
            for item in data
            if isinstance(item, dict)
        ]

    async def parse(self, text: str) -> dict[str, Any]:
        data = await self._post("/model/parse", {"text": text})
        if not isinstance(data, dict):
            raise RasaUnavailable("unexpected /model/parse answer")
        return data

    async def restart(self, sender: str) -> None:
        """Forget a conversation's dialogue state (slots, forms, language): a ``restart`` event on its tracker.

        Rasa's HTTP API cannot delete stored events; ``bot.channels.state.purge_rasa_events`` does that.
        """
        await self._events(sender, [{"event": "restart"}])

    async def resume(self, sender: str) -> None:
        """Resume a conversation paused while staff had it (Rasa ignores a paused one). The paused tracker ends
        after the handoff action without a listen: ``action_listen`` makes the next message a fresh turn, so
        rules match again."""
        await self._events(sender, [{"event": "resume"}, {"event": "action", "name": "action_listen"}])

    async def _events(self, sender: str, events: list[dict[str, Any]]) -> None:
        try:
            response = await self._client.post(f"{self.base_url}/conversations/{sender}/tracker/events", json=events)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__} on tracker/events") from exc
        if response.status_code >= 400:
            raise RasaUnavailable(f"HTTP {response.status_code} on tracker/events")

    async def status(self) -> dict[str, Any]:
        try:
            response = await self._client.get(f"{self.base_url}/status", timeout=3)
            response.raise_for_status()
            return dict(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(str(exc)) from exc

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = await self._client.post(f"{self.base_url}{path}", json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__} on {path}") from exc
        if response.status_code >= 400:
            raise RasaUnavailable(f"HTTP {response.status_code} on {path}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"invalid JSON on {path}") from exc
