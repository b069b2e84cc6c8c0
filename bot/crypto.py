"""Encryption at rest for everything a user writes (Fernet, rotatable keys).

The first key encrypts; every key decrypts, so a new key can be put first
and old rows re-encrypted at leisure with :meth:`Vault.rotate`.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)


class Vault:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, value: Any) -> str:
        """JSON-encode *value* and encrypt it."""
        raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        return self._fernet.encrypt(raw).decode()

    def open(self, token: str) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as error:
            raise ValueError("cannot decrypt: unknown key or damaged data") from error

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()


def vault_from_settings(encryption_keys: str | None, key_file: Path) -> Vault:
    """Keys from KINTSUGI_ENCRYPTION_KEYS, else a key file made once under var/."""
    if encryption_keys:
        return Vault([key.strip() for key in encryption_keys.split(",") if key.strip()])
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
        log.warning(
            "created a new encryption key at %s; back it up, or set "
            "KINTSUGI_ENCRYPTION_KEYS in production",
            key_file,
        )
    return Vault([key_file.read_text().strip()])
