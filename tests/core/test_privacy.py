import pytest

from core.privacy import Vault, pseudonym


def test_pseudonym_is_stable_keyed_and_hides_the_address() -> None:
    key = b"k" * 32
    first = pseudonym(key, "telegram", "123456789")
    assert first == pseudonym(key, "telegram", "123456789")
    assert "123456789" not in first
    assert first != pseudonym(b"x" * 32, "telegram", "123456789")
    assert first != pseudonym(key, "whatsapp", "123456789")


def test_vault_round_trip_and_wrong_key() -> None:
    token = Vault(b"a" * 32).encrypt("+31612345678")
    assert "+31612345678" not in token
    assert Vault(b"a" * 32).decrypt(token) == "+31612345678"
    with pytest.raises(ValueError, match="cannot decrypt"):
        Vault(b"b" * 32).decrypt(token)
