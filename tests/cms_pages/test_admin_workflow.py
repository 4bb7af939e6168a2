"""The editorial workflow through the Wagtail admin (HTTP requests): editors
submit, the secretariat approves, scheduled pages go live on `publish_scheduled`,
bad input is refused, and the editor's accessibility checker is set up."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import GroupPagePermission, Workflow, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from cms_pages.models import NewsPage, PortalSettings, StandardPage
from cms_pages.wagtail_hooks import PortalContentCheckerItem
from directory.accounts import roles
from tests.cms_pages.conftest import demo_page

pytestmark = pytest.mark.django_db


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=["cms_pages", model, parent.pk])


def form_data(client, url, **values):
    """The admin form as the browser would send it, with some values changed."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # StreamFields are built by JavaScript in the admin; an empty one sends a zero count.
    if "body-count" not in data:
        data["body-count"] = "0"
    # The same inside the FAQ page's items (FaqItem.related_links).
    for key in list(data):
        match = re.fullmatch(r"(faq_items-\d+)-question", key)
        if match and f"{match.group(1)}-related_links-count" not in data:
            data[f"{match.group(1)}-related_links-count"] = "0"
    for key, value in values.items():
        data[key] = value
    return data


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


# --- Setup from the migrations -----------------------------------------------------


def test_workflow_is_assigned_to_the_home_page_with_a_secretariat_task(home):
    workflow = Workflow.objects.get(name="事務局承認")
    assert workflow.active
    assert home.get_workflow() == workflow
    assert demo_page("news").get_workflow() == workflow
    task = workflow.tasks.get().specific
    assert [group.name for group in task.groups.all()] == [roles.SECRETARIAT]


def test_page_permissions_editor_cannot_publish(home, editor, secretariat):
    assert set(GroupPagePermission.objects.filter(group__name=roles.EDITOR, page=home)
               .values_list("permission__codename", flat=True)) == {"add_page", "change_page"}
    news = demo_page("news")
    editor_perms = news.permissions_for_user(editor)
    assert editor_perms.can_add_subpage() and editor_perms.can_edit()
    assert not editor_perms.can_publish()
    secretariat_perms = news.permissions_for_user(secretariat)
    assert secretariat_perms.can_publish() and secretariat_perms.can_lock()
    assert secretariat_perms.can_unlock()


def test_publish_scheduled_runs_every_minute():
    schedule = Schedule.objects.get(name="Wagtail: publish_scheduled")
    assert schedule.func == "cms_pages.tasks.publish_scheduled"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_the_setup_migration_is_idempotent(home):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cms_pages.migrations.0005_workflow_permissions_schedule")
    counts = (Workflow.objects.count(), GroupPagePermission.objects.count(), Schedule.objects.count())
    migration.setup(apps, None)
    assert counts == (Workflow.objects.count(), GroupPagePermission.objects.count(),
                      Schedule.objects.count())


# --- The moderation flow -----------------------------------------------------------


def test_editor_submits_secretariat_approves_and_scheduled_page_goes_live(
    client, masters, editor, secretariat, news_index
):
    client.force_login(editor)
    go_live = timezone.now() + datetime.timedelta(hours=2)
    url = add_url("newspage", news_index)
    data = form_data(client, url, title="春のキャンペーンのお知らせ", slug="spring-campaign",
                     intro="春のキャンペーンを行います。", go_live_at=local(go_live))
    data["action-submit"] = "submit"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = NewsPage.objects.get(slug="spring-campaign")
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.workflow.name == "事務局承認"

    # The editor cannot publish it themselves.
    data = form_data(client, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    data["action-publish"] = "publish"
    client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    page.refresh_from_db()
    assert not page.live

    client.force_login(secretariat)
    task_state = state.current_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert not page.live  # approved for later: scheduled
    assert page.get_latest_revision().approved_go_live_at is not None
    assert "春のキャンペーンのお知らせ" not in client.get("/").content.decode()

    later = timezone.now() + datetime.timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later), \
            mock.patch("cms_pages.news.news_published") as hook:
        call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.refresh_from_db()
    assert page.live
    hook.assert_called_once()
    client.logout()
    assert "春のキャンペーンのお知らせ" in client.get("/").content.decode()
    assert "/news/spring-campaign/" in client.get("/sitemap-pages.xml").content.decode()


def test_scheduled_task_function_runs_the_command():
    with mock.patch("cms_pages.tasks.call_command") as command:
        from cms_pages.tasks import publish_scheduled

        publish_scheduled()
    command.assert_called_once_with("publish_scheduled")


def test_expiry_equal_to_go_live_is_refused_in_the_admin(client, secretariat, news_index):
    client.force_login(secretariat)
    when = local(timezone.now() + datetime.timedelta(days=2))
    url = add_url("newspage", news_index)
    data = form_data(client, url, title="予約のお知らせ", slug="scheduled-news",
                     go_live_at=when, expire_at=when)
    data["action-publish"] = "publish"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "公開を終了する日時は、公開する日時より後にしてください。" in html
    assert not NewsPage.objects.filter(slug="scheduled-news").exists()


def test_expiry_before_go_live_shows_the_message_once(client, secretariat, news_index):
    client.force_login(secretariat)
    go_live = timezone.now() + datetime.timedelta(days=2)
    url = add_url("newspage", news_index)
    data = form_data(client, url, title="予約のお知らせ", slug="scheduled-news",
                     go_live_at=local(go_live),
                     expire_at=local(go_live - datetime.timedelta(days=1)))
    data["action-publish"] = "publish"
    response = client.post(url, data)
    form = response.context["form"]
    assert form.errors["expire_at"] == ["公開を終了する日時は、公開する日時より後にしてください。"]


