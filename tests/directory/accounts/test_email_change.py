"""E-mail change: password required, confirmation link to the new address, applied only
when the link is followed (and confirmed with a POST)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from directory.accounts.models import EmailChangeRequest
from tests.directory.accounts.conftest import EMAIL_CHANGE_LINK, PASSWORD, link_from_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "new-address@example.jp"


def request_change(client, new_email=NEW, password=PASSWORD):
    return client.post(reverse("accounts:email_change"),
                       {"new_email": new_email, "current_password": password})


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("accounts:email_change"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_form_asks_for_the_current_password(member_client):
    html = member_client.get(reverse("accounts:email_change")).content.decode()

    assert 'autocomplete="current-password"' in html
    assert 'for="id_new_email"' in html and 'for="id_current_password"' in html


def test_a_wrong_password_changes_nothing_and_sends_nothing(member_client, member):
    response = request_change(member_client, password="wrong")

    assert response.status_code == 200
    assert "パスワードが正しくありません" in response.content.decode()
    assert not mail.outbox and not EmailChangeRequest.objects.exists()


def test_the_current_address_is_refused(member_client, member):
    response = request_change(member_client, new_email=member.user.email.upper())

    assert "現在お使いのメールアドレスです" in response.content.decode()
    assert not mail.outbox


def test_the_change_applies_only_when_the_link_is_followed(member_client, member, client):
    old = member.user.email
    response = request_change(member_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:email_change_sent")
    sent = member_client.get(response["Location"]).content.decode()
    assert NEW in sent and "迷惑メール" in sent and "ドメイン指定受信" in sent
    member.user.refresh_from_db()
    assert member.user.email == old
    path, _ = link_from_outbox(EMAIL_CHANGE_LINK, to=NEW)

    # Opening the link (a mail scanner may) only shows a button.
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200
    assert NEW in confirm_page.content.decode()
    member.user.refresh_from_db()
    assert member.user.email == old

    done = client.post(path)

    assert done.status_code == 200
    assert "メールアドレスを変更しました" in done.content.decode()
    member.user.refresh_from_db()
    assert member.user.email == NEW
    notice = [m for m in mail.outbox if m.to == [old]]
    assert len(notice) == 1 and NEW in notice[0].body
    assert client.post(path).status_code == 410
    assert client.get(path).status_code == 410


def test_an_expired_change_link_changes_nothing(member_client, member, client):
    request_change(member_client)
    path, _ = link_from_outbox(EMAIL_CHANGE_LINK, to=NEW)
    EmailChangeRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    response = client.post(path)

    assert response.status_code == 410
    assert "有効期限が切れています" in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.email != NEW


def test_a_tampered_change_link_is_400(member_client, member, client):
    request_change(member_client)
    path, token = link_from_outbox(EMAIL_CHANGE_LINK, to=NEW)

    response = client.post(path.replace(token, token[::-1]))

    assert response.status_code == 400
    member.user.refresh_from_db()
    assert member.user.email != NEW


def test_an_address_of_another_account_is_not_revealed_and_not_taken(member_client, member):
    UserFactory(email=NEW)

    response = request_change(member_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:email_change_sent")
    assert not EmailChangeRequest.objects.exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [NEW]
    assert "/accounts/email/confirm/" not in mail.outbox[0].body


def test_an_address_taken_before_the_link_is_followed_is_refused(member_client, member, client):
    request_change(member_client)
    path, _ = link_from_outbox(EMAIL_CHANGE_LINK, to=NEW)
    UserFactory(email=NEW)

    response = client.post(path)

    assert response.status_code == 409
    member.user.refresh_from_db()
    assert member.user.email != NEW
