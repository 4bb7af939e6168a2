"""`manage.py seed_demo`: realistic demo data, idempotent, all-or-nothing."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from directory import demo
from directory.accounts.models import User
from directory.events.models import Event
from directory.faminavi.models import Article
from directory.masters.models import Municipality
from directory.members.models import Child, Member
from directory.shops.models import Owner, OwnerShop, Shop, ShopBenefit
from directory.text import normalise

pytestmark = pytest.mark.django_db

HIRAGANA = re.compile(r"^[\u3041-\u309f\u30fc ]+$")


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "shops": Shop.objects.count(),
        "benefits": ShopBenefit.objects.count(),
        "genres": Shop.genres.through.objects.count(),
        "facilities": Shop.facilities.through.objects.count(),
        "benefit_types": Shop.benefit_types.through.objects.count(),
        "events": Event.objects.count(),
        "articles": Article.objects.count(),
        "members": Member.objects.count(),
        "children": Child.objects.count(),
        "users": User.objects.count(),
        "owners": Owner.objects.count(),
        "owner_shops": OwnerShop.objects.count(),
    }


@pytest.fixture
def seeded():
    return seed("--shops", "60")


def test_counts_and_published_state(seeded):
    assert "60" in seeded
    assert Shop.objects.count() == 60
    assert Shop.objects.filter(live=True, has_unpublished_changes=False).count() == 60
    assert Event.objects.filter(live=True).count() == demo.event_count(60)
    assert Article.objects.filter(live=True).count() == demo.article_count(60)
    assert Member.objects.count() == demo.member_count(60)
    assert Child.objects.exists()


def test_every_municipality_has_a_shop(seeded):
    assert Municipality.objects.count() == 43
    assert not Municipality.objects.filter(shops__isnull=True).exists()


def test_coordinates_lie_near_the_municipality_centre(seeded):
    for shop in Shop.objects.select_related("municipality"):
        latitude, longitude, _weight = demo.MUNICIPALITY_CENTRES[shop.municipality.code]
        assert abs(shop.latitude - latitude) <= 0.1, shop
        assert abs(shop.longitude - longitude) <= 0.1, shop


def test_shops_look_real_and_pass_validation(seeded):
    for shop in Shop.objects.all():
        shop.full_clean()
        assert HIRAGANA.match(shop.name_kana), shop.name_kana
        assert re.match(r"^\d{3}-\d{4}$", shop.postcode)
        assert re.match(r"^0\d{1,3}-\d{3,4}-\d{4}$", shop.phone)
        assert re.search(r"\d丁目\d+-\d+$", shop.address)
        assert shop.opening_hours
    assert Shop.objects.filter(name__contains="カフェ").exists()
    assert Shop.objects.filter(search_text__contains=normalise("ｶﾌｪ")).exists()
    assert Shop.objects.filter(nationwide_mutual_use=True).exists()
    assert Shop.facilities.through.objects.exists()
    assert Shop.genres.through.objects.count() >= 60


def test_benefits_per_programme(seeded):
    assert not Shop.objects.filter(benefits__isnull=True).exists()
    codes = {}
    for benefit in ShopBenefit.objects.select_related("programme"):
        codes.setdefault(benefit.shop_id, set()).add(benefit.programme.code)
    kinds = {frozenset(value) for value in codes.values()}
    assert {frozenset({"maido"}), frozenset({"enjoy"}), frozenset({"maido", "enjoy"})} <= kinds
    # benefit types follow the benefits
    assert not Shop.objects.filter(benefit_types__isnull=True).exists()


def test_search_text_is_what_the_model_computes(seeded):
    for shop in Shop.objects.all():
        shop.refresh_from_db()
        assert shop.search_text == shop.build_search_text()
        assert shop.search_text


def test_chains_have_branches(seeded):
    heads = Shop.objects.filter(is_chain_head=True)
    assert heads.exists()
    for head in heads:
        assert head.parent_id is None
        branches = list(head.branches.all())
        assert len(branches) >= 2
        brand = head.name.split(" ")[0]
        assert all(branch.name.startswith(brand) for branch in branches)
        assert not any(branch.is_chain_head for branch in branches)


def test_events_articles_and_members(seeded):
    today = timezone.localdate()
    events = list(Event.objects.all())
    assert all(event.starts_on <= event.ends_on for event in events)
    assert any(event.ends_on < today for event in events)
    assert any(event.ends_on >= today for event in events)
    assert len({event.municipality_id for event in events}) >= 20

    articles = list(Article.objects.prefetch_related("genres", "areas"))
    assert all(article.body.startswith("<p>") for article in articles)
    assert all(article.areas.all() for article in articles)
    assert all(genre.for_articles for article in articles for genre in article.genres.all())
    assert any(article.municipality_id for article in articles)

    members = list(Member.objects.select_related("user"))
    assert all(re.match(r"^27\d{8}$", member.member_number) for member in members)
    assert all(member.user.email.endswith("@example.jp") for member in members)
    assert any(member.marriage_date for member in members)
    assert any(member.due_date or member.planned_marriage_date for member in members)
    assert all(child.birth_date <= today for child in Child.objects.all())


@pytest.mark.parametrize(("email", "group"), [
    ("admin@example.jp", "事務局"),
    ("city@example.jp", "自治体職員"),
    ("shop@example.jp", "協賛店オーナー"),
    ("auditor@example.jp", "監査"),
])
def test_staff_accounts_can_use_the_back_office(seeded, email, group):
    user = authenticate(username=email, password=demo.DEMO_PASSWORD)
    assert user is not None
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert user.has_perm("wagtailadmin.access_admin")


def test_city_and_shop_staff_are_linked(seeded):
    assert User.objects.get(email="city@example.jp").municipality.code == "271004"
    owner = Owner.objects.get(user__email="shop@example.jp")
    assert owner.shops.count() == 2


def test_rerun_is_idempotent_and_tops_up(seeded):
    before = counts()
    pks = set(Shop.objects.values_list("pk", flat=True))
    seed("--shops", "60")
    assert counts() == before
    assert set(Shop.objects.values_list("pk", flat=True)) == pks

    seed("--shops", "70")
    assert Shop.objects.count() == 70
    assert pks < set(Shop.objects.values_list("pk", flat=True))
    assert User.objects.filter(email__in=[row[0] for row in demo.DEMO_STAFF]).count() == 4


def test_top_up_creates_what_one_run_would(seeded):
    seed("--shops", "70")
    topped_up = list(Shop.objects.order_by("legacy_id").values_list(
        "legacy_id", "name", "address", "latitude", "parent__legacy_id", "search_text"))
    Shop.objects.update(parent=None)
    OwnerShop.objects.all().delete()
    Event.objects.update(shop=None)
    Shop.objects.all().delete()
    seed("--shops", "70")
    fresh = list(Shop.objects.order_by("legacy_id").values_list(
        "legacy_id", "name", "address", "latitude", "parent__legacy_id", "search_text"))
    assert fresh == topped_up


def test_zero_shops_loads_masters_and_staff_only():
    seed("--shops", "0")
    assert Municipality.objects.count() == 43
    assert Shop.objects.count() == Event.objects.count() == Member.objects.count() == 0
    assert User.objects.count() == 4


@pytest.mark.parametrize("value", ["-1", "abc", "1000001", "1.5", "", "1e3"])
def test_bad_counts_are_refused_and_nothing_is_saved(value):
    with pytest.raises(CommandError, match="1,000,000"):
        seed("--shops", value)
    assert Municipality.objects.count() == 0
    assert Shop.objects.count() == 0
    assert User.objects.count() == 0


def test_the_largest_count_is_accepted():
    assert demo.shops_count_parse("1000000") == demo.MAX_SHOPS
    assert demo.shops_count_parse(" 0 ") == 0


def test_a_failure_half_way_saves_nothing(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "_members_create", explode)
    with pytest.raises(RuntimeError):
        seed("--shops", "60")
    assert Shop.objects.count() == 0
    assert Municipality.objects.count() == 0


def test_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError):
        call_command("seed_demo", shops=1)
