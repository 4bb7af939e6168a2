"""Sign-up (仮登録 → 本登録) through the HTTP interface, including bad input."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from directory.accounts.models import SignupRequest, User
from directory.members.models import Member
from tests.directory.accounts.conftest import (
    NEW_PASSWORD,
    SIGNUP_LINK,
    link_from_outbox,
    signup_post_data,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "hanako@example.jp"
SPAM_HINTS = ("迷惑メール", "ドメイン指定受信")


def request_link(client, email=EMAIL):
    response = client.post(reverse("accounts:signup"), {"email": email, "agree_terms": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("accounts:signup_sent")
    return link_from_outbox(SIGNUP_LINK, to=email)


def open_link(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_complete")
    return response


def assert_mail_help(html):
    assert settings.DEFAULT_FROM_EMAIL in html
    for hint in SPAM_HINTS:
        assert hint in html


# --- 仮登録 ----------------------------------------------------------------------------------


def test_signup_page_is_japanese_with_labels_and_autocomplete(client):
    response = client.get(reverse("accounts:signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "会員登録" in html
    assert '<label class="p-form__label" for="id_email">メールアドレス</label>' in html
    assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"', html)
    assert 'inputmode="email"' in html
    assert 'for="id_agree_terms"' in html
    assert "利用規約と個人情報の取扱いに同意します" in html


def test_signup_mails_a_link_and_stores_only_a_hash_of_its_token(client):
    path, token = request_link(client)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "本登録" in message.subject
    assert "24時間" in message.body
    assert message.body.startswith("会員登録のお申し込みありがとうございます。")
    assert f"{settings.WAGTAILADMIN_BASE_URL}{path}" in message.body
    signup_request = SignupRequest.objects.get()
    assert signup_request.email == EMAIL
    assert signup_request.used_at is None
    assert signup_request.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in SignupRequest.objects.values_list().get()]
    assert all(token not in value for value in stored)
    assert not User.objects.exists()


def test_the_sent_page_names_the_sender_and_the_spam_and_domain_filters(client):
    request_link(client)

    response = client.get(reverse("accounts:signup_sent"))

    html = response.content.decode()
    assert response.status_code == 200
    assert EMAIL in html
    assert_mail_help(html)
    assert reverse("accounts:signup_resend") in html


def test_terms_must_be_accepted(client):
    response = client.post(reverse("accounts:signup"), {"email": EMAIL})

    html = response.content.decode()
    assert response.status_code == 200
    assert "登録するには、利用規約に同意してください。" in html
    assert "p-form__error-summary" in html
    assert 'aria-describedby="id_agree_terms_error"' in html
    assert not mail.outbox
    assert not SignupRequest.objects.exists()


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 300 + "@example.jp"])
def test_a_bad_address_is_refused_in_japanese(client, email):
    response = client.post(reverse("accounts:signup"), {"email": email, "agree_terms": "on"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "メールアドレス" in html and "p-form__field-error" in html
    assert not mail.outbox
    assert not SignupRequest.objects.exists()


def test_an_existing_address_gets_the_same_page_and_an_already_registered_mail(client):
    UserFactory(email=EMAIL)
    other = client.post(reverse("accounts:signup"), {"email": "new@example.jp",
                                                     "agree_terms": "on"})
    mail.outbox.clear()

    response = client.post(reverse("accounts:signup"), {"email": EMAIL.upper(),
                                                        "agree_terms": "on"})

    assert (response.status_code, response["Location"]) == (other.status_code, other["Location"])
    sent_page = client.get(response["Location"]).content.decode()
    assert "すでに登録されている場合" in sent_page
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert "すでに会員登録されています" in message.subject
    assert "/accounts/login/" in message.body
    assert "/accounts/password-reset/" in message.body
    assert "/accounts/signup/confirm/" not in message.body
    assert not SignupRequest.objects.filter(email=EMAIL).exists()


def test_a_logged_in_member_is_sent_to_my_page(member_client):
    response = member_client.get(reverse("accounts:signup"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mypage")


# --- 本登録 ----------------------------------------------------------------------------------


def test_the_link_leads_to_the_form_and_completing_it_creates_the_member(client, masters):
    path, _token = request_link(client)
    open_link(client, path)

    form_page = client.get(reverse("accounts:signup_complete"))
    html = form_page.content.decode()
    assert form_page.status_code == 200
    assert html.count("<h1") == 1
    assert EMAIL in html
    assert 'autocomplete="new-password"' in html
    assert "<optgroup label=\"大阪市\">" in html
    assert html.count('type="date"') >= 6  # three children, due, marriage, planned
    assert _token not in html

    response = client.post(reverse("accounts:signup_complete"), signup_post_data(
        child_2="2023-01-15", marriage_date="2019-05-05",
    ))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("accounts:mypage")
    user = User.objects.get(email=EMAIL)
    assert user.check_password(NEW_PASSWORD)
    member = Member.objects.get(user=user)
    assert re.fullmatch(r"27\d{8}", member.member_number)
    assert member.family_name == "大阪" and member.given_name_kana == "はなこ"
    assert member.municipality.code == "271004"
    assert member.marriage_date == datetime.date(2019, 5, 5)
    assert sorted(c.birth_date for c in member.children.all()) == [
        datetime.date(2020, 4, 1), datetime.date(2023, 1, 15)]
    assert {g.code for g in member.preferred_genres.all()} == {"cafe", "kids-goods"}
    assert [b.code for b in member.preferred_benefit_types.all()] == ["discount"]
    assert member.notify_by_email and member.notify_by_push
    assert SignupRequest.objects.get().used_at is not None

    mypage = client.get(response["Location"])
    html = mypage.content.decode()
    assert mypage.status_code == 200
    assert member.member_number in html
    assert 'href="/card/"' in html
    assert reverse("accounts:profile") in html
    assert "会員登録が完了しました" in html


def test_the_first_member_number_is_2700000001(client, masters):
    path, _ = request_link(client)
    open_link(client, path)
    client.post(reverse("accounts:signup_complete"), signup_post_data())

    assert Member.objects.get().member_number == "2700000001"


def test_a_used_link_answers_410_and_saves_nothing(client, masters):
    path, _ = request_link(client)
    open_link(client, path)
    client.post(reverse("accounts:signup_complete"), signup_post_data())
    client.logout()

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 410
    assert "このリンクはすでに使われています" in html
    assert reverse("accounts:login") in html
    assert User.objects.count() == 1 and Member.objects.count() == 1


def test_an_expired_link_answers_410_with_a_resend_form(client, masters):
    path, _ = request_link(client)
    SignupRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 410
    assert "有効期限が切れています" in html
    assert f'value="{EMAIL}"' in html
    assert reverse("accounts:signup_resend") in html
    assert_mail_help(html)
    assert not User.objects.exists()


def test_the_link_lifetime_is_a_setting(client, masters, settings):
    settings.PORTAL = {**settings.PORTAL, "SIGNUP_LINK_HOURS": 1}
    path, _ = request_link(client)
    assert "1時間" in mail.outbox[0].body
    SignupRequest.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))

    assert client.get(path).status_code == 410


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token[:20],
    lambda token: token + "x",
    lambda token: "%3Cscript%3Ealert(1)",
    lambda token: "x" * 500,
    lambda token: "トークン",
])
def test_a_tampered_link_answers_400_with_a_friendly_page(client, masters, mangle):
    _path, token = request_link(client)

    response = client.get(f"/accounts/signup/confirm/{mangle(token)}/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "このリンクは無効です" in html
    assert reverse("accounts:signup_resend") in html
    assert SignupRequest.objects.get().used_at is None
    assert not User.objects.exists()


def test_the_form_without_a_followed_link_answers_400(client, masters):
    assert client.get(reverse("accounts:signup_complete")).status_code == 400
    response = client.post(reverse("accounts:signup_complete"), signup_post_data())
    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_link_expiring_while_the_form_is_open_saves_nothing(client, masters):
    path, _ = request_link(client)
    open_link(client, path)
    SignupRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    response = client.post(reverse("accounts:signup_complete"), signup_post_data())

    assert response.status_code == 410
    assert not User.objects.exists() and not Member.objects.exists()


def test_an_address_registered_meanwhile_makes_the_link_used(client, masters):
    path, _ = request_link(client)
    open_link(client, path)
    UserFactory(email=EMAIL)

    response = client.post(reverse("accounts:signup_complete"), signup_post_data())

    assert response.status_code == 410
    assert User.objects.count() == 1 and not Member.objects.exists()


def test_two_links_for_one_address_make_one_account(client, masters):
    first, _ = request_link(client)
    second, _ = request_link(client)
    open_link(client, first)
    client.post(reverse("accounts:signup_complete"), signup_post_data())
    client.logout()

    assert client.get(second).status_code == 410
    assert all(request.used_at for request in SignupRequest.objects.all())


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"password1": "short", "password2": "short"}, "password1", "短すぎます"),
    ({"password1": "12345678901234", "password2": "12345678901234"}, "password1",
     "数字だけ"),
    ({"password2": "something-else-entirely"}, "password2", "2つのパスワードが一致しません"),
    ({"password1": "", "password2": ""}, "password1", "パスワードを入力してください"),
    ({"child_1": "2999-01-01"}, "child_1", "生年月日に未来の日付は入力できません"),
    ({"child_2": "2020-13-45"}, "child_2", "生年月日を日付で入力してください"),
    ({"due_date": "2000-01-01"}, "due_date", "出産予定日に過去の日付は入力できません"),
    ({"marriage_date": "2999-01-01"}, "marriage_date", "結婚日に未来の日付は入力できません"),
    ({"planned_marriage_date": "2000-01-01"}, "planned_marriage_date",
     "結婚予定日に過去の日付は入力できません"),
    ({"municipality": "999999"}, "municipality", "一覧から選んでください"),
    ({"municipality": ""}, "municipality", "お住まいの市区町村を選んでください"),
    ({"family_name": ""}, "family_name", "姓を入力してください"),
    ({"given_name_kana": "Hanako"}, "given_name_kana", "ひらがなまたはカタカナ"),
    ({"preferred_genres": ["no-such-genre"]}, "preferred_genres", "一覧から選んでください"),
])
def test_bad_input_on_the_form_is_explained_and_nothing_is_saved(
    client, masters, overrides, field, message
):
    path, _ = request_link(client)
    open_link(client, path)

    response = client.post(reverse("accounts:signup_complete"), signup_post_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "入力内容に誤りがあります" in html
    assert f'href="#id_{field}"' in html
    assert html.startswith("<!doctype html>") and "<title>エラー：" in html
    assert not User.objects.exists() and not Member.objects.exists()
    assert SignupRequest.objects.get().used_at is None


def test_field_errors_are_tied_to_their_inputs(client, masters):
    path, _ = request_link(client)
    open_link(client, path)

    html = client.post(reverse("accounts:signup_complete"),
                       signup_post_data(child_1="2999-01-01")).content.decode()

    assert re.search(r'<input type="date" name="child_1"[^>]*aria-describedby="id_child_1_error"'
                     r'[^>]*aria-invalid="true"', html) or re.search(
        r'<input type="date" name="child_1"[^>]*aria-invalid="true"[^>]*'
        r'aria-describedby="id_child_1_error"', html)
    assert 'id="id_child_1_error"' in html


# --- resend ----------------------------------------------------------------------------------


def test_the_resend_page_names_the_sender_and_the_filters(client):
    response = client.get(reverse("accounts:signup_resend"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert_mail_help(html)


def test_resend_mails_a_new_link_and_the_old_one_still_works(client, masters):
    first, _ = request_link(client)
    mail.outbox.clear()

    response = client.post(reverse("accounts:signup_resend"), {"email": EMAIL})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    second, _ = link_from_outbox(SIGNUP_LINK, to=EMAIL)
    assert second != first
    assert SignupRequest.objects.count() == 2
    open_link(client, first)


def test_resend_to_an_address_that_never_signed_up_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("accounts:signup_resend"), {"email": "nobody@example.jp"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    assert not mail.outbox


def test_resend_to_a_registered_address_sends_the_already_registered_mail(client):
    UserFactory(email=EMAIL)

    response = client.post(reverse("accounts:signup_resend"), {"email": EMAIL})

    assert response["Location"] == reverse("accounts:signup_sent")
    assert len(mail.outbox) == 1
    assert "/accounts/signup/confirm/" not in mail.outbox[0].body


def test_old_link_requests_are_pruned(client):
    from directory.accounts.tasks import prune_link_requests

    request_link(client, "old@example.jp")
    request_link(client, "recent@example.jp")
    SignupRequest.objects.filter(email="old@example.jp").update(
        created_at=timezone.now() - datetime.timedelta(days=31))

    assert prune_link_requests() == 1
    assert list(SignupRequest.objects.values_list("email", flat=True)) == ["recent@example.jp"]


def test_an_empty_post_shows_the_errors(client):
    response = client.post(reverse("accounts:signup"), {})

    html = response.content.decode()
    assert response.status_code == 200
    assert "メールアドレスを入力してください。" in html
    assert not mail.outbox
