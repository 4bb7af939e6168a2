"""マイページ → パスワードの変更 (issue 19): a signed-in member changes the password
with the current one; bad input says why in Japanese and changes nothing."""

import pytest

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
URL = "/accounts/mypage/password/"
NEW = "a-new-and-long-passphrase-2026"


def test_my_page_links_to_the_password_change_and_favourites(member_client):
    html = member_client.get("/accounts/mypage/").content.decode()
    assert f'href="{URL}"' in html and "パスワードの変更" in html
    assert 'href="/favourites/"' in html


def test_anonymous_is_sent_to_login(client, masters):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(URL, {"current_password": PASSWORD}).status_code == 302


def test_the_form_asks_for_the_current_and_new_password(member_client):
    html = member_client.get(URL).content.decode()
    for name in ("current_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in html
    assert 'autocomplete="current-password"' in html


def test_a_wrong_current_password_changes_nothing(member_client, member):
    response = member_client.post(URL, {"current_password": "wrong-password",
                                        "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert "パスワードが正しくありません" in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_a_mismatch_changes_nothing(member_client, member):
    response = member_client.post(URL, {"current_password": PASSWORD,
                                        "new_password1": NEW, "new_password2": NEW + "x"})
    assert response.status_code == 200
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_the_password_changes_and_the_member_stays_logged_in(member_client, member):
    response = member_client.post(URL, {"current_password": PASSWORD,
                                        "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mypage/password/done/"
    member.user.refresh_from_db()
    assert member.user.check_password(NEW)
    assert member_client.get("/accounts/mypage/").status_code == 200
    assert "パスワードを変更しました" in member_client.get(response["Location"]).content.decode()


def test_one_member_cannot_change_another_members_password(member_client, member):
    other = MemberFactory(user__email="other-pw@example.jp")
    member_client.post(URL, {"current_password": PASSWORD, "new_password1": NEW,
                             "new_password2": NEW, "user": other.user.pk})
    other.user.refresh_from_db()
    assert other.user.check_password(PASSWORD)
