"""Issue 16, findings 5 and 6: the sign-in e-mail address changes only with the current
password, is audited and told to the old address with a link to undo; a password change or
reset revokes the account's API tokens and ends its other sessions."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from api.tokens import api_token_issue
from directory.accounts import roles
from directory.accounts.models import User
from operations.models import AuditEvent
from tests.factories import MemberFactory, OwnerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-completely-new-passphrase-2026"
ACCOUNT = "/admin/account/"


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner_user(masters):
    return OwnerFactory(user__email="owner@example.jp").user


def _signed_in(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


def _token_works(raw: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get("/api/v1/auth/tokens")
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def _account_post(client, **fields):
    """POST the whole /admin/account/ form, as the browser sends it (every panel)."""
    user = User.objects.get(pk=int(client.session["_auth_user_id"]))
    data = {"name_email-first_name": user.first_name or "名", "name_email-last_name":
            user.last_name or "姓", "locale-preferred_language": "ja",
            "locale-current_time_zone": "Asia/Tokyo", "theme-theme": "system",
            "theme-density": "default", "theme-contrast": "system", "theme-keyboard_shortcuts": "on"}
    data.update(fields)
    return client.post(ACCOUNT, data)


def _undo_url(message) -> str:
    return re.search(r"http://testserver(/accounts/email/undo/[^/\s]+/)", message.body).group(1)


# --- finding 5: changing the sign-in e-mail address ---------------------------------------


def test_wagtails_name_and_email_panel_no_longer_changes_the_address(client, owner_user):
    client.force_login(owner_user)
    response = _account_post(client, **{"name_email-email": "attacker@example.jp"})
    assert response.status_code in (200, 302)
    owner_user.refresh_from_db()
    assert owner_user.email == "owner@example.jp"


@pytest.mark.parametrize("password", ["", "wrong-password"])
def test_the_admin_e_mail_change_needs_the_current_password(client, owner_user, password):
    client.force_login(owner_user)
    response = _account_post(client, **{"sign_in_email-new_email": "attacker@example.jp",
                                        "sign_in_email-current_password": password})
    assert response.status_code == 200
    assert "パスワード" in response.content.decode()
    owner_user.refresh_from_db()
    assert owner_user.email == "owner@example.jp"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_CHANGE).exists()
    assert not mail.outbox


def test_the_admin_e_mail_change_is_audited_and_told_to_the_old_address(client, owner_user):
    client.force_login(owner_user)
    page = client.get(ACCOUNT).content.decode()
    assert "owner@example.jp" in page and 'name="sign_in_email-current_password"' in page
    response = _account_post(client, **{"sign_in_email-new_email": "New@Example.jp",
                                        "sign_in_email-current_password": PASSWORD})
    assert response.status_code == 302
    owner_user.refresh_from_db()
    assert owner_user.email == "new@example.jp"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_CHANGE)
    assert (event.user_id, event.object_id) == (owner_user.pk, str(owner_user.pk))
    assert event.detail == {"from": "owner@example.jp", "to": "new@example.jp"}
    [notice] = mail.outbox
    assert notice.to == ["owner@example.jp"]
    assert "new@example.jp" in notice.body and "/accounts/email/undo/" in notice.body
    # The session that made the change stays signed in; saving other settings needs no
    # password.
    assert client.get(ACCOUNT).status_code == 200
    assert _account_post(client, **{"name_email-first_name": "花子"}).status_code == 302


def test_an_address_of_another_account_is_refused(client, owner_user):
    UserFactory(email="taken@example.jp")
    client.force_login(owner_user)
    response = _account_post(client, **{"sign_in_email-new_email": "taken@example.jp",
                                        "sign_in_email-current_password": PASSWORD})
    assert response.status_code == 200
    owner_user.refresh_from_db()
    assert owner_user.email == "owner@example.jp"


def test_the_undo_link_restores_the_address_and_ends_every_other_sign_in(client,
                                                                       owner_user):
    from django.test import Client

    raw = api_token_issue(user=owner_user, name="app")[1]
    attacker = _signed_in(Client, owner_user)
    assert _account_post(attacker, **{"sign_in_email-new_email": "attacker@example.jp",
                                      "sign_in_email-current_password": PASSWORD}
                         ).status_code == 302
    url = _undo_url(mail.outbox[0])
    mail.outbox.clear()

    page = client.get(url)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "owner@example.jp" in page.content.decode()
    assert User.objects.get(pk=owner_user.pk).email == "attacker@example.jp"
    mismatch = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 400
    assert User.objects.get(pk=owner_user.pk).email == "attacker@example.jp"

    done = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 200
    user = User.objects.get(pk=owner_user.pk)
    assert user.email == "owner@example.jp" and user.check_password(NEW_PASSWORD)
    assert not mail.outbox  # nothing is sent to the address being undone
    assert attacker.get(ACCOUNT).status_code == 302  # signed out
    assert not _token_works(raw)
    undo = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_CHANGE_UNDO)
    assert undo.detail == {"from": "attacker@example.jp", "to": "owner@example.jp"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGE).exists()
    # Single use.
    again = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert again.status_code == 410


def test_the_undo_link_expires_and_cannot_be_forged(client, owner_user, settings):
    client.force_login(owner_user)
    _account_post(client, **{"sign_in_email-new_email": "attacker@example.jp",
                             "sign_in_email-current_password": PASSWORD})
    url = _undo_url(mail.outbox[0])
    client.logout()
    assert client.get(url[:-5] + "xxxx/").status_code == 400
    forged = url.replace("/undo/", "/undo/A")
    assert client.get(forged).status_code == 400
    settings.PORTAL = {**settings.PORTAL, "EMAIL_CHANGE_UNDO_DAYS": 0}
    assert client.post(url, {"new_password1": NEW_PASSWORD,
                             "new_password2": NEW_PASSWORD}).status_code == 410
    assert User.objects.get(pk=owner_user.pk).email == "attacker@example.jp"


def test_the_members_e_mail_change_also_sends_an_undo_link(client, masters):
    member = MemberFactory(user__email="member@example.jp")
    client.force_login(member.user)
    client.post("/accounts/mypage/email/", {"new_email": "member-new@example.jp",
                                            "current_password": PASSWORD})
    confirm = re.search(r"http://testserver(/accounts/email/confirm/[^/\s]+/)",
                        mail.outbox[-1].body).group(1)
    client.post(confirm)
    notice = mail.outbox[-1]
    assert notice.to == ["member@example.jp"] and "/accounts/email/undo/" in notice.body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_CHANGE,
                                     object_id=str(member.user.pk)).exists()


def test_a_change_by_the_secretariat_is_audited_and_told_too(masters):
    """Any path that changes User.email (here the model, as the secretariat's user editor
    does) audits and tells the old address."""
    user = UserFactory(email="staff-old@example.jp")
    user.email = "staff-new@example.jp"
    user.save()
    assert mail.outbox[-1].to == ["staff-old@example.jp"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_CHANGE).count() == 1


# --- finding 6: a password change or reset revokes tokens and other sessions --------------


def test_an_admin_password_change_revokes_tokens_and_other_sessions(client, owner_user):
    from django.test import Client

    raw = api_token_issue(user=owner_user, name="app")[1]
    other = _signed_in(Client, owner_user)
    client.force_login(owner_user)
    assert _token_works(raw)
    response = _account_post(client, **{"password-old_password": PASSWORD,
                                        "password-new_password1": NEW_PASSWORD,
                                        "password-new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not _token_works(raw)
    assert other.get(ACCOUNT).status_code == 302  # the other session is signed out
    assert client.get(ACCOUNT).status_code == 200  # the one that changed it is not
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGE,
                                     object_id=str(owner_user.pk)).exists()


@pytest.mark.parametrize("reset_path", ["/accounts/password-reset/{uid}/{token}/",
                                        "/admin/password_reset/confirm/{uid}/{token}/"])
def test_a_password_reset_revokes_tokens_and_sessions(client, masters, reset_path):
    from django.test import Client

    member = MemberFactory()
    user = member.user
    raw = api_token_issue(user=user, name="app")[1]
    other = _signed_in(Client, user)
    assert other.get("/accounts/mypage/").status_code == 200
    url = reset_path.format(uid=urlsafe_base64_encode(force_bytes(user.pk)),
                            token=default_token_generator.make_token(user))
    form = client.get(url, follow=True)
    assert form.status_code == 200
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert not _token_works(raw)
    assert other.get("/accounts/mypage/").status_code == 302


def test_a_password_set_by_the_secretariat_revokes_the_tokens(masters):
    user = UserFactory(groups=[roles.SHOP_OWNER])
    raw = api_token_issue(user=user)[1]
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not _token_works(raw)


def test_signing_in_and_rehashing_the_password_revokes_nothing(client, masters, settings):
    """Django re-hashes a password with a newer hasher at sign-in: not a change."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = MemberFactory().user
    User.objects.filter(pk=user.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    raw = api_token_issue(user=user)[1]
    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("md5$")  # re-hashed
    assert _token_works(raw)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGE).exists()


def test_the_current_password_cannot_be_guessed_through_the_panel(client, owner_user):
    client.force_login(owner_user)
    for attempt in range(5):
        _account_post(client, **{"sign_in_email-new_email": "attacker@example.jp",
                                 "sign_in_email-current_password": f"guess-{attempt}"})
    response = _account_post(client, **{"sign_in_email-new_email": "attacker@example.jp",
                                        "sign_in_email-current_password": PASSWORD})
    assert response.status_code == 200
    assert "15分" in response.content.decode()
    owner_user.refresh_from_db()
    assert owner_user.email == "owner@example.jp"
