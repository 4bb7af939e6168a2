"""The secretariat's dashboard starts with what needs them: submissions waiting (and
the oldest one's age), shops without a map position, failed background tasks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from tests.factories import ShopBenefitFactory, ShopFactory, owner_with_shop

pytestmark = pytest.mark.django_db


def test_secretariat_dashboard_counts_waiting_unplaced_and_failures(client, secretariat,
                                                                    masters):
    from django_q.models import Failure

    owner, shop = owner_with_shop(name="承認待ちの食堂", live=False)
    ShopBenefitFactory(shop=shop)
    shop.save_revision(user=owner.user)
    shop.get_workflow().start(shop, owner.user)
    TaskState.objects.filter(status="in_progress").update(
        started_at=timezone.now() - datetime.timedelta(days=3))
    ShopFactory(name="位置未設定のパン屋", latitude=None, longitude=None)
    Failure.objects.create(name="mail", func="directory.shops.tasks.send", started=timezone.now(),
                           stopped=timezone.now(), success=False, result="SMTP error")
    client.force_login(secretariat)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "本日の対応事項" in page
    assert "承認待ち：協賛店 1件、イベント 0件" in page
    assert "最も古いもので3日経過" in page
    assert "地図上の位置がない協賛店：1件" in page and "位置未設定のパン屋" in page
    assert "失敗したバックグラウンド処理（未送信のメールなど）：1件" in page
