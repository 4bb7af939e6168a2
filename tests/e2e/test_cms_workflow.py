"""The editorial workflow in a real browser: an editor writes a news page with a
go-live time and submits it to "事務局承認"; the secretariat approves it; it is
not public until the scheduled time, then `publish_scheduled` (run every minute
by django-q2) publishes it, and it appears on the home page and in the sitemap.

Time is moved forward by patching ``django.utils.timezone.now`` around the
`publish_scheduled` run (the live server runs in this process), so the test
never waits for the clock.
"""

import datetime
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from tests.e2e.conftest import DEMO_PASSWORD, E2E_MARKS, SECRETARIAT_EMAIL

pytestmark = E2E_MARKS

EDITOR_EMAIL = "editor@example.jp"
EDITOR_PASSWORD = "editor-password-2026"
TITLE = "夏の子育て応援キャンペーンを始めます"


@pytest.fixture
def editor_account(demo_site):
    from django.contrib.auth.models import Group

    from directory.accounts.models import User
    from directory.accounts.roles import EDITOR

    user = User.objects.create_user(email=EDITOR_EMAIL, password=EDITOR_PASSWORD)
    user.groups.add(Group.objects.get(name=EDITOR))
    return user


def _logout(page):
    page.context.clear_cookies()


def test_editor_submits_secretariat_approves_page_goes_live_on_schedule(
    demo_site, editor_account, page, base_url, login_admin
):
    from wagtail.models import Page, WorkflowState

    from cms_pages.models import NewsPage

    news_index = Page.objects.get(depth=3, slug="news")
    go_live = timezone.localtime(timezone.now() + datetime.timedelta(hours=2)).replace(
        second=0, microsecond=0)

    # 1. The editor writes the page, schedules it and submits it for moderation.
    login_admin(page, EDITOR_EMAIL, EDITOR_PASSWORD)
    page.goto(f"/admin/pages/add/cms_pages/newspage/{news_index.pk}/")
    page.fill("#id_title", TITLE)
    page.fill("#id_intro", "夏休みに使える特典が増えます。")
    page.locator('[data-side-panel-toggle="status"]').click()
    page.locator('[data-a11y-dialog-show="schedule-publishing-dialog"]').first.click()
    page.fill('input[name="go_live_at"]', go_live.strftime("%Y-%m-%d %H:%M"))
    # By keyboard: the date picker that opened under the field may cover the button.
    page.locator("#schedule-publishing-dialog button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    news = NewsPage.objects.get(title=TITLE)
    assert not news.live
    assert news.get_latest_revision_as_object().go_live_at == go_live

    # The editor has no "publish" action, only "submit to 事務局承認".
    assert page.locator('button[name="action-publish"]').count() == 0
    page.locator('footer [data-w-dropdown-target="toggle"]').click()
    with page.expect_navigation():
        page.locator('button[name="action-submit"]').click()
    state = WorkflowState.objects.get(object_id=str(news.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "事務局承認"
    _logout(page)

    # 2. The secretariat approves it from the page editor.
    login_admin(page, SECRETARIAT_EMAIL, DEMO_PASSWORD)
    page.goto(f"/admin/pages/{news.pk}/edit/")
    page.locator('footer [data-w-dropdown-target="toggle"]').click()
    with page.expect_navigation():
        page.locator('button[data-workflow-action-name="approve"]'
                     ":not([data-workflow-action-modal-url])").click()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    news.refresh_from_db()
    assert not news.live, "approved for the scheduled time, not yet live"
    _logout(page)

    # 3. Before the scheduled time it is nowhere public.
    page.goto("/")
    assert TITLE not in page.content()
    assert page.request.get(f"{base_url}/news/").text().count(TITLE) == 0

    # 4. The every-minute job runs after the go-live time: the page is published.
    with mock.patch("django.utils.timezone.now",
                    return_value=go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=io.StringIO())
    news.refresh_from_db()
    assert news.live

    page.goto("/")
    link = page.get_by_role("link", name=TITLE)
    assert link.count() == 1
    link.click()
    page.wait_for_url(re.compile(r"/news/"))
    assert page.locator("h1").inner_text() == TITLE
    sitemap = page.request.get(f"{base_url}/sitemap-pages.xml").text()
    assert f"{base_url}{iri_to_uri(news.get_url())}</loc>" in sitemap
