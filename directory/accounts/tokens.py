"""Single-use link tokens: the link carries the raw token, the database a hash of it.

A token is 32 random bytes (URL-safe base64, 43 characters), so guessing one is
hopeless and a plain SHA-256 is enough to store it: no salt or slow hash is
needed for a secret with this much entropy, and a hash lets us find the row.
"""

import hashlib
import secrets

TOKEN_BYTES = 32
# Longer input is never a token we issued; refuse it before hashing.
MAX_TOKEN_LENGTH = 100


def token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def token_generate() -> tuple[str, str]:
    """A new token: (raw token for the link, hash for the database)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


def token_is_plausible(raw_token: str) -> bool:
    """Cheap shape check before any lookup (tampered links fail here or in the lookup)."""
    return bool(raw_token) and len(raw_token) <= MAX_TOKEN_LENGTH and all(
        char.isascii() and (char.isalnum() or char in "-_") for char in raw_token
    )
