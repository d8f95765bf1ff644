"""Pseudonyms and encryption at rest.

Rasa, the database and the logs only ever see a keyed pseudonym of a user (HMAC-SHA256 of channel and
chat id with a secret key). The real address, needed to reply on a channel, is stored encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def pseudonym(key: bytes, channel: str, address: str) -> str:
    digest = hmac.new(key, f"{channel}\x1f{address}".encode(), hashlib.sha256).hexdigest()
    return f"{channel[:2]}-{digest[:40]}"


class Vault:
    """Symmetric encryption (Fernet: AES-128-CBC + HMAC) for addresses and message texts at rest."""

    def __init__(self, key: bytes) -> None:
        derived = hashlib.sha256(b"winbot-vault\x00" + key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: wrong WINBOT_ENCRYPTION_KEY or damaged data") from exc
