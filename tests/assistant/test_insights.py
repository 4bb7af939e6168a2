"""The insight dashboard: figures equal counts computed independently; who may see it."""

import pytest

from cms_pages.assistant.models import ShopView, ZeroResultSearch
from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF, SECRETARIAT
from directory.masters.models import Municipality
from tests.factories import ChildFactory, MemberFactory, ShopFactory, UserFactory, owner_with_shop

pytestmark = pytest.mark.django_db


def table(response, slug):
    return next(t for t in response.context["tables"] if t.slug == slug)


@pytest.fixture
def data(masters):
    sakai = Municipality.objects.get(code="271403")
    married = MemberFactory.create_batch(3)  # marriage date: 縁ジョイパス
    parents = [ChildFactory().member, ChildFactory().member]
    parents[0].municipality = sakai
    parents[0].marriage_date = None
    parents[0].save()
    parents[1].marriage_date = None
    parents[1].save()
    shops = ShopFactory.create_batch(4) + [ShopFactory(municipality=sakai),
                                          ShopFactory(live=False)]
    ShopView.objects.create(day="2026-11-01", shop=shops[0], count=5)
    ShopView.objects.create(day="2026-11-02", shop=shops[0], count=2)
    ShopView.objects.create(day="2026-11-02", shop=shops[1], count=3)
    ZeroResultSearch.objects.create(day="2026-11-01", term="かふぇ", count=4)
    ZeroResultSearch.objects.create(day="2026-11-02", term="かふぇ", count=1)
    ZeroResultSearch.objects.create(day="2026-11-02", term="ぷーる", count=2)
    return {"married": married, "parents": parents, "shops": shops, "sakai": sakai}


def test_figures_match_independent_counts(client, data):
    from directory.members.models import Member
    from directory.shops.models import Shop

    client.force_login(UserFactory(groups=[SECRETARIAT]))
    response = client.get("/admin/insights/")
    assert response.status_code == 200
    rows = dict(map(tuple, table(response, "members-programme").rows))
    assert rows["縁ジョイパス"] == sum(
        1 for m in Member.objects.all() if m.marriage_date or m.planned_marriage_date)
    assert rows["まいど子でもカード"] == sum(
        1 for m in Member.objects.all() if m.children.exists() or m.due_date)
    municipality = dict(map(tuple, table(response, "members-municipality").rows))
    assert municipality == {"大阪市": 4, "堺市": 1}
    assert sum(r[1] for r in table(response, "members-month").rows) == Member.objects.count()
    status = dict(map(tuple, table(response, "shops-status").rows))
    assert status["公開中"] == Shop.objects.filter(live=True).count() == 5
    assert status["非公開"] == 1
    assert dict(map(tuple, table(response, "shops-municipality").rows)) == {"大阪市": 4, "堺市": 1}
    assert table(response, "most-viewed-shops").rows[0] == [data["shops"][0].name, 7]
    assert table(response, "zero-result-searches").rows == [["かふぇ", 5], ["ぷーる", 2]]
    body = response.content.decode()
    assert "<caption>" in body and 'scope="col"' in body


def test_csv_download(client, data):
    client.force_login(UserFactory(groups=[AUDITOR]))
    response = client.get("/admin/insights/zero-result-searches.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[1:] == ["かふぇ,5", "ぷーる,2"]
    assert client.get("/admin/insights/unknown.csv").status_code == 404


@pytest.mark.parametrize("role", [MUNICIPAL_STAFF, "owner"])
def test_other_roles_are_refused(client, masters, role):
    if role == "owner":
        owner, _shop = owner_with_shop()
        user = owner.user
    else:
        user = UserFactory(groups=[role])
    client.force_login(user)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    for url in ("/admin/insights/", "/admin/insights/members-programme.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/"


def test_anonymous_is_sent_to_login(client, masters):
    response = client.get("/admin/insights/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_push_campaign_results_are_the_campaigns_counters(client, masters):
    from notifications.models import Campaign

    Campaign.objects.create(title="夏のおでかけ", body="本文", status=Campaign.Status.SENT,
                            target_count=10, sent_count=8, failed_count=1, removed_count=1,
                            click_count=3)
    Campaign.objects.create(title="下書き", body="本文")
    client.force_login(UserFactory(groups=[SECRETARIAT]))
    rows = table(client.get("/admin/insights/"), "push-campaigns").rows
    assert ["夏のおでかけ", "送信済み", 10, 8, 1, 1, 3] in rows
    assert len(rows) == Campaign.objects.count()
