"""Reads of the member side (HackSoft style): link lookups, "my page", the data export.

Every read of member data starts from the signed-in user (`request.user`); there
is no id in any member URL, so one member can never name another's record.
"""

from __future__ import annotations

from django.utils import timezone

from directory.accounts.models import EmailChangeRequest, SignupRequest, User
from directory.accounts.tokens import token_hash, token_is_plausible
from directory.members.models import Member


def signup_request_by_token(*, token: str) -> SignupRequest | None:
    if not token_is_plausible(token):
        return None
    return SignupRequest.objects.filter(token_hash=token_hash(token)).first()


def signup_request_state(signup_request: SignupRequest | None) -> str:
    """"valid", or why the link cannot be used: invalid, used or expired."""
    if signup_request is None:
        return "invalid"
    if signup_request.used_at is not None or User.objects.filter(
        email__iexact=signup_request.email
    ).exists():
        return "used"
    if signup_request.is_expired:
        return "expired"
    return "valid"


def email_change_request_by_token(*, token: str) -> EmailChangeRequest | None:
    if not token_is_plausible(token):
        return None
    return (EmailChangeRequest.objects.select_related("user")
            .filter(token_hash=token_hash(token)).first())


def email_change_request_state(change_request: EmailChangeRequest | None) -> str:
    if change_request is None or not change_request.user.is_active:
        return "invalid"
    if change_request.used_at is not None:
        return "used"
    if change_request.is_expired:
        return "expired"
    return "valid"


def member_of_user(user) -> Member | None:
    """The signed-in user's own member record (or None: staff, or not a member)."""
    if user is None or not user.is_authenticated:
        return None
    return (Member.objects.select_related("user", "municipality__area")
            .prefetch_related("children", "preferred_genres", "preferred_benefit_types")
            .filter(user=user).first())


def _date(value):
    return value.isoformat() if value else None


def member_data_export(*, user: User) -> dict:
    """Everything the portal holds about the signed-in user, for "download my data"."""
    member = member_of_user(user)
    data: dict = {
        "format": "passport-portal-member-data/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "date_joined": _date(user.date_joined),
            "last_login": _date(user.last_login),
        },
        "member": None,
        "children": [],
        "favourites": [],
        "push_subscriptions": [],
    }
    if member is None:
        return data
    data["member"] = {
        "member_number": member.member_number,
        "family_name": member.family_name,
        "given_name": member.given_name,
        "family_name_kana": member.family_name_kana,
        "given_name_kana": member.given_name_kana,
        "municipality": (
            {"code": member.municipality.code, "name": member.municipality.name}
            if member.municipality_id else None
        ),
        "due_date": _date(member.due_date),
        "marriage_date": _date(member.marriage_date),
        "planned_marriage_date": _date(member.planned_marriage_date),
        "preferred_genres": [
            {"code": genre.code, "name": genre.name} for genre in member.preferred_genres.all()
        ],
        "preferred_benefit_types": [
            {"code": kind.code, "name": kind.name}
            for kind in member.preferred_benefit_types.all()
        ],
        "notify_by_email": member.notify_by_email,
        "notify_by_push": member.notify_by_push,
        "registered_at": _date(member.created_at),
        "updated_at": _date(member.updated_at),
    }
    data["children"] = [
        {"birth_date": _date(child.birth_date), "nickname": child.nickname}
        for child in member.children.all()
    ]
    data["favourites"] = [
        {"shop_id": favourite.shop_id, "shop_name": favourite.shop.name,
         "added_at": _date(favourite.created_at)}
        for favourite in member.favourites.select_related("shop").order_by("created_at", "pk")
    ]
    data["push_subscriptions"] = [
        {"device_label": subscription.device_label, "created_at": _date(subscription.created_at)}
        for subscription in member.push_subscriptions.order_by("created_at", "pk")
    ]
    return data