# --- Images need alt text to be published ------------------------------------------


@pytest.fixture
def image(db):
    return Image.objects.create(title="写真", file=get_test_image_file())


def test_image_without_alt_text_cannot_be_published_but_a_draft_can_be_saved(
    client, secretariat, home, image
):
    client.force_login(secretariat)
    url = add_url("standardpage", home)
    data = form_data(client, url, title="画像つきのページ", slug="with-image")
    data.update({
        "body-count": "1", "body-0-type": "image", "body-0-deleted": "", "body-0-order": "0",
        "body-0-id": "", "body-0-value-image": str(image.pk), "body-0-value-alt_text": "",
        "body-0-value-caption": "",
    })
    data["action-publish"] = "publish"
    response = client.post(url, data)
    assert response.status_code == 200
    assert not StandardPage.objects.filter(slug="with-image").exists()
    block_error = response.context["form"].errors["body"].as_data()[0]
    errors = json.dumps(block_error.as_json_data(), ensure_ascii=False)
    assert "alt_text" in errors

    del data["action-publish"]
    response = client.post(url, data)  # save draft: required fields are checked on publish
    assert response.status_code == 302
    page = StandardPage.objects.get(slug="with-image")
    assert not page.live


# --- The accessibility checker -----------------------------------------------------


def test_content_checker_uses_the_wcag_22_aa_rule_set(rf, home):
    from wagtail.admin.userbar import ContentCheckerItem, apply_userbar_hooks

    items = [ContentCheckerItem(in_editor=True)]
    apply_userbar_hooks(rf.get("/"), items, home)
    assert isinstance(items[0], PortalContentCheckerItem)
    assert items[0].in_editor
    options = items[0].get_axe_options(rf.get("/"))
    assert options["runOnly"] == ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    assert options["rules"]["heading-order"] == {"enabled": True}
    assert options["rules"]["alt-text-quality"] == {"enabled": True}


def test_the_page_editor_checks_panel_gets_the_rule_set(client, secretariat):
    client.force_login(secretariat)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[demo_page("privacy").pk])).content.decode()
    assert "wcag22aa" in html
    assert "heading-order" in html


# --- Roles in the admin ------------------------------------------------------------


def test_editor_reaches_the_page_explorer_and_editor(client, editor, home):
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_explore", args=[home.pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:edit", args=[demo_page("faq").pk])).status_code == 200


def test_contact_submissions_are_for_the_secretariat_only(client, editor, secretariat):
    client.force_login(secretariat)
    contact = demo_page("contact")
    submissions_url = reverse("wagtailforms:list_submissions", args=[contact.pk])
    assert submissions_url in client.get(reverse("wagtailforms:index")).content.decode()
    assert client.get(submissions_url).status_code == 200
    client.force_login(editor)
    assert submissions_url not in client.get(reverse("wagtailforms:index")).content.decode()
    assert client.get(submissions_url).status_code in (302, 403)


def test_secretariat_edits_the_site_settings(client, secretariat, home):
    client.force_login(secretariat)
    site_id = home.get_site().pk
    url = reverse("wagtailsettings:edit", args=["cms_pages", "portalsettings", site_id])
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="w-editor-form") \
        if 'id="w-editor-form"' in response.content.decode() else \
        querydict_from_html(response.content.decode(), form_index=1)
    data["ga4_measurement_id"] = "UA-12345"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "G-ABC123XYZ9" in response.content.decode()  # the error message explains the format
    data["ga4_measurement_id"] = "G-ABC123XYZ9"
    response = client.post(url, data)
    assert response.status_code == 302
    assert PortalSettings.for_site(home.get_site()).ga4_measurement_id == "G-ABC123XYZ9"


# --- Every page type in the editor, revisions and compare ---------------------------


@pytest.mark.parametrize("slug", [None, "news", "site-renewal", "faq", "maido", "contact",
                                  "privacy"])
def test_every_page_type_opens_in_the_editor(client, secretariat, home, slug):
    from wagtail.models import Page

    page = home if slug is None else Page.objects.get(slug=slug)
    client.force_login(secretariat)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    assert reverse("cms_pages_preview_link", args=[page.pk]) in response.content.decode()


def test_revisions_can_be_compared(client, secretariat):
    page = demo_page("privacy")
    first = page.save_revision(user=secretariat)
    page.title = "プライバシーポリシー（改定）"
    second = page.save_revision(user=secretariat)
    client.force_login(secretariat)
    url = reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first.pk, second.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "プライバシーポリシー（改定）" in response.content.decode()


def test_preview_in_the_editor_is_the_public_template(client, secretariat):
    page = demo_page("faq")
    client.force_login(secretariat)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    data = form_data(client, reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert client.post(url, data).json()["is_valid"]
    html = client.get(url).content.decode()
    assert "よくある質問</h1>" in html
    assert html.count("<details class=\"p-accordion__item\"") == 32  # the questions


def test_programme_page_saves_its_programme_from_the_editor(client, secretariat, masters):
    page = demo_page("maido")
    client.force_login(secretariat)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = form_data(client, url)
    assert data["programme"] == "maido"
    data["programme"] = "enjoy"
    data["action-publish"] = "publish"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page.refresh_from_db()
    assert page.programme_id == "enjoy"
