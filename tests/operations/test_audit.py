"""The audit log: what is recorded, from where, and that it never holds a secret."""

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory.accounts.roles import AUDITOR, SECRETARIAT, SHOP_OWNER
from operations import context
from operations.models import AuditEvent
from operations.services import audit_detail_clean, audit_prune, audit_record, email_or_blank
from tests.factories import MemberFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
PASSWORD = "correct-horse-battery"
WRONG_PASSWORD = "Tr0ub4dor&3-wrong-guess"
MEMBER_NS = "wagtailsnippets_members_member"


def every_value(events) -> str:
    """Everything the audit table holds, as one string."""
    return json.dumps([
        {field.attname: str(getattr(event, field.attname)) for field in AuditEvent._meta.fields}
        | {"detail": event.detail}
        for event in events
    ], ensure_ascii=False, default=str)


# --- logins --------------------------------------------------------------------------------------


def test_admin_login_success_is_recorded_with_ip_and_request_id(client):
    user = UserFactory(groups=[SECRETARIAT])
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert event.user == user
    assert event.user_label == user.email
    assert event.ip_address == "127.0.0.1"
    assert event.request_id == response["X-Request-ID"]
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.pk))
    assert event.created_at.tzinfo is not None


def test_failed_logins_keep_the_email_and_never_the_password(client):
    user = UserFactory(groups=[SECRETARIAT])
    client.post("/admin/login/", {"username": user.email, "password": WRONG_PASSWORD})
    client.post("/accounts/login/", {"email": user.email, "username": user.email,
                                     "password": WRONG_PASSWORD})
    client.post("/admin/login/", {"username": "nobody@example.jp", "password": WRONG_PASSWORD})
    # A password typed into the e-mail field must not be kept either.
    client.post("/admin/login/", {"username": WRONG_PASSWORD, "password": WRONG_PASSWORD})

    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("pk")
    assert failures.count() >= 3
    known = failures.filter(user=user)
    assert known.exists()
    assert all(event.detail == {"email": user.email} for event in known)
    assert failures.filter(user_label="nobody@example.jp", user=None).exists()
    assert failures.filter(detail__not_an_email=True).exists()

    everything = every_value(AuditEvent.objects.all())
    assert WRONG_PASSWORD not in everything
    assert PASSWORD not in everything
    assert "*****" not in everything  # not even Django's masked placeholder


def test_logout_is_recorded(client):
    user = UserFactory(groups=[SECRETARIAT])
    client.force_login(user)
    client.post(reverse("wagtailadmin_logout"))
    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert event.user == user


# --- role changes --------------------------------------------------------------------------------


def test_group_changes_from_either_side_are_recorded():
    user = UserFactory()
    secretariat = Group.objects.get(name=SECRETARIAT)
    auditors = Group.objects.get(name=AUDITOR)

    user.groups.add(secretariat, auditors)
    added = AuditEvent.objects.filter(action=Action.ROLE_CHANGE, object_id=str(user.pk)).last()
    assert added.detail == {"added": sorted([SECRETARIAT, AUDITOR])}
    assert added.object_type == "accounts.user"

    secretariat.user_set.remove(user)
    removed = AuditEvent.objects.filter(action=Action.ROLE_CHANGE).order_by("pk").last()
    assert (removed.object_id, removed.detail) == (str(user.pk), {"removed": [SECRETARIAT]})

    user.groups.clear()
    cleared = AuditEvent.objects.filter(action=Action.ROLE_CHANGE).order_by("pk").last()
    assert cleared.detail == {"removed": [AUDITOR]}


def test_superuser_and_staff_flags_are_recorded_with_the_acting_user():
    admin = UserFactory(groups=[SECRETARIAT])
    user = UserFactory()
    request = type("Request", (), {"user": admin})()
    token = context.activate(context.RequestContext("req-0123456789", "192.0.2.10", request))
    try:
        user.is_superuser = True
        user.save()
        user.save()  # no change, no event
    finally:
        context.deactivate(token)
    events = AuditEvent.objects.filter(action=Action.ROLE_CHANGE, object_id=str(user.pk),
                                       detail__has_key="is_superuser")
    assert events.count() == 1
    event = events.get()
    assert event.detail == {"is_superuser": {"from": False, "to": True}}
    assert (event.user, event.ip_address, event.request_id) == (admin, "192.0.2.10",
                                                                "req-0123456789")


