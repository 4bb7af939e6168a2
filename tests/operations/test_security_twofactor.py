"""TOTP for staff in the Wagtail admin (RFC 6238 vectors, enrolment, verification,
recovery codes, replay, lockout) and the session time limits."""

import base64
import re
import time

import pytest
from django.urls import reverse

from directory.accounts import roles
from staffauth import totp
from staffauth.models import StaffRecoveryCode, StaffTOTPDevice
from staffauth.services import SESSION_LOGIN_AT, SESSION_SEEN_AT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    from django.core.cache import cache

    settings.STAFF_TWO_FACTOR_REQUIRED = True
    cache.clear()  # failed-attempt counters from other tests
    yield
    cache.clear()


@pytest.fixture
def role_groups(db):
    from directory.accounts.roles import roles_sync

    roles_sync()


def _login(client, user):
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


def _secret_from_enrol_page(html):
    match = re.search(r"data-staffauth-secret>([A-Z2-7 ]+)</code>", html)
    assert match, "the key is shown as text"
    return match.group(1).replace(" ", "")


def test_rfc6238_test_vectors():
    secret = base64.b32encode(b"12345678901234567890").decode()
    for at, expected in [(59, "94287082"), (1111111109, "07081804"),
                         (1111111111, "14050471"), (1234567890, "89005924"),
                         (2000000000, "69279037"), (20000000000, "65353130")]:
        assert totp.totp(secret, at, digits=8) == expected


def test_match_window_and_replay():
    secret = totp.secret_generate()
    now = 1_700_000_000
    code = totp.totp(secret, now - 30)
    step = totp.totp_match(secret, code, at=now)
    assert step == totp.time_step(now - 30)
    assert totp.totp_match(secret, code, at=now, after_step=step) is None
    assert totp.totp_match(secret, totp.totp(secret, now - 120), at=now) is None
    assert totp.totp_match(secret, "12345", at=now) is None
    uri = totp.provisioning_uri(secret, account="a@example.jp", issuer="ポータル")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri


def test_the_configured_two_factor_groups_are_the_roles():
    from django.conf import settings

    from staffauth.services import two_factor_groups

    assert set(settings.STAFF_TWO_FACTOR_GROUPS) == {
        roles.SECRETARIAT, roles.MUNICIPAL_STAFF, roles.AUDITOR}
    assert set(two_factor_groups()) == set(settings.STAFF_TWO_FACTOR_GROUPS)


@pytest.mark.parametrize("group", [roles.SECRETARIAT, roles.MUNICIPAL_STAFF, roles.AUDITOR,
                                   None])
