"""Four eyes on pages (news): whoever submitted a version to 事務局承認 cannot approve
it; another member of the secretariat must. Through the admin's own views."""

import pytest
from django.urls import reverse
from wagtail.models import Workflow, WorkflowState

from cms_pages.models import FourEyesApprovalTask, NewsPage
from directory.accounts import roles
from tests.cms_pages.test_admin_workflow import add_url, form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _submit_news(client, user, news_index, slug="four-eyes"):
    client.force_login(user)
    url = add_url("newspage", news_index)
    data = form_data(client, url, title="四つの目のお知らせ", slug=slug,
                     intro="承認は別の人が行います。")
    data["action-submit"] = "submit"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1000]
    page = NewsPage.objects.get(slug=slug)
    state = WorkflowState.objects.get(object_id=str(page.pk),
                                      status=WorkflowState.STATUS_IN_PROGRESS)
    return page, state


def _approve(client, page, state):
    return client.post(reverse("wagtailadmin_pages:workflow_action",
                               args=[page.pk, "approve", state.current_task_state.pk]),
                       {"comment": ""})


def test_the_page_workflow_uses_the_four_eyes_task(home):
    task = Workflow.objects.get(name="事務局承認").tasks.get().specific
    assert isinstance(task, FourEyesApprovalTask)
    assert [group.name for group in task.groups.all()] == [roles.SECRETARIAT]


def test_the_submitter_cannot_approve_their_own_news(client, secretariat, news_index):
    page, state = _submit_news(client, secretariat, news_index)
    # No approve button for them in the editor…
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'data-workflow-action-name="approve"' not in edit
    assert 'data-workflow-action-name="reject"' in edit  # they may still withdraw it
    # …and a forged approval is refused (Wagtail answers "permission denied").
    response = _approve(client, page, state)
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    state.refresh_from_db()
    assert not page.live and state.status == WorkflowState.STATUS_IN_PROGRESS
    # Nor is it in their review queue on the dashboard.
    assert not state.current_task_state.task.specific.get_task_states_user_can_moderate(
        secretariat).filter(pk=state.current_task_state.pk).exists()


def test_another_secretariat_member_approves(client, secretariat, news_index):
    page, state = _submit_news(client, secretariat, news_index)
    colleague = UserFactory(groups=[roles.SECRETARIAT])
    client.force_login(colleague)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'data-workflow-action-name="approve"' in edit
    response = _approve(client, page, state)
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED and page.live


def test_the_rule_can_be_switched_off(client, secretariat, news_index, settings):
    settings.PORTAL = {**settings.PORTAL, "FOUR_EYES_APPROVAL": False}
    page, state = _submit_news(client, secretariat, news_index)
    assert _approve(client, page, state).status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
