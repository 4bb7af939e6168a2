"""The digital card's QR code: a signed, short-lived token and its verification.

The QR code carries a full URL, `WAGTAILADMIN_BASE_URL/card/verify?t=<token>`,
so any phone camera opens the verify page. The token is
`django.core.signing.dumps([member id, programme code, valid-until], salt="portal.card")`:
signed with SECRET_KEY and time-stamped, so it cannot be forged or edited and
expires after `CARD_TOKEN_MAX_AGE` seconds (setting, default 300). It is
signed, not encrypted: it holds the member's database id, never a name or a
member number, and the verify page shows neither.

Verification recomputes eligibility from today's data, so a member whose
children passed the age limit or whose account was deleted since the code was
made is refused even within the five minutes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from directory.members.eligibility import eligibility_for

SALT = "portal.card"
DEFAULT_MAX_AGE = 300
# A real token is about 80 characters; anything far longer is refused before decoding.
MAX_TOKEN_LENGTH = 512
_PROGRAMME_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


def token_max_age() -> int:
    return int(getattr(settings, "CARD_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def card_token_make(*, member_id: int, programme_code: str, valid_until: datetime.date) -> str:
    return signing.dumps(
        [member_id, programme_code, valid_until.isoformat()], salt=SALT, compress=True
    )


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


def card_code_make(*, member, eligibility, title: str = "") -> CardCode:
    token = card_token_make(member_id=member.pk, programme_code=eligibility.programme.code,
                            valid_until=eligibility.valid_until)
    url = card_verify_url(token)
    return CardCode(
        token=token, url=url, svg=qr_svg(url, title=title),
        expires_at=timezone.now() + datetime.timedelta(seconds=token_max_age()),
    )


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

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID


def _payload(token: str, max_age: int):
    """(member id, programme code) from a token, or a Verification saying why not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        return Verification(Status.EXPIRED)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, OverflowError):
        return Verification(Status.INVALID)
    # Only we sign with this salt, but a key rotation or an old format must not crash.
    if (
        not isinstance(data, list) or len(data) != 3
        or not isinstance(data[0], int) or isinstance(data[0], bool)
        or not isinstance(data[1], str) or not _PROGRAMME_CODE.match(data[1])
    ):
        return Verification(Status.INVALID)
    return data[0], data[1]


def card_token_verify(token: str | None, *, today: datetime.date | None = None,
                      max_age: int | None = None) -> Verification:
    """What a shop may learn from a scanned code: valid for which programme until when, or why not."""
    from directory.members.selectors import member_with_children, programmes_with_rules

    token = (token or "").strip()
    if not token:
        return Verification(Status.EMPTY)
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return Verification(Status.INVALID)
    payload = _payload(token, token_max_age() if max_age is None else max_age)
    if isinstance(payload, Verification):
        return payload
    member_id, programme_code = payload
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
    return Verification(Status.VALID, programme=result.programme, valid_until=result.valid_until)
