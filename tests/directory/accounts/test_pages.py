"""Every account page: Japanese, one h1, labelled inputs; CSRF is on; the header links."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.directory.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/accounts/signup/",
    "/accounts/signup/sent/",
    "/accounts/signup/resend/",
    "/accounts/login/",
    "/accounts/logged-out/",
    "/accounts/password-reset/",
    "/accounts/password-reset/sent/",
    "/accounts/password-reset/done/",
    "/accounts/deleted/",
]
MEMBER_PAGES = [
    "/accounts/mypage/",
    "/accounts/mypage/profile/",
    "/accounts/mypage/email/",
    "/accounts/mypage/email/sent/",
    "/accounts/mypage/delete/",
]
INPUT = re.compile(r"<(input|select|textarea)\b([^>]*)>")


def assert_accessible_basics(html):
    assert '<html lang="ja">' in html
    assert html.count("<h1") == 1, "one h1 per page"
    assert re.search(r"<title>[^<]+</title>", html)
    ids_with_labels = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    for _tag, attrs in INPUT.findall(html):
        if re.search(r'type="(hidden|submit)"|\bhidden\b', attrs):
            continue
        match = re.search(r'\bid="([^"]+)"', attrs)
        assert match and match.group(1) in ids_with_labels, f"unlabelled control: {attrs}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_account_pages_render_in_japanese(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert_accessible_basics(response.content.decode())


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_render_for_a_member(member_client, path):
    response = member_client.get(path)

    assert response.status_code == 200
    assert_accessible_basics(response.content.decode())


@pytest.mark.parametrize("path", [*MEMBER_PAGES, "/accounts/mypage/data.json"])
def test_member_pages_send_anonymous_visitors_to_the_member_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_header_links_to_login_and_sign_up_or_to_my_page(client, member):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/login/" aria-current="page">ログイン</a>' in html
    assert 'href="/accounts/signup/">会員登録</a>' in html

    client.force_login(member.user)
    html = client.get("/accounts/mypage/").content.decode()
    assert 'href="/accounts/mypage/" aria-current="page">マイページ</a>' in html
    assert 'href="/accounts/login/"' not in html


@pytest.mark.parametrize(("path", "data"), [
    ("/accounts/signup/", {"email": "a@example.jp", "agree_terms": "on"}),
    ("/accounts/signup/resend/", {"email": "a@example.jp"}),
    ("/accounts/login/", {"email": "a@example.jp", "password": "x"}),
    ("/accounts/password-reset/", {"email": "a@example.jp"}),
])
def test_csrf_protects_the_public_forms(path, data, db):
    client = Client(enforce_csrf_checks=True)

    assert client.post(path, data).status_code == 403


@pytest.mark.parametrize(("path", "data"), [
    ("/accounts/mypage/profile/", {"family_name": "x"}),
    ("/accounts/mypage/email/", {"new_email": "b@example.jp", "current_password": PASSWORD}),
    ("/accounts/mypage/delete/", {"current_password": PASSWORD}),
    ("/accounts/logout/", {}),
])
def test_csrf_protects_the_member_forms(member, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)

    assert client.post(path, data).status_code == 403
    member.refresh_from_db()
    assert member.user.email.endswith("@example.jp")


def test_a_form_with_a_valid_csrf_token_works(member):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      page.content.decode()).group(1)

    response = client.post(reverse("accounts:login"), {
        "email": member.user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
