"""The local default key: created once, readable by its owner only, announced in
the log (without the key), and the same key on every later start."""

from __future__ import annotations

import logging
import stat

from bot.crypto import vault_from_settings


def test_the_local_key_file_is_owner_only_announced_and_reused(tmp_path, caplog):
    key_file = tmp_path / "var" / "encryption.key"
    with caplog.at_level(logging.WARNING, logger="bot.crypto"):
        first = vault_from_settings(None, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    [said] = [r.getMessage() for r in caplog.records if "encryption key" in r.getMessage()]
    assert str(key_file) in said and key not in said

    sealed = first.seal({"words": "only mine"})
    again = vault_from_settings(None, key_file)
    assert again.open(sealed) == {"words": "only mine"}
    assert key_file.read_text().strip() == key


def test_keys_from_the_environment_need_no_file(tmp_path):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = vault_from_settings(old, tmp_path / "unused.key").seal({"a": 1})
    rotated = vault_from_settings(f"{new},{old}", tmp_path / "unused.key")
    assert rotated.open(sealed) == {"a": 1}  # MultiFernet: the old key still opens old rows
    assert not (tmp_path / "unused.key").exists()
