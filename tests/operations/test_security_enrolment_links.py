"""Issue 16, finding 8: an authenticator is registered only through a one-time enrolment
link mailed by the secretariat (or `manage.py staff_2fa_link`), valid 72 hours; the
password alone never offers enrolment."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory.accounts import roles
from operations.models import AuditEvent
from staffauth import totp
from staffauth.models import StaffEnrolmentLink, StaffTOTPDevice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
LINKS_PAGE = "/admin/staff-enrolment-links/"


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    from django.core.cache import cache

    settings.STAFF_TWO_FACTOR_REQUIRED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def role_groups(db):
    from directory.accounts.roles import roles_sync

    roles_sync()


@pytest.fixture
def staff(role_groups):
    return UserFactory(email="new-clerk@example.jp", groups=[roles.MUNICIPAL_STAFF])


@pytest.fixture
def secretariat_client(client, role_groups):
    """A secretariat member past the second factor."""
    from staffauth.services import SESSION_VERIFIED

    user = UserFactory(email="secretariat@example.jp", groups=[roles.SECRETARIAT])
    StaffTOTPDevice.objects.create(user=user, secret=totp.secret_generate())
    client.force_login(user)
    session = client.session
    session[SESSION_VERIFIED] = user.pk
    session.save()
    return client


def _login(client, user):
    response = client.post(reverse("wagtailadmin_login"),
                           {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _link_from(message) -> str:
    return re.search(r"http://testserver(/admin/2fa/link/[A-Za-z0-9_-]+/)",
                     message.body).group(1)


def _secret(html):
    return re.search(r"data-staffauth-secret>([A-Z2-7 ]+)</code>", html).group(1).replace(
        " ", "")


def test_the_password_alone_never_offers_enrolment(client, staff):
    _login(client, staff)
    response = client.get("/admin/", follow=True)
    page = response.content.decode()
    assert response.status_code == 403
    assert response.redirect_chain[-1][0].startswith(reverse("staffauth:enrol"))
    assert "data-staffauth-secret" not in page and "data:image/svg+xml" not in page
    assert "事務局" in page  # ask the secretariat for a link
    # Posting a code for a secret of one's own choosing registers nothing either.
    session = client.session
    session["staffauth_pending_secret"] = secret = totp.secret_generate()
    session.save()
    refused = client.post(reverse("staffauth:enrol"), {"code": totp.totp(secret)})
    assert refused.status_code == 403
    assert not StaffTOTPDevice.objects.filter(user=staff).exists()
    assert client.get("/admin/pages/").status_code == 302


def test_the_secretariat_sends_a_link_and_the_staff_member_enrols_once(
        secretariat_client, staff):
    from django.test import Client

    client = Client()
    page = secretariat_client.get(LINKS_PAGE)
    assert page.status_code == 200
    assert "new-clerk@example.jp" in page.content.decode()
    sent = secretariat_client.post(LINKS_PAGE, {"user": staff.pk})
    assert sent.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new-clerk@example.jp"]
    assert "72" in message.body
    link = _link_from(message)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_LINK)
    assert event.object_id == str(staff.pk) and event.user_label == "secretariat@example.jp"
    stored = StaffEnrolmentLink.objects.get(user=staff)
    assert link.split("/")[-2] not in stored.token_hash  # only a hash is kept
    assert stored.expires_at - stored.created_at == datetime.timedelta(hours=72)

    # Opened before signing in: sign in first, then back to the link.
    response = client.get(link)
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]
    response = client.post(response["Location"], {"username": staff.email,
                                                  "password": PASSWORD,
                                                  "next": link})
    assert response["Location"] == link
    response = client.get(link)
    assert response["Location"] == reverse("staffauth:enrol")
    page = client.get(reverse("staffauth:enrol")).content.decode()
    secret = _secret(page)
    done = client.post(reverse("staffauth:enrol"), {"code": totp.totp(secret)})
    assert done.status_code == 200
    assert StaffTOTPDevice.objects.get(user=staff).secret == secret
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_ENROL,
                                     object_id=str(staff.pk)).exists()
    # The link works once.
    client.post(reverse("wagtailadmin_logout"))
    _login(client, staff)
    assert client.get(link).status_code == 410


def test_a_link_expires_after_72_hours(client, staff):
    from staffauth.services import enrolment_link_send

    link = enrolment_link_send(staff).removeprefix("http://testserver")
    StaffEnrolmentLink.objects.filter(user=staff).update(
        created_at=timezone.now() - datetime.timedelta(hours=73),
        expires_at=timezone.now() - datetime.timedelta(hours=1))
    _login(client, staff)
    assert client.get(link).status_code == 410
    assert client.get(reverse("staffauth:enrol")).status_code == 403


def test_a_link_is_only_for_its_own_account_and_a_newer_one_replaces_it(client, staff,
                                                                         role_groups):
    from staffauth.services import enrolment_link_send

    first = enrolment_link_send(staff).removeprefix("http://testserver")
    other = UserFactory(email="other-clerk@example.jp", groups=[roles.MUNICIPAL_STAFF])
    _login(client, other)
    assert client.get(first).status_code == 404
    assert client.get(reverse("staffauth:enrol")).status_code == 403
    assert client.get("/admin/2fa/link/not-a-token/").status_code == 404
    second = enrolment_link_send(staff).removeprefix("http://testserver")
    client.post(reverse("wagtailadmin_logout"))
    _login(client, staff)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 302


def test_the_link_page_is_the_secretariats_only(client, staff, role_groups):
    from staffauth.services import SESSION_VERIFIED

    for group in (roles.MUNICIPAL_STAFF, roles.AUDITOR, roles.SHOP_OWNER):
        user = UserFactory(groups=[group])
        StaffTOTPDevice.objects.create(user=user, secret=totp.secret_generate())
        client.force_login(user)
        session = client.session
        session[SESSION_VERIFIED] = user.pk
        session.save()
        assert client.get(LINKS_PAGE).status_code in (302, 403), group
        assert client.post(LINKS_PAGE, {"user": staff.pk}).status_code in (302, 403), group
    assert not StaffEnrolmentLink.objects.exists() and not mail.outbox


def test_the_secretariat_reaches_other_back_office_accounts_by_address(secretariat_client,
                                                                       role_groups):
    owner = UserFactory(email="owner@example.jp", groups=[roles.SHOP_OWNER])
    assert secretariat_client.post(LINKS_PAGE, {"email": "OWNER@example.jp"}).status_code == 302
    assert StaffEnrolmentLink.objects.filter(user=owner).exists()
    member = UserFactory(email="member@example.jp")
    bad = secretariat_client.post(LINKS_PAGE, {"email": member.email})
    assert bad.status_code == 400
    assert secretariat_client.post(LINKS_PAGE, {"email": ""}).status_code == 400
    assert not StaffEnrolmentLink.objects.filter(user=member).exists()


def test_manage_py_staff_2fa_link(staff):
    out = io.StringIO()
    call_command("staff_2fa_link", staff.email, stdout=out)
    assert "/admin/2fa/link/" in out.getvalue()
    assert mail.outbox[-1].to == [staff.email]
    member = UserFactory(email="member@example.jp")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("staff_2fa_link", member.email, stdout=out)


def test_a_lost_phone_is_replaced_through_a_new_link(client, staff):
    from staffauth.services import enrolment_link_send

    StaffTOTPDevice.objects.create(user=staff, secret=totp.secret_generate())
    link = enrolment_link_send(staff).removeprefix("http://testserver")
    _login(client, staff)
    assert client.get(link)["Location"] == reverse("staffauth:enrol")
    secret = _secret(client.get(reverse("staffauth:enrol")).content.decode())
    assert client.post(reverse("staffauth:enrol"), {"code": totp.totp(secret)}
                       ).status_code == 200
    assert StaffTOTPDevice.objects.get(user=staff).secret == secret


def test_seed_demo_prints_enrolment_links(masters):
    out = io.StringIO()
    call_command("seed_demo", shops="0", stdout=out)
    text = out.getvalue()
    for email in ("admin@example.jp", "city@example.jp", "auditor@example.jp"):
        assert re.search(rf"{re.escape(email)}: http://testserver/admin/2fa/link/\S+", text)
    assert "shop@example.jp: http" not in text
