"""Sealed checkpoint values: an upload URL that is itself a credential, kept in the ledger
without showing it.

The ledger is committed, and the repository may be public, but resuming an upload after a
crash needs what the network handed out for it, and some networks hand out a URL that works
for whoever holds it (TikTok's upload URL carries an upload token). Such a value is stored
sealed: encrypted and authenticated (Fernet: AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package) with a key derived from one of the channel's own secrets, which only
the publishing job has. A value that no longer opens (the secret was replaced, or the text was
altered) is None: the adapter then starts a new upload, as it would without the value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "sealed:v1:"
PURPOSE = b"postcal sealed checkpoint value, v1"


def _fernet(secret: str) -> Fernet:
    key = hmac.new(secret.encode("utf-8"), PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, secret: str) -> str:
    """``value`` encrypted under a key derived from ``secret``, as text for a checkpoint."""
    return PREFIX + _fernet(secret).encrypt(value.encode("utf-8")).decode("ascii")


def unseal(sealed: str, secret: str) -> str | None:
    """The value ``seal`` stored, or None when it cannot be opened with ``secret``."""
    if not sealed.startswith(PREFIX):
        return None
    try:
        return _fernet(secret).decrypt(sealed[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        return None