def test_a_new_superuser_is_recorded():
    call_command("createsuperuser", email="root@example.jp", interactive=False, verbosity=0)
    event = AuditEvent.objects.filter(action=Action.ROLE_CHANGE).order_by("pk").last()
    assert event.detail == {"created": True, "is_staff": True, "is_superuser": True}


def test_last_login_updates_are_not_role_changes(client):
    user = UserFactory(groups=[SECRETARIAT])
    before = AuditEvent.objects.filter(action=Action.ROLE_CHANGE).count()
    client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert AuditEvent.objects.filter(action=Action.ROLE_CHANGE).count() == before


# --- approvals and publishing --------------------------------------------------------------------


def test_snippet_publish_and_workflow_approval_are_recorded(masters):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowTask

    from directory.shops.models import Shop

    secretariat_group = Group.objects.get(name=SECRETARIAT)
    approver = UserFactory(groups=[SECRETARIAT])
    owner = UserFactory(groups=[SHOP_OWNER])
    # One group approval task for the secretariat, assigned to shops (in place of the
    # shop approval workflow the shops app installs, whatever it holds).
    workflow = Workflow.objects.create(name="Shop approval (test)")
    task = GroupApprovalTask.objects.create(name="Secretariat review")
    task.groups.set([secretariat_group])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Shop), defaults={"workflow": workflow})

    shop = ShopFactory(live=False, name="承認待ちの店")
    shop.save_revision(user=owner)
    state = workflow.start(shop, owner)
    state.current_task_state.approve(user=approver)

    submit = AuditEvent.objects.get(action=Action.WORKFLOW_SUBMIT)
    assert (submit.user, submit.object_type, submit.object_id) == (owner, "shops.shop",
                                                                   str(shop.pk))
    approval = AuditEvent.objects.get(action=Action.WORKFLOW_APPROVE)
    assert approval.user == approver
    assert approval.detail["title"] == "承認待ちの店"
    assert approval.detail["workflow"] == "Shop approval (test)"
    published = AuditEvent.objects.get(action=Action.PUBLISH)
    assert (published.user, published.object_id) == (approver, str(shop.pk))

    shop.refresh_from_db()
    shop.save_revision(user=owner)
    state = workflow.start(shop, owner)
    state.current_task_state.reject(user=approver)
    rejection = AuditEvent.objects.get(action=Action.WORKFLOW_REJECT)
    assert rejection.user == approver


def test_page_publish_is_recorded():
    from wagtail.models import Page

    user = UserFactory(groups=[SECRETARIAT])
    home = Page.objects.filter(depth=2).first().specific
    home.save_revision(user=user).publish(user=user)
    event = AuditEvent.objects.get(action=Action.PUBLISH)
    assert event.object_type.endswith(home._meta.model_name)
    assert event.object_id == str(home.pk)
    assert event.user == user


# --- exports and personal-data views in the admin ------------------------------------------------


@pytest.fixture
def secretariat(client):
    user = UserFactory(groups=[SECRETARIAT])
    client.force_login(user)
    return user


