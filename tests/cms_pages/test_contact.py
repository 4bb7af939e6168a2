"""The contact form: stored, e-mailed through django-q2, protected from spam
without a CAPTCHA, and bad input kept with a clear Japanese message."""

import time

import pytest
from django.core import mail
from wagtail.contrib.forms.models import FormSubmission

from cms_pages.contact import HONEYPOT_FIELD, STARTED_FIELD, started_token

pytestmark = pytest.mark.django_db

URL = "/contact/"


def valid_data(**changes):
    data = {
        "name": "大阪 花子",
        "email": "hanako@example.jp",
        "topic": "このサイトについて",
        "message": "カードの表示方法を教えてください。",
        HONEYPOT_FIELD: "",
        STARTED_FIELD: started_token(time.time() - 30),
    }
    data.update(changes)
    return data


@pytest.fixture
def contact(contact_page):
    contact_page.to_address = "secretariat@example.jp"
    contact_page.save()
    return contact_page


def test_the_form_renders_accessibly(client, masters, contact):
    html = client.get(URL).content.decode()
    assert '<label class="p-form__label" for="id_name">お名前 <span class="p-form__required">（必須）</span></label>' in html
    assert 'autocomplete="email"' in html
    assert "<legend class=\"p-form__legend\">お問い合わせの種類" in html
    assert "2,000文字以内で入力してください。" in html
    # The honeypot is hidden from everyone; the timestamp is a hidden input.
    assert '<div class="p-form__trap" hidden>' in html
    assert f'name="{HONEYPOT_FIELD}"' in html and 'tabindex="-1"' in html
    assert f'type="hidden" name="{STARTED_FIELD}"' in html
    assert "captcha" not in html.lower()
    assert 'maxlength="2000"' not in html  # no silent cut-off


def test_a_valid_message_is_stored_and_both_e_mails_sent(client, masters, contact):
    response = client.post(URL, valid_data())
    assert response.status_code == 200
    assert "お問い合わせを受け付けました</h1>" in response.content.decode()
    submission = FormSubmission.objects.get(page=contact)
    assert submission.form_data["email"] == "hanako@example.jp"
    assert HONEYPOT_FIELD not in submission.form_data
    assert STARTED_FIELD not in submission.form_data
    # Q_CLUSTER sync=True in the test settings: async_task runs inline.
    assert len(mail.outbox) == 2
    to_secretariat, confirmation = mail.outbox
    assert to_secretariat.to == ["secretariat@example.jp"]
    assert to_secretariat.reply_to == ["hanako@example.jp"]
    assert "お問い合わせ内容: カードの表示方法を教えてください。" in to_secretariat.body
    assert confirmation.to == ["hanako@example.jp"]
    assert confirmation.subject == "お問い合わせを受け付けました"
    assert "受付日時：" in confirmation.body
    # The confirmation does not relay the message text to whatever address was typed.
    assert "カードの表示方法" not in confirmation.body


def test_e_mails_go_through_django_q(client, masters, contact, monkeypatch):
    queued = []
    monkeypatch.setattr("cms_pages.contact.async_task", lambda *args, **kw: queued.append(args))
    client.post(URL, valid_data())
    assert [args[0] for args in queued] == ["cms_pages.tasks.email_send"] * 2
    assert mail.outbox == []


def test_invalid_email_keeps_the_input_and_explains(client, masters, contact):
    response = client.post(URL, valid_data(email="hanako@"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>エラー：お問い合わせ" in html
    assert "入力内容を確認してください</h2>" in html
    assert "メールアドレスを name@example.jp の形式で入力してください。" in html
    assert 'value="hanako@"' in html
    assert 'value="大阪 花子"' in html
    assert "カードの表示方法を教えてください。</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert FormSubmission.objects.count() == 0
    assert mail.outbox == []


def test_an_over_long_message_keeps_the_input_and_says_how_long(client, masters, contact):
    long_message = "あ" * 2001
    response = client.post(URL, valid_data(message=long_message))
    html = response.content.decode()
    assert "2000文字以内にしてください（現在2001文字です）。" in html
    assert long_message + "</textarea>" in html
    assert FormSubmission.objects.count() == 0
    assert client.post(URL, valid_data(message="あ" * 2000)).status_code == 200
    assert FormSubmission.objects.count() == 1


def test_a_missing_required_field(client, masters, contact):
    html = client.post(URL, valid_data(name="")).content.decode()
    assert 'href="#id_name">お名前：この項目は必須です</a>' in html
    assert FormSubmission.objects.count() == 0


def test_a_form_sent_too_fast_is_refused_with_the_input_kept(client, masters, contact):
    data = valid_data(**{STARTED_FIELD: started_token(time.time())})
    html = client.post(URL, data).content.decode()
    assert "送信が早すぎます。" in html
    assert 'value="大阪 花子"' in html
    assert FormSubmission.objects.count() == 0


def test_a_missing_or_forged_timestamp_is_refused_and_renewed(client, masters, contact):
    response = client.post(URL, valid_data(**{STARTED_FIELD: "forged"}))
    html = response.content.decode()
    assert "フォームを確認できませんでした。" in html
    assert 'value="forged"' not in html  # a fresh timestamp for the next try
    assert FormSubmission.objects.count() == 0


def test_an_old_form_is_refused_and_renewed(client, masters, contact, monkeypatch):
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: two_days_ago)
    token = started_token(two_days_ago)
    monkeypatch.undo()
    html = client.post(URL, valid_data(**{STARTED_FIELD: token})).content.decode()
    assert "フォームを開いてから長い時間がたちました。" in html


def test_a_filled_honeypot_is_dropped_quietly(client, masters, contact):
    response = client.post(URL, valid_data(**{HONEYPOT_FIELD: "http://spam.example"}))
    assert response.status_code == 200
    assert "お問い合わせを受け付けました" in response.content.decode()
    assert FormSubmission.objects.count() == 0
    assert mail.outbox == []


def test_without_a_secretariat_address_only_the_confirmation_is_sent(client, masters, contact_page):
    assert contact_page.to_address == ""
    client.post(URL, valid_data())
    assert [message.to for message in mail.outbox] == [["hanako@example.jp"]]
