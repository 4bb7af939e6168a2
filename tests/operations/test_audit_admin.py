"""The audit log in the back office: read-only for the secretariat and the auditor,
invisible to everyone else, and no way to add, change or delete an event."""

import pytest
from django.contrib.auth.models import Permission

from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF, SECRETARIAT, SHOP_OWNER
from operations.models import AuditEvent
from operations.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/audit-log/"


@pytest.fixture
def event():
    return audit_record(action=AuditEvent.Action.EXPORT, user_label="someone@example.jp",
                        object_type="shops.shop", detail={"format": "csv"})


@pytest.mark.parametrize("role", [SECRETARIAT, AUDITOR])
def test_secretariat_and_auditor_see_the_list_and_inspect(client, event, role):
    client.force_login(UserFactory(groups=[role]))
    listing = client.get(LIST)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "someone@example.jp" in body
    assert f"{LIST}inspect/{event.pk}/" in body
    assert f"{LIST}new/" not in body and "/edit/" not in body and "/delete/" not in body
    inspect = client.get(f"{LIST}inspect/{event.pk}/")
    assert inspect.status_code == 200
    assert "shops.shop" in inspect.content.decode()


@pytest.mark.parametrize("role", [SECRETARIAT, AUDITOR])
def test_the_menu_shows_the_audit_log(client, role):
    client.force_login(UserFactory(groups=[role]))
    assert LIST in client.get("/admin/").content.decode()


@pytest.mark.parametrize("role", [SHOP_OWNER, MUNICIPAL_STAFF])
def test_other_roles_cannot_see_it(client, event, role):
    client.force_login(UserFactory(groups=[role]))
    assert client.get(LIST).status_code in (302, 403)
    assert client.get(f"{LIST}inspect/{event.pk}/").status_code in (302, 403)
    assert LIST not in client.get("/admin/").content.decode()


def test_signed_out_is_sent_to_the_login(client, event):
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("who", [SECRETARIAT, AUDITOR, "superuser"])
def test_nobody_can_add_change_or_delete_an_event(client, event, who):
    user = UserFactory(is_superuser=True, is_staff=True) if who == "superuser" else UserFactory(
        groups=[who])
    client.force_login(user)
    before = list(AuditEvent.objects.values().order_by("pk"))
    data = {"action": "login", "user_label": "forged@example.jp", "detail": "{}"}
    for url in (f"{LIST}new/", f"{LIST}edit/{event.pk}/", f"{LIST}delete/{event.pk}/",
                f"{LIST}copy/{event.pk}/", f"{LIST}history/{event.pk}/",
                f"/admin/snippets/operations/auditevent/edit/{event.pk}/",
                f"/django-admin/operations/auditevent/{event.pk}/delete/"):
        assert client.post(url, data).status_code in (403, 404, 405), url
        assert client.get(url).status_code in (403, 404, 405), url
    after = list(AuditEvent.objects.exclude(action=AuditEvent.Action.PERSONAL_DATA_VIEW)
                 .values().order_by("pk"))
    assert after == before


def test_only_the_view_permission_exists():
    codenames = set(Permission.objects.filter(content_type__app_label="operations",
                                              content_type__model="auditevent")
                    .values_list("codename", flat=True))
    assert codenames == {"view_auditevent"}


def test_the_roles_hold_view_auditevent():
    from django.contrib.auth.models import Group

    for role in (SECRETARIAT, AUDITOR):
        assert Group.objects.get(name=role).permissions.filter(codename="view_auditevent").exists()
    for role in (SHOP_OWNER, MUNICIPAL_STAFF):
        assert not Group.objects.get(name=role).permissions.filter(
            codename="view_auditevent").exists()


def test_auditor_can_export_the_log_and_the_export_is_audited(client, event):
    auditor = UserFactory(groups=[AUDITOR])
    client.force_login(auditor)
    response = client.get(LIST, {"export": "csv", "action": "export"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"someone@example.jp" in body
    export = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=auditor).get()
    assert export.object_type == "operations.auditevent"
    assert export.detail["filters"] == {"action": "export"}


def test_filters_and_search(client, event):
    audit_record(action=AuditEvent.Action.LOGIN, user_label="another@example.jp")
    client.force_login(UserFactory(groups=[AUDITOR]))
    body = client.get(LIST, {"action": "login"}).content.decode()
    assert "another@example.jp" in body and "someone@example.jp" not in body
    body = client.get(LIST, {"q": "someone"}).content.decode()
    assert "someone@example.jp" in body and "another@example.jp" not in body
    assert client.get(LIST, {"action": "no-such-action"}).status_code == 200
    assert client.get(LIST, {"created_at_after": "not-a-date"}).status_code == 200


def test_the_admin_speaks_japanese(client, event):
    client.force_login(UserFactory(groups=[AUDITOR]))
    body = client.get(LIST).content.decode()
    assert "監査ログ" in body
    assert "エクスポート" in body  # the action's label
    inspect = client.get(f"{LIST}inspect/{event.pk}/").content.decode()
    assert "対象の種類" in inspect and "リクエストID" in inspect
