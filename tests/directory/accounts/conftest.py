"""Fixtures for the member-side account tests."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories import MemberFactory, UserFactory

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-brand-new-passphrase-2026"
SIGNUP_LINK = re.compile(r"https?://[^/\s]+(/accounts/signup/confirm/([A-Za-z0-9_-]+)/)")
EMAIL_CHANGE_LINK = re.compile(r"https?://[^/\s]+(/accounts/email/confirm/([A-Za-z0-9_-]+)/)")
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(masters):
    return MemberFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def link_from_outbox(pattern, *, to=None, index=-1):
    """(path, token) of the link in the last (or given) e-mail, optionally to `to`."""
    messages = [m for m in mail.outbox if to is None or to in m.to]
    assert messages, f"no e-mail to {to}: {[m.to for m in mail.outbox]}"
    match = pattern.search(messages[index].body)
    assert match, messages[index].body
    return match.group(1), match.group(2) if pattern.groups > 1 else None


def profile_post_data(**overrides):
    data = {
        "family_name": "大阪",
        "given_name": "花子",
        "family_name_kana": "おおさか",
        "given_name_kana": "はなこ",
        "municipality": "271004",
        "child_rows": "3",
        "child_1": "2020-04-01",
        "child_2": "",
        "child_3": "",
        "due_date": "",
        "marriage_date": "",
        "planned_marriage_date": "",
        "preferred_genres": ["cafe", "kids-goods"],
        "preferred_benefit_types": ["discount"],
        "notify_by_email": "on",
        "notify_by_push": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def signup_post_data(**overrides):
    return profile_post_data(**{"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                **overrides})


@pytest.fixture
def user_factory():
    return UserFactory
