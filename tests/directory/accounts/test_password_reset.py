"""Password reset: Django's views with Japanese pages, the mail through the django-q2 task."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.directory.accounts.conftest import NEW_PASSWORD, RESET_LINK, link_from_outbox

pytestmark = pytest.mark.django_db


def test_the_reset_page_is_japanese(client):
    response = client.get(reverse("accounts:password_reset"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and "パスワードの再設定" in html
    assert 'autocomplete="email"' in html


def test_a_member_resets_the_password_through_the_e_mailed_link(client, member):
    response = client.post(reverse("accounts:password_reset"), {"email": member.user.email})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    done = client.get(response["Location"]).content.decode()
    assert settings.DEFAULT_FROM_EMAIL in done and "迷惑メール" in done
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.user.email]
    assert "パスワードの再設定" in message.subject
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    path, _ = link_from_outbox(RESET_LINK)

    form_page = client.get(path, follow=True)
    html = form_page.content.decode()
    assert "新しいパスワードの設定" in html
    assert 'autocomplete="new-password"' in html

    weak = client.post(form_page.redirect_chain[-1][0], {"new_password1": "short",
                                                         "new_password2": "short"})
    assert "短すぎます" in weak.content.decode()

    saved = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                                          "new_password2": NEW_PASSWORD})
    assert saved.status_code == 302
    assert saved["Location"] == reverse("accounts:password_reset_complete")
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)

    reused = client.get(path, follow=True)
    assert reused.status_code == 410
    assert "このリンクは使えません" in reused.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.jp"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert not mail.outbox


def test_a_tampered_reset_link_is_a_friendly_410(client, member):
    client.post(reverse("accounts:password_reset"), {"email": member.user.email})
    path, _ = link_from_outbox(RESET_LINK)

    response = client.get(path[:-3] + "zz/", follow=True)

    assert response.status_code == 410
    html = response.content.decode()
    assert "このリンクは使えません" in html
    assert reverse("accounts:password_reset") in html
