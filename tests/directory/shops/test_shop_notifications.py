"""E-mail of the approval workflows through django-q2 tasks: the secretariat on
each submission (or a daily digest), the applicant on approval or on a request
for changes with the comment; Wagtail's own mails are not sent twice; a failing
mail is a failed task the secretariat can see in the admin."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_q.models import Failure

from directory.accounts import roles
from directory.shops import tasks, workflow
from tests.directory.shops.owner_helpers import (
    edit_url,
    post_edit,
    workflow_action_url,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unavailable")


@pytest.fixture
def owner_client(published_shop):
    client = Client()
    client.force_login(published_shop[0].user)
    return client


@pytest.fixture
def reviewer(secretariat):
    client = Client()
    client.force_login(secretariat)
    return client


def _to(address):
    return [message for message in mail.outbox if address in message.to]


def test_each_submission_mails_the_secretariat_once(owner_client, secretariat, published_shop):
    owner, shop = published_shop
    other_staff = UserFactory(groups=[roles.SECRETARIAT])
    mail.outbox.clear()
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 改装", action="submit")
    for address in (secretariat.email, other_staff.email):
        messages = _to(address)
        assert len(messages) == 1, [m.subject for m in mail.outbox]
        message = messages[0]
        assert "承認申請" in message.subject and "ひまわり食堂 改装" in message.subject
        assert "掲載中の内容の変更" in message.body
        assert f"/admin/snippets/shops/shop/edit/{shop.pk}/" in message.body
    # Nobody else (the owner, Wagtail's own notifier) got a mail.
    assert not _to(owner.user.email)
    assert len(mail.outbox) == 1  # one mail to all of the secretariat


def test_approval_and_request_for_changes_mail_the_applicant(
    owner_client, reviewer, published_shop
):
    owner, shop = published_shop
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂（仮）", action="submit")
    shop.refresh_from_db()
    mail.outbox.clear()
    reviewer.post(workflow_action_url(shop, "reject"), {"comment": "店名から（仮）を外してください。"})
    [message] = _to(owner.user.email)
    assert "修正のお願い" in message.subject
    assert "店名から（仮）を外してください。" in message.body
    assert f"/admin/snippets/shops/shop/edit/{shop.pk}/" in message.body

    mail.outbox.clear()
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂", action="submit")
    assert any("再申請" in m.body for m in mail.outbox)  # back in the queue
    mail.outbox.clear()
    shop.refresh_from_db()
    reviewer.post(workflow_action_url(shop, "approve"), {"comment": "ありがとうございます。"})
    [message] = _to(owner.user.email)
    assert "承認・公開" in message.subject
    assert f"/shops/{shop.pk}/" in message.body and "ありがとうございます。" in message.body
    assert len(mail.outbox) == 1


def test_daily_digest_instead_of_immediate_mails(settings, owner_client, secretariat,
                                                 published_shop):
    settings.PORTAL = {**settings.PORTAL, "SUBMISSION_NOTICE": "daily"}
    _owner, shop = published_shop
    mail.outbox.clear()
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 夜の部", action="submit")
    assert not mail.outbox
    assert tasks.send_submission_digest() == 1
    [message] = _to(secretariat.email)
    assert "承認待ちが1件" in message.subject
    assert "ひまわり食堂 夜の部" in message.body


def test_digest_sends_nothing_in_immediate_mode_or_when_nothing_waits(settings, secretariat):
    settings.PORTAL = {**settings.PORTAL, "SUBMISSION_NOTICE": "immediate"}
    assert tasks.send_submission_digest() == 0
    settings.PORTAL = {**settings.PORTAL, "SUBMISSION_NOTICE": "daily"}
    assert tasks.send_submission_digest() == 0
    assert not mail.outbox


def test_a_mail_task_raises_so_django_q_retries_it(settings):
    settings.EMAIL_BACKEND = "tests.directory.shops.test_shop_notifications.FailingBackend"
    with pytest.raises(ConnectionRefusedError):
        tasks.send_decision_notice(to=["a@example.jp"], kind="shop", title="x",
                                   decision="approved", comment="", edit_url="http://x/")


def test_failed_mail_is_listed_for_the_secretariat(owner_client, reviewer):
    """The worker stores a task that raised as a failed Task (django-q2's Failure);
    the secretariat sees it under Reports. (Tests run tasks in-process with
    Q_CLUSTER sync=True, which re-raises instead, so the row is made as the
    worker makes it.)"""
    from django.utils import timezone
    from django_q.models import Task

    now = timezone.now()
    Task.objects.create(
        id="0123456789abcdef0123456789abcdef", name="hotel-alpha-victor-one",
        func="directory.shops.tasks.send_submission_notice", args=(), kwargs={},
        result="ConnectionRefusedError: SMTP server unavailable", started=now, stopped=now,
        success=False, attempt_count=3,
    )
    assert Failure.objects.count() == 1
    response = reviewer.get(reverse("shops_failed_tasks"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "send_submission_notice" in html and "SMTP server unavailable" in html
    menu = reviewer.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("shops_failed_tasks") in menu
    # Owners cannot see the report.
    assert owner_client.get(reverse("shops_failed_tasks")).status_code in (302, 403)


def test_wagtails_own_notifiers_skip_shops_but_not_pages(published_shop):
    from wagtail.admin import signal_handlers

    _owner, shop = published_shop
    state = shop.get_workflow().start(shop, _owner.user)
    assert not signal_handlers.workflow_submission_email_notifier.can_handle(state)
    assert not signal_handlers.task_submission_email_notifier.can_handle(
        state.current_task_state.specific)
    assert workflow.kind_of(shop) == "shop"
