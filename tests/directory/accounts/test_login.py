"""Login, logout and the per-IP / per-account login limits."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from directory.accounts import ratelimit
from tests.directory.accounts.conftest import (
    NEW_PASSWORD,
    PASSWORD,
    RESET_LINK,
    link_from_outbox,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login(client, email, password, ip="203.0.113.10", **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra},
                       REMOTE_ADDR=ip)


def test_the_login_page_has_labels_and_autocomplete(client):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and "会員ログイン" in html
    assert 'for="id_email"' in html and 'for="id_password"' in html
    assert re.search(r'name="password"[^>]*autocomplete="current-password"', html)
    assert re.search(r'name="email"[^>]*autocomplete="email"', html)
    assert reverse("accounts:password_reset") in html
    assert reverse("accounts:signup") in html


def test_a_member_logs_in_with_any_case_of_their_address(client, member):
    response = login(client, member.user.email.upper(), PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mypage")
    assert client.session[SESSION_KEY] == str(member.user.pk)


def test_a_safe_next_is_followed_and_an_outside_one_ignored(client, member):
    assert login(client, member.user.email, PASSWORD, next="/card/")["Location"] == "/card/"
    client.logout()
    response = login(client, member.user.email, PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("accounts:mypage")


@pytest.mark.parametrize("email", ["user0@example.jp", "nobody@example.jp"])
def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, member, email):
    member.user.email = "user0@example.jp"
    member.user.save()

    response = login(client, email, "wrong-password")

    html = response.content.decode()
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません" in html
    assert SESSION_KEY not in client.session


def test_an_inactive_account_cannot_log_in(client, member):
    member.user.is_active = False
    member.user.save()

    response = login(client, member.user.email, PASSWORD)

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_account_is_locked_after_five_failures_even_for_the_right_password(client, member):
    for attempt in range(5):
        # Different IPs: only the per-account counter is at work here.
        assert login(client, member.user.email, "wrong", ip=f"198.51.100.{attempt}").status_code == 200

    response = login(client, member.user.email, PASSWORD, ip="198.51.100.99")

    html = response.content.decode()
    assert response.status_code == 429
    assert 800 < int(response["Retry-After"]) <= 900
    assert "ログインを一時的に停止しています" in html
    assert "15分後" in html
    assert reverse("accounts:password_reset") in html
    assert SESSION_KEY not in client.session


def test_the_lockout_answer_is_the_same_for_an_address_without_an_account(client, member):
    answers = []
    for email in (member.user.email, "nobody@example.jp"):
        for attempt in range(5):
            login(client, email, "wrong", ip=f"198.51.100.{attempt}")
        response = login(client, email, "whatever", ip="198.51.100.99")
        body = response.content.decode().replace(email, "")
        answers.append((response.status_code, response["Retry-After"],
                        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)))

    assert answers[0] == answers[1]
    assert answers[0][0] == 429


def test_the_lockout_ends_after_its_period(client, member, monkeypatch):
    for attempt in range(5):
        login(client, member.user.email, "wrong", ip=f"198.51.100.{attempt}")
    assert login(client, member.user.email, PASSWORD, ip="198.51.100.50").status_code == 429
    later = ratelimit.time.time() + 901
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)

    assert login(client, member.user.email, PASSWORD, ip="198.51.100.51").status_code == 302


def test_a_successful_password_reset_lifts_the_lockout(client, member):
    for attempt in range(5):
        login(client, member.user.email, "wrong", ip=f"198.51.100.{attempt}")
    assert login(client, member.user.email, PASSWORD, ip="198.51.100.50").status_code == 429

    client.post(reverse("accounts:password_reset"), {"email": member.user.email},
                REMOTE_ADDR="198.51.100.60")
    path, _ = link_from_outbox(RESET_LINK, to=member.user.email)
    set_password_page = client.get(path)
    client.post(set_password_page["Location"], {"new_password1": NEW_PASSWORD,
                                                "new_password2": NEW_PASSWORD})

    assert login(client, member.user.email, NEW_PASSWORD, ip="198.51.100.61").status_code == 302


def test_a_success_resets_the_failure_count(client, member):
    for _ in range(4):
        login(client, member.user.email, "wrong", ip="198.51.100.1")
    assert login(client, member.user.email, PASSWORD, ip="198.51.100.2").status_code == 302
    client.logout()
    for _ in range(4):
        login(client, member.user.email, "wrong", ip="198.51.100.3")

    assert login(client, member.user.email, PASSWORD, ip="198.51.100.4").status_code == 302


def test_failures_from_one_ip_are_limited_across_addresses(client, member):
    for attempt in range(5):
        assert login(client, f"guess{attempt}@example.jp", "wrong").status_code == 200

    blocked = login(client, member.user.email, PASSWORD)
    other_ip = login(client, member.user.email, PASSWORD, ip="192.0.2.77")

    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 300
    assert "短い時間に何度も送信されました" in blocked.content.decode()
    assert other_ip.status_code == 302


def test_logout_needs_a_post(member_client):
    assert member_client.get(reverse("accounts:logout")).status_code == 405

    response = member_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert SESSION_KEY not in member_client.session
    page = member_client.get(response["Location"])
    assert "ログアウトしました" in page.content.decode()


def test_no_mail_is_sent_by_logging_in(client, member):
    login(client, member.user.email, PASSWORD)
    assert not mail.outbox
