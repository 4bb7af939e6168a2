"""Shareable preview links for reviewers outside the admin (the prefecture's staff).

A link is a signed token naming a page; it needs no account and no database
row, and stops working after ``PORTAL["PREVIEW_LINK_DAYS"]`` days (default 7).
Opening it shows the page's latest revision, drafts included, exactly as the
public would see it, under an "unpublished preview" banner, with
``X-Robots-Tag: noindex`` and no caching. An expired link answers 410 with a
message in Japanese; a forged or damaged one answers 404.

Changing SECRET_KEY revokes every link at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.utils import timezone

_SALT = "cms_pages.preview_link"


class PreviewLinkExpired(Exception):
    pass


class PreviewLinkInvalid(Exception):
    pass


def preview_link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PORTAL.get("PREVIEW_LINK_DAYS", 7))


def preview_link_token(page, *, now: datetime.datetime | None = None) -> str:
    issued = now or timezone.now()
    return signing.dumps({"page": page.pk, "issued": int(issued.timestamp())}, salt=_SALT)


def preview_link_expires_at(token: str) -> datetime.datetime:
    """When a token stops working (read without checking its age)."""
    try:
        data = signing.loads(token, salt=_SALT)
        issued = datetime.datetime.fromtimestamp(int(data["issued"]), tz=datetime.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise PreviewLinkInvalid from error
    return timezone.localtime(issued + preview_link_max_age())


def preview_link_page_id(token: str) -> int:
    """The page id in a valid token; PreviewLinkExpired / PreviewLinkInvalid otherwise."""
    try:
        data = signing.loads(token, salt=_SALT,
                             max_age=preview_link_max_age().total_seconds())
    except signing.SignatureExpired as error:
        raise PreviewLinkExpired from error
    except signing.BadSignature as error:
        raise PreviewLinkInvalid from error
    try:
        return int(data["page"])
    except (KeyError, TypeError, ValueError) as error:
        raise PreviewLinkInvalid from error
