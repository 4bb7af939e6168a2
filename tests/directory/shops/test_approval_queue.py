"""The secretariat's approval queue on the admin dashboard (directory/shops/approval_queue.py):
every waiting shop (and event) with how long it has waited and whether it is a new
application or changes to a published listing."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from directory.accounts import roles
from tests.directory.shops.owner_helpers import edit_url, post_edit
from tests.factories import ShopBenefitFactory, UserFactory, owner_with_shop

pytestmark = pytest.mark.django_db


def _rows(html):
    """{title: row html} of the queue panel's table rows."""
    panel = html[html.index('id="approval-queue-section"'):]
    rows = re.findall(r"<tr data-approval-queue-row>(.*?)</tr>", panel, re.S)
    result = {}
    for row in rows:
        title = re.search(r'<div class="title-wrapper"><a [^>]*>(.*?)</a>', row).group(1)
        result[title] = row
    return result


def _text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.fixture
def waiting(published_shop, secretariat):
    """An edit of a published shop, submitted 3 days ago, and a new shop submitted now."""
    owner, shop = published_shop
    owner_client = Client()
    owner_client.force_login(owner.user)
    response = post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 新館",
                         action="submit")
    assert response.status_code == 302
    TaskState.objects.filter(workflow_state__object_id=str(shop.pk)).update(
        started_at=timezone.now() - datetime.timedelta(days=3, hours=2))

    new_owner, new_shop = owner_with_shop(name="はじめての雑貨店", live=False)
    ShopBenefitFactory(shop=new_shop)
    new_shop.save_revision(user=new_owner.user)
    new_shop.get_workflow().start(new_shop, new_owner.user)
    return shop, new_shop


def test_the_secretariat_sees_each_submissions_age_and_kind(client, secretariat, waiting):
    shop, new_shop = waiting
    client.force_login(secretariat)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "承認待ちの協賛店・イベント" in html
    rows = _rows(html)
    assert list(rows) == ["ひまわり食堂 新館", "はじめての雑貨店"]  # oldest first

    edit_row, new_row = rows["ひまわり食堂 新館"], rows["はじめての雑貨店"]
    assert "掲載中の内容の変更" in _text(edit_row) and "新規の申請" not in _text(edit_row)
    assert "新規の申請" in _text(new_row) and "掲載中の内容の変更" not in _text(new_row)
    assert "協賛店" in _text(edit_row)
    edit_age = re.search(r"<td data-approval-queue-age>(.*?)</td>", edit_row, re.S).group(1)
    new_age = re.search(r"<td data-approval-queue-age>(.*?)</td>", new_row, re.S).group(1)
    assert _text(edit_age).startswith("3日"), _text(edit_age)
    assert _text(new_age).startswith("0日"), _text(new_age)
    # Links to review and to Wagtail's compare (published version → submitted revision).
    assert reverse("wagtailsnippets_shops_shop:edit", args=[shop.pk]) in edit_row
    shop.refresh_from_db()
    compare = reverse("wagtailsnippets_shops_shop:revisions_compare",
                      args=[shop.pk, "live", shop.latest_revision_id])
    assert compare in edit_row
    assert client.get(compare).status_code == 200


def test_an_approved_submission_leaves_the_queue(client, secretariat, waiting):
    from tests.directory.shops.owner_helpers import workflow_action_url

    shop, _new_shop = waiting
    client.force_login(secretariat)
    assert client.post(workflow_action_url(shop, "approve")).status_code == 302
    rows = _rows(client.get(reverse("wagtailadmin_home")).content.decode())
    assert list(rows) == ["はじめての雑貨店"]


def test_owners_and_municipal_staff_do_not_see_the_shop_queue(client, waiting, osaka_city):
    shop, _new_shop = waiting
    owner_user = shop.owner_shops.first().owner.user
    client.force_login(owner_user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="approval-queue-section"' not in html

    staff = UserFactory(groups=[roles.MUNICIPAL_STAFF], municipality=osaka_city)
    client.force_login(staff)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "はじめての雑貨店" not in html and "ひまわり食堂 新館" not in html
