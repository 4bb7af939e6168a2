"""The shop approval workflow (協賛店承認), through HTTP: an owner saves drafts and
submits, the secretariat approves (publishes) or requests changes with a comment.
The public listing changes only when the secretariat publishes."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, Revision, TaskState, WorkflowState

from directory.accounts import roles
from directory.events.models import Event
from directory.shops.models import ApprovalTask, Shop
from tests.directory.shops.owner_helpers import (
    SHOP_NS,
    current_task_state,
    edit_url,
    get_edit_form,
    post_edit,
    workflow_action_url,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _public_texts(client, shop):
    listing = client.get(reverse("shops:list"), {"keyword": "食堂"}).content.decode()
    detail = client.get(reverse("shops:detail", args=[shop.pk]))
    return listing, detail


@pytest.fixture
def owner_client(published_shop):
    owner, _shop = published_shop
    client = Client()
    client.force_login(owner.user)
    return client


@pytest.fixture
def secretariat_client(secretariat):
    client = Client()
    client.force_login(secretariat)
    return client


def test_the_workflows_are_assigned_to_shops_and_events(masters):
    for model, name in ((Shop, "協賛店承認"), (Event, "イベント承認")):
        workflow = model().get_workflow()
        assert workflow is not None and workflow.name == name and workflow.active
        tasks = [task.specific for task in workflow.tasks]
        assert len(tasks) == 1 and isinstance(tasks[0], ApprovalTask)
        assert [group.name for group in tasks[0].groups.all()] == [roles.SECRETARIAT]


def test_owner_may_save_a_draft_and_submit_but_not_publish(owner_client, published_shop):
    _owner, shop = published_shop
    html = owner_client.get(edit_url(shop.pk)).content.decode()
    assert 'name="action-submit"' in html and "協賛店承認" in html
    assert 'name="action-publish"' not in html
    # Posting "publish" by hand does not publish either: it is not an action they have.
    response = post_edit(owner_client, edit_url(shop.pk), action="publish", name="勝手に公開")
    assert response.status_code in (200, 302)
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂"
    assert not WorkflowState.objects.for_instance(shop).exists()


def test_live_listing_stays_until_the_secretariat_publishes(
    client, owner_client, secretariat_client, published_shop
):
    _owner, shop = published_shop
    url = edit_url(shop.pk)

    # 1. Save a draft (一時保存), twice: the row and the public pages keep the old name.
    for name in ("ひまわり食堂 改", "ひまわり食堂 新館"):
        response = post_edit(owner_client, url, name=name)
        assert response.status_code == 302, response.content.decode()[:3000]
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂" and shop.live and shop.has_unpublished_changes
    assert shop.get_latest_revision_as_object().name == "ひまわり食堂 新館"
    listing, detail = _public_texts(client, shop)
    assert "ひまわり食堂" in listing and "新館" not in listing
    assert detail.status_code == 200 and "新館" not in detail.content.decode()

    # The preview shows the form as changed (not yet saved) exactly as the public page
    # would: the editor posts the form to the preview URL, then the preview pane GETs it.
    preview_url = reverse(f"{SHOP_NS}:preview_on_edit", args=[shop.pk])
    changed = get_edit_form(owner_client, url) | {"name": "ひまわり食堂 試作"}
    response = owner_client.post(preview_url, changed)
    assert response.status_code == 200
    assert response.json()["is_valid"] is True
    preview = owner_client.get(preview_url)
    assert preview.status_code == 200
    heading = re.search(r'<h1 class="p-heading-1">(.*?)</h1>', preview.content.decode(), re.S)
    assert heading, preview.content.decode()[:2000]
    assert heading.group(1).strip() == "ひまわり食堂 試作"
    # Previewing saved nothing: neither the live row nor the latest draft changed.
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂"
    assert shop.get_latest_revision_as_object().name == "ひまわり食堂 新館"

    # 2. Submit: in moderation; the public still sees the old listing.
    response = post_edit(owner_client, url, action="submit")
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.workflow_in_progress and shop.name == "ひまわり食堂"
    listing, detail = _public_texts(client, shop)
    assert "新館" not in listing and "新館" not in detail.content.decode()

    # The secretariat's dashboard lists it as waiting, with compare and approve links.
    home = secretariat_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "ひまわり食堂 新館" in home
    compare = secretariat_client.get(reverse(
        f"{SHOP_NS}:revisions_compare", args=[shop.pk, "live", shop.latest_revision_id]))
    assert compare.status_code == 200 and "新館" in compare.content.decode()

    # 3. Approve: published once, the public sees the new name.
    response = secretariat_client.post(workflow_action_url(shop, "approve"), {"comment": ""})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂 新館" and shop.live and not shop.has_unpublished_changes
    assert not shop.workflow_in_progress
    listing, detail = _public_texts(client, shop)
    assert "ひまわり食堂 新館" in listing and "ひまわり食堂 新館" in detail.content.decode()


def test_submitted_shop_is_locked_for_its_owner(owner_client, published_shop):
    _owner, shop = published_shop
    url = edit_url(shop.pk)
    post_edit(owner_client, url, name="審査中の名前", action="submit")
    shop.refresh_from_db()
    revisions = Revision.objects.for_instance(shop).count()
    before = Shop.objects.values().get(pk=shop.pk)

    page = owner_client.get(url).content.decode()
    assert "承認" in page  # Wagtail's "awaiting moderation … only reviewers can edit" notice
    response = post_edit(owner_client, url, name="審査中にこっそり変更")
    assert response.status_code == 200  # the form comes back with the lock error
    assert Revision.objects.for_instance(shop).count() == revisions
    assert Shop.objects.values().get(pk=shop.pk) == before
    assert shop.get_latest_revision_as_object().name == "審査中の名前"
    # Nor can the owner act on the task.
    response = owner_client.post(workflow_action_url(shop, "approve"))
    assert response.status_code in (302, 403)
    assert TaskState.objects.get(pk=current_task_state(shop).pk).status == "in_progress"


def test_request_changes_needs_a_comment_and_resubmission_returns_to_the_queue(
    owner_client, secretariat_client, published_shop
):
    _owner, shop = published_shop
    url = edit_url(shop.pk)
    post_edit(owner_client, url, name="ひまわり食堂（仮）", action="submit")
    shop.refresh_from_db()
    reject_url = workflow_action_url(shop, "reject")

    # Without a comment nothing happens (the modal shows the error).
    response = secretariat_client.post(reject_url, {"comment": "  "},
                                       headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    assert "変更点をコメントに" in response.json()["html"]
    assert shop.workflow_in_progress

    response = secretariat_client.post(reject_url, {"comment": "店名に（仮）は使えません。"})
    assert response.status_code == 302
    state = WorkflowState.objects.for_instance(shop).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "店名に（仮）は使えません。"
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂"  # nothing published

    # The owner may edit again, and resubmits: the same workflow resumes.
    response = post_edit(owner_client, url, name="ひまわり食堂 本店", action="submit")
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS
    response = secretariat_client.post(workflow_action_url(shop, "approve"))
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂 本店"


def test_rejecting_without_a_comment_is_refused_by_the_task_itself(secretariat, published_shop):
    _owner, shop = published_shop
    workflow = shop.get_workflow()
    state = workflow.start(shop, _owner.user)
    task = state.current_task_state.task.specific
    with pytest.raises(Exception):  # noqa: B017,PT011 - PermissionDenied
        task.on_action(state.current_task_state, secretariat, "reject", comment="")
    assert TaskState.objects.get(pk=state.current_task_state.pk).status == "in_progress"


def test_two_secretariat_staff_approving_at_once_publish_once(
    owner_client, secretariat, published_shop
):
    _owner, shop = published_shop
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 二号", action="submit")
    shop.refresh_from_db()
    url = workflow_action_url(shop, "approve")
    first, second = Client(), Client()
    first.force_login(secretariat)
    second.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    publishes = ModelLogEntry.objects.for_instance(shop).filter(action="wagtail.publish")
    published_before = publishes.count()
    # Both opened the approval at the same time; the first to send wins.
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    assert first.post(url).status_code == 302
    response = second.post(url, follow=True)
    assert response.status_code == 200
    assert "現在承認待ちではありません" in response.content.decode()
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂 二号"
    assert publishes.count() == published_before + 1
    approvals = TaskState.objects.filter(workflow_state__object_id=str(shop.pk),
                                         status="approved")
    assert approvals.count() == 1


def test_secretariat_publishes_a_new_application(client, secretariat_client, masters, osaka_city):
    from tests.directory.shops.owner_helpers import new_shop_form
    from tests.factories import OwnerFactory

    owner = OwnerFactory()
    owner_client = Client()
    owner_client.force_login(owner.user)
    data = new_shop_form(osaka_city, name="新規カフェ", **{"action-submit": "1"})
    response = owner_client.post(reverse(f"{SHOP_NS}:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    shop = Shop.objects.get(name="新規カフェ")
    assert not shop.live and shop.workflow_in_progress
    assert shop.owners.get() == owner
    assert client.get(reverse("shops:detail", args=[shop.pk])).status_code == 404
    assert "新規カフェ" not in client.get(reverse("shops:list"),
                                        {"keyword": "新規"}).content.decode()
    secretariat_client.post(workflow_action_url(shop, "approve"))
    shop.refresh_from_db()
    assert shop.live
    assert client.get(reverse("shops:detail", args=[shop.pk])).status_code == 200
    assert "新規カフェ" in client.get(reverse("shops:list"), {"keyword": "新規"}).content.decode()


def test_municipal_staff_cannot_approve_shops(published_shop, owner_client, osaka_city):
    _owner, shop = published_shop
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 三号", action="submit")
    shop.refresh_from_db()
    staff = Client()
    staff.force_login(UserFactory(groups=[roles.MUNICIPAL_STAFF], municipality=osaka_city))
    response = staff.post(workflow_action_url(shop, "approve"))
    assert response.status_code in (302, 403, 404)
    shop.refresh_from_db()
    assert shop.name == "ひまわり食堂" and shop.workflow_in_progress


def test_edit_form_round_trip_is_stable(owner_client, published_shop):
    """The helper reads the form as a browser does (guards the other tests)."""
    _owner, shop = published_shop
    data = get_edit_form(owner_client, edit_url(shop.pk))
    assert data["name"] == "ひまわり食堂"
    assert data["benefits-TOTAL_FORMS"] == "1"


@pytest.mark.django_db(transaction=True)
def test_two_approvals_sent_at_the_same_moment_publish_once(masters):
    """Two reviewers press "approve" at the same instant (two threads, two database
    connections). The object row is locked by the first request (directory/admin.py),
    so the second waits, then finds the workflow finished: one approval, one publish.
    Needs row locks: PostgreSQL (SQLite serialises whole transactions instead).

    A transactional test starts from whatever the previous one left (pytest-django
    runs them last; each ends with a flush), so it makes the role groups and the
    workflows itself, with the data migration's own (idempotent) function."""
    import importlib
    import threading

    from django.apps import apps
    from django.db import connections

    from directory.accounts.roles import roles_sync

    roles_sync()
    importlib.import_module("directory.shops.migrations.0007_approval_workflows").setup(apps, None)
    from tests.factories import ShopBenefitFactory, owner_with_shop

    owner, shop = owner_with_shop(name="同時承認の店")
    ShopBenefitFactory(shop=shop)
    shop.save_revision().publish()
    shop.refresh_from_db()
    shop.save_revision(user=owner.user)
    shop.get_workflow().start(shop, owner.user)
    url = workflow_action_url(shop, "approve")
    reviewers = [UserFactory(groups=[roles.SECRETARIAT]) for _ in range(2)]
    publishes = ModelLogEntry.objects.for_instance(shop).filter(action="wagtail.publish")
    before = publishes.count()
    barrier = threading.Barrier(2)
    statuses = []

    def approve(user):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            statuses.append(client.post(url).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) in ([302, 302], [302, 403])
    assert publishes.count() == before + 1
    assert TaskState.objects.filter(workflow_state__object_id=str(shop.pk),
                                    status="approved").count() == 1
