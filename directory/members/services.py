"""Writes for members (HackSoft style): member numbers, profiles, account deletion.

Views never save a Member themselves; they call these with cleaned values.
"""

from __future__ import annotations

import datetime
from collections import Counter as Multiset
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from directory.accounts.models import Counter, SignupRequest, User
from directory.masters.models import BenefitType, Genre, Municipality
from directory.members.models import Child, Member

MEMBER_NUMBER_COUNTER = "member_number"
DEFAULT_MEMBER_NUMBER_FORMAT = "{prefecture_code}{number:08d}"


@dataclass(frozen=True)
class ProfileData:
    """A member's profile as the profile form cleans it."""

    family_name: str
    given_name: str
    family_name_kana: str = ""
    given_name_kana: str = ""
    municipality: Municipality | None = None
    child_birth_dates: tuple[datetime.date, ...] = ()
    due_date: datetime.date | None = None
    marriage_date: datetime.date | None = None
    planned_marriage_date: datetime.date | None = None
    preferred_genres: tuple[Genre, ...] = field(default_factory=tuple)
    preferred_benefit_types: tuple[BenefitType, ...] = field(default_factory=tuple)
    notify_by_email: bool = False
    notify_by_push: bool = True


# --- member numbers -------------------------------------------------------------------


def _counter_for_update(name: str) -> Counter:
    """The named counter row, locked until the end of the transaction (created if missing)."""
    try:
        return Counter.objects.select_for_update().get(name=name)
    except Counter.DoesNotExist:
        try:
            with transaction.atomic():  # a savepoint: another request may create it first
                Counter.objects.create(name=name, value=0)
        except IntegrityError:
            pass
        return Counter.objects.select_for_update().get(name=name)


def member_number_format(value: int) -> str:
    template = settings.PORTAL.get("MEMBER_NUMBER_FORMAT") or DEFAULT_MEMBER_NUMBER_FORMAT
    return template.format(prefecture_code=settings.PORTAL.get("PREFECTURE_CODE", "27"),
                           number=value)


@transaction.atomic
def member_number_issue() -> str:
    """The next member number (2700000001, 2700000002, …), unique under concurrency.

    The counter row stays locked until the caller's transaction ends, so two
    sign-ups never read the same value. A number already held by a member (say,
    imported from the legacy system) is skipped. A legacy import should set the
    counter to its highest imported sequence so few numbers need skipping.
    """
    counter = _counter_for_update(MEMBER_NUMBER_COUNTER)
    value = counter.value
    while True:
        value += 1
        number = member_number_format(value)
        if not Member.objects.filter(member_number=number).exists():
            break
    counter.value = value
    counter.save(update_fields=["value"])
    return number


# --- profile --------------------------------------------------------------------------


def _children_set(*, member: Member, birth_dates: Iterable[datetime.date]) -> None:
    """Make the member's children match the birth dates, keeping rows that still match
    (and their nicknames) instead of recreating every child."""
    wanted = Multiset(birth_dates)
    for child in list(member.children.all()):
        if wanted[child.birth_date] > 0:
            wanted[child.birth_date] -= 1
        else:
            child.delete()
    Child.objects.bulk_create(
        Child(member=member, birth_date=birth_date)
        for birth_date, count in sorted(wanted.items())
        for _ in range(count)
    )


def _profile_apply(member: Member, profile: ProfileData) -> None:
    member.family_name = profile.family_name
    member.given_name = profile.given_name
    member.family_name_kana = profile.family_name_kana
    member.given_name_kana = profile.given_name_kana
    member.municipality = profile.municipality
    member.due_date = profile.due_date
    member.marriage_date = profile.marriage_date
    member.planned_marriage_date = profile.planned_marriage_date
    member.notify_by_email = profile.notify_by_email
    member.notify_by_push = profile.notify_by_push


@transaction.atomic
def member_create(*, user: User, profile: ProfileData) -> Member:
    """A new member for `user` with a freshly issued member number."""
    member = Member(user=user, member_number=member_number_issue())
    _profile_apply(member, profile)
    member.full_clean(exclude=["user", "preferred_genres", "preferred_benefit_types"])
    member.save()
    member.preferred_genres.set(profile.preferred_genres)
    member.preferred_benefit_types.set(profile.preferred_benefit_types)
    _children_set(member=member, birth_dates=profile.child_birth_dates)
    return member


@transaction.atomic
def member_profile_update(*, member: Member, profile: ProfileData) -> Member:
    _profile_apply(member, profile)
    member.full_clean(exclude=["user", "preferred_genres", "preferred_benefit_types"])
    member.save()
    member.preferred_genres.set(profile.preferred_genres)
    member.preferred_benefit_types.set(profile.preferred_benefit_types)
    _children_set(member=member, birth_dates=profile.child_birth_dates)
    return member


# --- deletion -------------------------------------------------------------------------


def member_account_deletable(*, user: User) -> bool:
    """Members may delete their own account here; back-office accounts (staff, shop
    owners, municipal staff) are closed by the secretariat instead."""
    return not (user.is_staff or user.is_superuser or user.groups.exists())


@transaction.atomic
def member_account_delete(*, user: User) -> None:
    """Delete the account and everything personal hanging off it.

    Deleting the User cascades to the Member, their children, favourites, push
    subscriptions and pending e-mail changes; old sign-up requests for the
    address are removed too, so the address itself is no longer stored.
    """
    if not member_account_deletable(user=user):
        raise PermissionError("back-office accounts are not deleted from the member side")
    email = user.email
    user.delete()
    SignupRequest.objects.filter(email__iexact=email).delete()
