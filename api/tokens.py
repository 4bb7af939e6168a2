"""Services and selectors for bearer tokens (HackSoft style).

A token is "pp_" + 43 URL-safe characters (32 random bytes); the database keeps
its SHA-256 (directory.accounts.tokens.token_hash, the same scheme as the
e-mailed links: a secret with this much entropy needs no salt or slow hash).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from directory.accounts.tokens import token_hash

TOKEN_PREFIX = "pp_"
TOKEN_BYTES = 32
# Longer input is never a token we issued; refuse it before hashing.
MAX_TOKEN_LENGTH = 100
# last_used_at is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "API_TOKEN_LIFETIME_DAYS", 30)))


def token_is_plausible(raw: str) -> bool:
    body = raw[len(TOKEN_PREFIX):] if raw.startswith(TOKEN_PREFIX) else ""
    return bool(body) and len(raw) <= MAX_TOKEN_LENGTH and all(
        char.isascii() and (char.isalnum() or char in "-_") for char in body
    )


@transaction.atomic
def api_token_issue(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`: (row, raw token). The raw token is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, token_hash=token_hash(raw), prefix=raw[:10], name=name.strip()[:100],
        created_at=now, expires_at=now + token_lifetime(),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke `token` (idempotent: a revoked token keeps its first revocation time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user) -> int:
    """Revoke every live token of `user` (after a password change or reset); the count."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


def api_token_touch(*, token: ApiToken) -> None:
    """Record a use, at most once per LAST_USED_RESOLUTION (one UPDATE, no read)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_tokens_prune(*, older_than_days: int = 90) -> int:
    """Delete tokens expired or revoked more than `older_than_days` ago."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    expired, _ = ApiToken.objects.filter(expires_at__lt=cutoff).delete()
    revoked, _ = ApiToken.objects.filter(revoked_at__lt=cutoff).delete()
    return expired + revoked


# --- selectors ------------------------------------------------------------------------


def api_token_by_raw(*, raw: str) -> ApiToken | None:
    """The token row for a raw token (any state), with its user; None if unknown."""
    if not token_is_plausible(raw):
        return None
    return ApiToken.objects.select_related("user").filter(token_hash=token_hash(raw)).first()


def api_tokens_for_user(user):
    """The user's tokens, newest first (revoked and expired ones included)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_for_user(user, pk) -> ApiToken | None:
    """One of the user's own tokens (audited access: never someone else's)."""
    try:
        return api_tokens_for_user(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None