def test_export_is_recorded_with_format_and_filters(client, secretariat, osaka_city):
    ShopFactory()
    response = client.get(reverse("wagtailsnippets_shops_shop:list"),
                          {"export": "xlsx", "municipality": osaka_city.pk, "q": "カフェ",
                           "csrfmiddlewaretoken": "never-kept"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.user == secretariat
    assert event.object_type == "shops.shop"
    assert event.detail["format"] == "xlsx"
    assert event.detail["filters"] == {"municipality": str(osaka_city.pk), "q": "カフェ"}
    assert event.detail["path"] == reverse("wagtailsnippets_shops_shop:list")
    assert event.detail["personal_data"] is False


def test_member_export_is_marked_as_personal_data(client, secretariat, masters):
    MemberFactory()
    client.get(reverse(f"{MEMBER_NS}:list"), {"export": "csv"})
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.object_type, event.detail["format"], event.detail["personal_data"]) == (
        "members.member", "csv", True)
    assert not AuditEvent.objects.filter(action=Action.PERSONAL_DATA_VIEW).exists()


def test_member_views_record_which_member(client, secretariat, masters):
    member = MemberFactory()
    other = MemberFactory()
    for view in ("edit", "inspect"):
        assert client.get(reverse(f"{MEMBER_NS}:{view}", args=[member.pk])).status_code == 200
    views = AuditEvent.objects.filter(action=Action.PERSONAL_DATA_VIEW).order_by("pk")
    assert [(e.detail["view"], e.object_type, e.object_id) for e in views] == [
        ("edit", "members.member", str(member.pk)), ("inspect", "members.member", str(member.pk))]
    assert all(e.user == secretariat for e in views)
    assert "大阪" not in every_value(views)  # the member's name is not copied into the log

    client.get(reverse(f"{MEMBER_NS}:list"), {"municipality": member.municipality_id})
    listing = AuditEvent.objects.filter(action=Action.PERSONAL_DATA_VIEW).order_by("pk").last()
    assert listing.detail["view"] == "list"
    assert set(listing.detail["ids"]) == {member.pk, other.pk}
    assert listing.detail["filters"] == {"municipality": str(member.municipality_id)}


def test_a_refused_member_view_is_not_recorded_as_a_view(client, masters):
    member = MemberFactory()
    client.force_login(UserFactory(groups=[SHOP_OWNER]))
    response = client.get(reverse(f"{MEMBER_NS}:edit", args=[member.pk]))
    assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action=Action.PERSONAL_DATA_VIEW).exists()


def test_public_pages_are_not_audited(client):
    client.get("/")
    client.get("/healthz?export=csv")
    assert not AuditEvent.objects.exclude(action=Action.ROLE_CHANGE).exists()


# --- the service ---------------------------------------------------------------------------------


def test_unknown_actions_are_refused():
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(action="delete_everything")
    with pytest.raises(TypeError):
        audit_detail_clean(["not", "a", "dict"])


def test_details_lose_every_key_naming_a_secret():
    detail = audit_detail_clean({
        "password": "x1", "new_password1": "x2", "csrfmiddlewaretoken": "x3", "api_key": "x4",
        "Authorization": "x5", "sessionid": "x6", "otp": "x7",
        "nested": {"token": "x8", "author": "kept", "keyword": "kept too"},
        "email": "someone@example.jp",
    })
    assert detail == {"nested": {"author": "kept", "keyword": "kept too"},
                      "email": "someone@example.jp"}


def test_email_or_blank():
    assert email_or_blank(" Someone@Example.JP ") == "someone@example.jp"
    for value in ("hunter2-password", "", None, 42, "a@" + "b" * 300 + ".jp"):
        assert email_or_blank(value) == ""


def test_events_are_never_changed():
    event = audit_record(action=Action.EXPORT, detail={"format": "csv"})
    event.detail = {"format": "forged"}
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).detail == {"format": "csv"}


# --- retention -----------------------------------------------------------------------------------


def test_pruning_deletes_events_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    old = audit_record(action=Action.EXPORT)
    recent = audit_record(action=Action.EXPORT)
    AuditEvent.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=366))
    AuditEvent.objects.filter(pk=recent.pk).update(created_at=now - datetime.timedelta(days=364))

    assert audit_prune(now=now) == 1
    assert list(AuditEvent.objects.filter(action=Action.EXPORT)) == [recent]
    assert audit_prune(now=now) == 0


def test_the_daily_pruning_task_uses_the_setting(settings):
    from operations.tasks import audit_prune_daily

    settings.AUDIT_RETENTION_DAYS = 30
    event = audit_record(action=Action.EXPORT)
    AuditEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31))
    assert audit_prune_daily() == 1


@pytest.mark.parametrize("days", [0, -5, "365", 1.5, True])
def test_pruning_refuses_a_bad_retention(days):
    with pytest.raises(ValueError):
        audit_prune(days=days)