def test_staff_without_device_are_sent_to_enrolment_and_can_enrol_with_a_link(client,
                                                                             role_groups,
                                                                             group):
    from staffauth.services import enrolment_link_send

    if group:
        user = UserFactory(email="staff@example.jp", groups=[group])
    else:
        user = UserFactory(email="root@example.jp", is_superuser=True, is_staff=True)
    link = enrolment_link_send(user).removeprefix("http://testserver")
    _login(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staffauth:enrol"))
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("staffauth:enrol")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code
    secret = _secret_from_enrol_page(html)

    wrong = client.post(reverse("staffauth:enrol"), {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 400
    done = client.post(reverse("staffauth:enrol"), {"code": totp.totp(secret), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    device = StaffTOTPDevice.objects.get(user=user)
    assert device.secret == secret
    # Only hashes of the recovery codes are stored.
    stored = set(StaffRecoveryCode.objects.filter(device=device).values_list("code_hash",
                                                                           flat=True))
    assert not stored & set(codes)
    assert client.get("/admin/").status_code == 200


def _enrolled(role_groups):
    user = UserFactory(email="clerk@example.jp", groups=[roles.SECRETARIAT])
    device = StaffTOTPDevice.objects.create(user=user, secret=totp.secret_generate())
    codes = device.recovery_codes_replace()
    return user, device, codes


def test_verification_required_after_password_login(client, role_groups):
    user, device, _codes = _enrolled(role_groups)
    _login(client, user)
    for url in ("/admin/", "/admin/snippets/shops/shop/", "/admin/pages/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staffauth:verify"))
    # The enrolment page cannot be used to replace the device with the password alone.
    response = client.get(reverse("staffauth:enrol"))
    assert response["Location"].startswith(reverse("staffauth:verify"))

    assert client.post(reverse("staffauth:verify"),
                       {"code": "123456", "next": "/admin/"}).status_code == 400
    response = client.post(reverse("staffauth:verify"),
                           {"code": totp.totp(device.secret), "next": "/admin/pages/"})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_a_code_is_not_accepted_twice(client, role_groups):
    user, device, _codes = _enrolled(role_groups)
    code = totp.totp(device.secret)
    _login(client, user)
    assert client.post(reverse("staffauth:verify"), {"code": code}).status_code == 302
    client.post(reverse("wagtailadmin_logout"))
    _login(client, user)
    assert client.post(reverse("staffauth:verify"), {"code": code}).status_code == 400


def test_recovery_code_works_once(client, role_groups):
    user, _device, codes = _enrolled(role_groups)
    _login(client, user)
    assert client.post(reverse("staffauth:verify"), {"code": codes[0].upper()}).status_code == 302
    client.post(reverse("wagtailadmin_logout"))
    _login(client, user)
    assert client.post(reverse("staffauth:verify"), {"code": codes[0]}).status_code == 400


def test_too_many_wrong_codes_lock_out(client, role_groups):
    user, device, _codes = _enrolled(role_groups)
    _login(client, user)
    for _ in range(5):
        client.post(reverse("staffauth:verify"), {"code": "000000"})
    response = client.post(reverse("staffauth:verify"), {"code": totp.totp(device.secret)})
    assert response.status_code == 429


def test_new_login_needs_the_second_factor_again(client, role_groups):
    user, device, _codes = _enrolled(role_groups)
    _login(client, user)
    client.post(reverse("staffauth:verify"), {"code": totp.totp(device.secret)})
    assert client.get("/admin/").status_code == 200
    _login(client, user)
    assert client.get("/admin/").status_code == 302


def test_shop_owner_is_not_forced_but_the_next_url_is_safe(client, role_groups):
    from staffauth.services import enrolment_link_send

    owner = UserFactory(email="owner@example.jp", groups=[roles.SHOP_OWNER])
    _login(client, owner)
    assert client.get("/admin/").status_code == 200
    client.get(enrolment_link_send(owner).removeprefix("http://testserver"))
    response = client.get(reverse("staffauth:enrol") + "?next=https://evil.example/")
    assert 'value="/admin/"' in response.content.decode()


def test_verify_page_needs_a_login(client):
    response = client.get(reverse("staffauth:verify"))
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_reset_command(role_groups):
    from django.core.management import call_command

    user, _device, _codes = _enrolled(role_groups)
    call_command("staff_2fa_reset", user.email, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not StaffTOTPDevice.objects.filter(user=user).exists()


# --- session limits ------------------------------------------------------------------------

def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_staff_idle_timeout(client, role_groups, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    user = UserFactory(email="idle@example.jp", groups=[roles.SHOP_OWNER])
    _login(client, user)
    assert client.get("/admin/").status_code == 200
    _age_session(client, **{SESSION_SEEN_AT: settings.STAFF_SESSION_IDLE_TIMEOUT + 5})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert "_auth_user_id" not in client.session


def test_absolute_timeout(client, role_groups, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    user = UserFactory(email="long@example.jp", groups=[roles.SHOP_OWNER])
    _login(client, user)
    _age_session(client, **{SESSION_LOGIN_AT: settings.SESSION_ABSOLUTE_TIMEOUT + 5,
                            SESSION_SEEN_AT: 0})
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_member_is_not_subject_to_the_idle_limit(client, settings):
    user = UserFactory(email="member@example.jp")
    client.force_login(user)
    _age_session(client, **{SESSION_SEEN_AT: settings.STAFF_SESSION_IDLE_TIMEOUT + 5})
    client.get("/healthz")
    assert client.session.get("_auth_user_id") == str(user.pk)
