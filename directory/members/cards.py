"""The digital card's QR code: an encrypted, short-lived token and its verification.

The QR code carries a full URL, `WAGTAILADMIN_BASE_URL/card/verify?t=<token>`,
so any phone camera opens the verify page. The token is opaque: AES-GCM
(`cryptography`, already a dependency of pywebpush) over
`member id | programme code | kind | not-after (Unix time)`, with a key derived
from SECRET_KEY and a random nonce, so it cannot be forged, edited or read, and
two codes of the same member cannot be linked by a shop. It holds no name or
member number, and the verify page shows neither.

Two kinds:
- "t" (timed), shown while the phone is online: valid until `CARD_TOKEN_MAX_AGE`
  seconds (setting, default 300) after the start of its window (half that long),
  so a code shown is always good for at least half the maximum age.
- "d" (day), the code the card page keeps for when it is shown offline from the
  service worker's cache: valid until the end of the day it was issued
  (settings.TIME_ZONE). A clerk's verify page accepts it all that day.

Making a QR image costs milliseconds of CPU, so each code (token and SVG) is
kept in the cache per member, programme, kind and window: reloading the card
page within a window makes no new image.

Verification recomputes eligibility from today's data, so a member whose
children passed the age limit or whose account was deleted since the code was
made is refused even while the code has not run out.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from directory.members.eligibility import eligibility_for

KEY_SALT = "portal.card.aes-gcm"
TOKEN_PREFIX = "c1."
DEFAULT_MAX_AGE = 300
KIND_TIMED = "t"
KIND_DAY = "d"
# A real token is about 80 characters; anything far longer is refused before decoding.
MAX_TOKEN_LENGTH = 512
_PROGRAMME_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
_NONCE_BYTES = 12


def token_max_age() -> int:
    return int(getattr(settings, "CARD_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def _window_seconds() -> int:
    return max(token_max_age() // 2, 1)


def _aead() -> AESGCM:
    key = salted_hmac(KEY_SALT, "card-token-key", algorithm="sha256").digest()
    return AESGCM(key)


def _end_of_day(day: datetime.date) -> int:
    tz = timezone.get_current_timezone()
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                         tzinfo=tz)
    return int(midnight.timestamp())


def card_token_make(*, member_id: int, programme_code: str, not_after: int,
                    kind: str = KIND_TIMED) -> str:
    """An opaque token: only this site can read it, and nobody can change it."""
    plain = f"{member_id}|{programme_code}|{kind}|{not_after}".encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead().encrypt(nonce, plain, TOKEN_PREFIX.encode())
    return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def card_verify_url(token: str) -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('members:card_verify')}?{urlencode({'t': token})}"


def qr_svg(data: str, *, title: str = "") -> str:
    """An inline SVG QR code (black on white, with the quiet zone), sized by CSS."""
    qr = segno.make(data, error="m")
    return qr.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, title=title or None,
        svgclass="p-member-card__qr-svg", lineclass=None,
    )


@dataclass(frozen=True)
class CardCode:
    token: str
    url: str
    svg: str
    expires_at: datetime.datetime
    kind: str = KIND_TIMED


def card_code_make(*, member, eligibility, title: str = "", kind: str = KIND_TIMED,
                   now: float | None = None) -> CardCode:
    """The code for one card: made once per window (timed) or day, then cached."""
    now = time.time() if now is None else now
    programme_code = eligibility.programme.code
    if kind == KIND_DAY:
        day = timezone.localdate(datetime.datetime.fromtimestamp(now, tz=datetime.UTC))
        not_after = _end_of_day(day)
        window = day.isoformat()
    else:
        window_seconds = _window_seconds()
        start = int(now // window_seconds) * window_seconds
        not_after = start + token_max_age()
        window = f"{start}-{not_after}"
    title_digest = hashlib.sha256(title.encode()).hexdigest()[:12]
    key = f"card-code:{member.pk}:{programme_code}:{kind}:{window}:{title_digest}"
    code = cache.get(key)
    if code is None:
        token = card_token_make(member_id=member.pk, programme_code=programme_code,
                                not_after=not_after, kind=kind)
        url = card_verify_url(token)
        code = CardCode(
            token=token, url=url, svg=qr_svg(url, title=title), kind=kind,
            expires_at=datetime.datetime.fromtimestamp(not_after, tz=datetime.UTC),
        )
        cache.set(key, code, timeout=max(int(not_after - now), 1))
    return code


# --- verification ----------------------------------------------------------------


class Status:
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered, garbage or not ours
    NOT_ELIGIBLE = "not_eligible"
    ACCOUNT_DELETED = "account_deleted"
    EMPTY = "empty"


@dataclass(frozen=True)
class Verification:
    status: str
    programme: object | None = None  # masters.Programme
    valid_until: datetime.date | None = None
    day_code: bool = False  # the offline card's code, good for the day it was issued

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID


def _payload(token: str, now: float):
    """(member id, programme code, kind) from a token, or a Verification saying why not."""
    if not token.startswith(TOKEN_PREFIX):
        return Verification(Status.INVALID)
    body = token[len(TOKEN_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if len(raw) <= _NONCE_BYTES:
            return Verification(Status.INVALID)
        plain = _aead().decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], TOKEN_PREFIX.encode())
        member_id, programme_code, kind, not_after = plain.decode().split("|")
        member_id, not_after = int(member_id), int(not_after)
    except (InvalidTag, ValueError, TypeError, UnicodeError, OverflowError):
        return Verification(Status.INVALID)
    # Only we encrypt with this key, but a key rotation or an old format must not crash.
    if not _PROGRAMME_CODE.match(programme_code) or kind not in (KIND_TIMED, KIND_DAY):
        return Verification(Status.INVALID)
    if now >= not_after:
        return Verification(Status.EXPIRED)
    return member_id, programme_code, kind


def card_token_verify(token: str | None, *, today: datetime.date | None = None,
                      now: float | None = None) -> Verification:
    """What a shop may learn from a scanned code: valid for which programme until when, or why not."""
    from directory.members.selectors import member_with_children, programmes_with_rules

    token = (token or "").strip()
    if not token:
        return Verification(Status.EMPTY)
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return Verification(Status.INVALID)
    payload = _payload(token, time.time() if now is None else now)
    if isinstance(payload, Verification):
        return payload
    member_id, programme_code, kind = payload
    member = member_with_children(member_id=member_id)
    if member is None:
        return Verification(Status.ACCOUNT_DELETED)
    today = today or timezone.localdate()
    result = eligibility_for(member, programme_code, today=today,
                             programmes=programmes_with_rules())
    if result is None:
        return Verification(Status.INVALID)
    if not result.eligible:
        return Verification(Status.NOT_ELIGIBLE, programme=result.programme)
    return Verification(Status.VALID, programme=result.programme, valid_until=result.valid_until,
                        day_code=kind == KIND_DAY)
