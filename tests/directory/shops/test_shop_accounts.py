"""Shop accounts (協賛店の方へ): provisional registration by e-mail, the single-use
expiring link, password and contact → a shop owner who signs in at the Wagtail
admin; abuse limits on the registration, the admin login and password reset."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from directory.accounts import roles
from directory.shops.models import Owner, ShopAccountRequest
from tests.factories import OwnerFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_clear_cache", "masters")]

EMAIL = "tenshu@example.jp"
PASSWORD = "a-brand-new-passphrase-2026"
JOIN_LINK = re.compile(r"https?://[^/\s]+(/for-shops/confirm/([A-Za-z0-9_-]+)/)")
ADMIN_RESET_LINK = re.compile(r"https?://[^/\s]+(/admin/password_reset/confirm/[^/\s]+/[^/\s]+/)")


def request_link(client, email=EMAIL):
    response = client.post(reverse("shop_join:for_shops"), {"email": email, "agree_terms": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("shop_join:sent")
    message = [m for m in mail.outbox if email in m.to][-1]
    match = JOIN_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def complete(client, **overrides):
    data = {"password1": PASSWORD, "password2": PASSWORD, "contact_name": "大阪 太郎",
            "contact_phone": "06-6941-0351", **overrides}
    return client.post(reverse("shop_join:complete"), data)


def test_for_shops_page_explains_and_is_linked_from_the_navigation(client):
    response = client.get(reverse("shop_join:for_shops"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and "協賛店の方へ" in html
    assert "事務局" in html and "承認" in html
    assert 'name="email"' in html and 'autocomplete="email"' in html
    home = client.get(reverse("shops:list")).content.decode()
    assert 'href="/for-shops/"' in home


def test_registration_creates_a_shop_owner_who_logs_in_at_the_admin(client):
    path = request_link(client)
    assert "協賛店" in mail.outbox[-1].subject
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("shop_join:complete")
    page = client.get(reverse("shop_join:complete")).content.decode()
    assert EMAIL in page and 'autocomplete="new-password"' in page

    response = complete(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    owner = Owner.objects.select_related("user").get(user__email=EMAIL)
    assert owner.name == "大阪 太郎" and owner.phone == "06-6941-0351"
    assert list(owner.user.groups.values_list("name", flat=True)) == [roles.SHOP_OWNER]
    assert not owner.user.is_staff and not owner.user.is_superuser
    assert ShopAccountRequest.objects.get(email=EMAIL).used_at is not None

    login = client.get(response["Location"])
    assert login.status_code == 200
    assert "ログインしてください" in login.content.decode() or "ログイン" in login.content.decode()
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": EMAIL, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_link_is_single_use(client):
    path = request_link(client)
    client.get(path)
    assert complete(client).status_code == 302
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "すでに使われています" in response.content.decode()
    assert Owner.objects.count() == 1


def test_an_expired_link_is_refused_with_a_new_link_form(client):
    path = request_link(client)
    ShopAccountRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    response = client.get(path)
    assert response.status_code == 410
    html = response.content.decode()
    assert "有効期限" in html and 'name="email"' in html
    assert not Owner.objects.exists()


def test_a_link_expiring_while_the_form_is_open_creates_nothing(client):
    path = request_link(client)
    client.get(path)
    ShopAccountRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    response = complete(client)
    assert response.status_code == 410
    assert not Owner.objects.exists()


@pytest.mark.parametrize("token", ["not-a-token", "x" * 200, "%E3%81%82"])
def test_a_tampered_link_is_refused(client, token):
    response = client.get(f"/for-shops/confirm/{token}/")
    assert response.status_code in (400, 404)
    assert not Owner.objects.exists()


def test_complete_without_a_link_is_refused(client):
    response = client.get(reverse("shop_join:complete"))
    assert response.status_code == 400


def test_bad_input_on_the_complete_step_is_explained(client):
    client.get(request_link(client))
    response = complete(client, password2="something-else-2026", contact_name=" ",
                        contact_phone="abc")
    html = response.content.decode()
    assert response.status_code == 200
    assert "パスワードが一致しません" in html or "一致" in html
    assert "担当者" in html and "電話番号" in html
    assert not Owner.objects.exists()


def test_an_address_with_an_account_gets_a_different_mail_and_the_same_page(client):
    UserFactory(email="member@example.jp")
    response = client.post(reverse("shop_join:for_shops"),
                           {"email": "member@example.jp", "agree_terms": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("shop_join:sent")
    body = mail.outbox[-1].body
    assert "/admin/login/" in body and "/admin/password_reset/" in body
    assert not JOIN_LINK.search(body)
    assert not ShopAccountRequest.objects.exists()


def test_registration_is_rate_limited_per_ip_with_a_japanese_429(client, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 3}
    for number in range(3):
        client.post(reverse("shop_join:for_shops"),
                    {"email": f"shop{number}@example.jp", "agree_terms": "on"})
    response = client.post(reverse("shop_join:for_shops"),
                           {"email": "shop9@example.jp", "agree_terms": "on"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "回数が多すぎます" in response.content.decode() or "しばらく" in response.content.decode()
    assert not ShopAccountRequest.objects.filter(email="shop9@example.jp").exists()


def test_registration_mails_are_limited_per_address(client, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 3}
    for number in range(3):
        response = client.post(reverse("shop_join:for_shops"),
                               {"email": EMAIL, "agree_terms": "on"},
                               REMOTE_ADDR=f"192.0.2.{number}")
        assert response.status_code == 302
    response = client.post(reverse("shop_join:for_shops"), {"email": EMAIL, "agree_terms": "on"},
                           REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429
    assert len([m for m in mail.outbox if EMAIL in m.to]) == 3


# --- the admin login and password reset ---------------------------------------------------


def test_admin_login_locks_an_account_after_repeated_failures(client, settings):
    settings.PORTAL = {**settings.PORTAL, "LOGIN_LOCKOUT_ATTEMPTS": 3, "RATE_LIMIT_PER_IP": 50}
    owner = OwnerFactory()
    for _attempt in range(3):
        response = client.post(reverse("wagtailadmin_login"),
                               {"username": owner.user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": owner.user.email, "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "一時的に停止" in html and "/admin/password_reset/" in html
    assert "_auth_user_id" not in client.session


def test_admin_login_is_limited_per_ip(client, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 3, "LOGIN_LOCKOUT_ATTEMPTS": 50}
    for number in range(3):
        client.post(reverse("wagtailadmin_login"),
                    {"username": f"nobody{number}@example.jp", "password": "wrong"})
    owner = OwnerFactory()
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": owner.user.email, "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "しばらく" in response.content.decode() or "待って" in response.content.decode()


def test_admin_login_success_clears_the_failures(client, settings):
    settings.PORTAL = {**settings.PORTAL, "LOGIN_LOCKOUT_ATTEMPTS": 3, "RATE_LIMIT_PER_IP": 50}
    owner = OwnerFactory()
    for _attempt in range(2):
        client.post(reverse("wagtailadmin_login"),
                    {"username": owner.user.email, "password": "wrong"})
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": owner.user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    client.logout()
    for _attempt in range(2):
        assert client.post(reverse("wagtailadmin_login"),
                           {"username": owner.user.email, "password": "wrong"}).status_code == 200


def test_admin_password_reset_works_for_shop_owners_and_lifts_a_lockout(client, settings):
    settings.PORTAL = {**settings.PORTAL, "LOGIN_LOCKOUT_ATTEMPTS": 2, "RATE_LIMIT_PER_IP": 50}
    owner = OwnerFactory()
    email = owner.user.email
    for _attempt in range(2):
        client.post(reverse("wagtailadmin_login"), {"username": email, "password": "wrong"})
    assert client.post(reverse("wagtailadmin_login"),
                       {"username": email, "password": "x"}).status_code == 429

    page = client.get(reverse("wagtailadmin_password_reset"))
    assert page.status_code == 200
    response = client.post(reverse("wagtailadmin_password_reset"), {"email": email})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    match = ADMIN_RESET_LINK.search(body)
    assert match and body.count("http://testserver/admin/password_reset/confirm/") == 1
    response = client.get(match.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("wagtailadmin_login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302


def test_admin_password_reset_is_rate_limited_per_ip(client, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 3}
    for number in range(3):
        client.post(reverse("wagtailadmin_password_reset"), {"email": f"a{number}@example.jp"})
    response = client.post(reverse("wagtailadmin_password_reset"), {"email": "b@example.jp"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "しばらく" in response.content.decode() or "待って" in response.content.decode()


def test_admin_password_reset_mails_are_limited_per_address(client, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 3}
    owner = OwnerFactory()
    for number in range(3):
        client.post(reverse("wagtailadmin_password_reset"), {"email": owner.user.email},
                    REMOTE_ADDR=f"192.0.2.{number}")
    response = client.post(reverse("wagtailadmin_password_reset"), {"email": owner.user.email},
                           REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 429
    assert len([m for m in mail.outbox if owner.user.email in m.to]) == 3


def test_old_provisional_registrations_are_pruned(client):
    from directory.shops import tasks

    request_link(client)
    request_link(client, email="other@example.jp")
    ShopAccountRequest.objects.filter(email=EMAIL).update(
        created_at=timezone.now() - datetime.timedelta(days=31))
    assert tasks.prune_shop_account_requests() == 1
    assert list(ShopAccountRequest.objects.values_list("email", flat=True)) == [
        "other@example.jp"]
