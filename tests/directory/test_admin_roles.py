"""Each back-office role sees and changes only what it may, proved through
HTTP requests to the Wagtail admin (no view internals)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from directory.accounts import roles
from directory.events.models import Event
from directory.shops.models import Shop
from tests.factories import (
    MemberFactory,
    ShopBenefitFactory,
    ShopFactory,
    UserFactory,
    owner_with_shop,
)

pytestmark = pytest.mark.django_db

SHOP_NS = "wagtailsnippets_shops_shop"
CHOOSER_NS = "wagtailsnippetchoosers_shops_shop"


def _object_url_names(namespace):
    """Every URL of a snippet viewset that addresses one object (has a pk)."""
    names = []

    def walk(patterns, current_ns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or current_ns)
            elif (isinstance(pattern, URLPattern) and current_ns == namespace
                  and "pk" in str(pattern.pattern)):
                names.append((pattern.name, str(pattern.pattern)))

    walk(get_resolver().url_patterns, None)
    return names


def _kwargs_for(route, pk):
    kwargs = {"pk": pk}
    for name in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
        key = name[0] or name[1]
        if key == "pk":
            continue
        if key == "action_name":
            kwargs[key] = "approve"
        elif key in ("revision_id_a",):
            kwargs[key] = "earliest"
        elif key in ("revision_id_b",):
            kwargs[key] = "latest"
        else:
            kwargs[key] = 1
    return kwargs


@pytest.fixture
def two_owners(masters):
    mine_owner, mine = owner_with_shop(name="わたしの店")
    other_owner, other = owner_with_shop(name="よそのカフェ")
    ShopBenefitFactory(shop=other)
    # Give the other shop a revision so history/compare URLs have something to show.
    other.save_revision().publish()
    return mine_owner, mine, other_owner, other


def test_every_object_url_of_the_shop_snippet_is_covered():
    names = {name for name, _route in _object_url_names(SHOP_NS)}
    # The guard must cover at least these (a Wagtail upgrade adding URLs only adds to them).
    assert {"edit", "delete", "history", "usage", "copy", "preview_on_edit", "revisions_view",
            "revisions_revert", "revisions_compare", "unpublish", "lock", "unlock",
            "workflow_action", "workflow_history", "workflow_preview"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_shop_owner_gets_404_on_every_url_of_another_owners_shop(client, two_owners, method):
    mine_owner, _mine, _other_owner, other = two_owners
    client.force_login(mine_owner.user)
    before = Shop.objects.values().get(pk=other.pk)
    checked = 0
    for name, route in _object_url_names(SHOP_NS):
        url = reverse(f"{SHOP_NS}:{name}", kwargs=_kwargs_for(route, other.pk))
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        checked += 1
    assert checked >= 15
    assert Shop.objects.values().get(pk=other.pk) == before


def test_shop_owner_can_open_their_own_shop(client, two_owners):
    mine_owner, mine, _other_owner, _other = two_owners
    client.force_login(mine_owner.user)
    response = client.get(reverse(f"{SHOP_NS}:edit", args=[mine.pk]))
    assert response.status_code == 200
    assert "わたしの店" in response.content.decode()


def test_shop_owner_list_search_and_export_show_only_their_shops(client, two_owners):
    mine_owner, _mine, _other_owner, _other = two_owners
    client.force_login(mine_owner.user)
    listing = client.get(reverse(f"{SHOP_NS}:list")).content.decode()
    assert "わたしの店" in listing and "よそのカフェ" not in listing
    search = client.get(reverse(f"{SHOP_NS}:list"), {"q": "ｶﾌｪ"}).content.decode()
    assert "よそのカフェ" not in search
    export = client.get(reverse(f"{SHOP_NS}:list"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "わたしの店" in body and "よそのカフェ" not in body


def test_shop_owner_chooser_hides_other_owners_unpublished_shop(client, two_owners):
    mine_owner, _mine, _other_owner, other = two_owners
    Shop.objects.filter(pk=other.pk).update(live=False)
    client.force_login(mine_owner.user)
    response = client.get(reverse(f"{CHOOSER_NS}:choose"))
    assert response.status_code == 200
    assert "よそのカフェ" not in response.content.decode()
    chosen = client.get(reverse(f"{CHOOSER_NS}:chosen", args=[other.pk]))
    assert chosen.status_code == 404


def test_chain_head_owner_manages_branches(client, masters):
    owner, head = owner_with_shop(name="チェーン本部", is_chain_head=True)
    branch = ShopFactory(name="チェーン支店", parent=head)
    client.force_login(owner.user)
    assert client.get(reverse(f"{SHOP_NS}:edit", args=[branch.pk])).status_code == 200


def _settings_url():
    """The site settings' edit screen (cms_pages PortalSettings of the default site)."""
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    return reverse("wagtailsettings:edit", args=["cms_pages", "portalsettings", site.pk])


@pytest.mark.parametrize("url", [
    lambda: reverse("wagtailadmin_explore_root"),
    lambda: reverse("wagtailusers_users:index"),
    lambda: reverse("wagtailadmin_workflows:index"),
    _settings_url,
], ids=["pages", "users", "workflows", "settings"])
def test_shop_owner_has_no_pages_users_workflows_or_settings(client, two_owners, url):
    from cms_pages.models import PortalSettings

    url = url()
    mine_owner = two_owners[0]
    client.force_login(mine_owner.user)
    settings_before = list(PortalSettings.objects.values())
    response = client.get(url)
    assert response.status_code in (302, 403), (url, response.status_code)
    if response.status_code == 302:
        assert response["Location"] != url
    response = client.post(url, {})
    assert response.status_code in (302, 403), (url, response.status_code)
    assert list(PortalSettings.objects.values()) == settings_before


def _bulk_action_names():
    """The bulk actions registered for the shop snippet, and names that are not."""
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    registered = set(bulk_action_registry.actions.get("shops", {}).get("shop", {}))
    return sorted(registered | {"delete", "publish", "unpublish"})


@pytest.mark.parametrize("method", ["get", "post"])
def test_shop_owner_cannot_run_bulk_actions_on_another_owners_shop(client, two_owners, method):
    mine_owner, mine, _other_owner, other = two_owners
    client.force_login(mine_owner.user)
    before = list(Shop.objects.order_by("pk").values())
    names = _bulk_action_names()
    assert "delete" in names
    for action in names:
        base = reverse("wagtail_bulk_action", args=["shops", "shop", action])
        # The other owner's shop alone, and mixed in with the owner's own.
        for query in (f"?id={other.pk}", f"?id={other.pk}&id={mine.pk}", "?id=abc"):
            response = getattr(client, method)(base + query, {} if method == "get" else {
                "next": reverse(f"{SHOP_NS}:list")})
            assert response.status_code in (403, 404), (action, query, response.status_code)
            assert "よそのカフェ" not in response.content.decode()
    # "All" is all of the owner's own shops: the other owner's is neither listed nor deleted.
    response = getattr(client, method)(
        reverse("wagtail_bulk_action", args=["shops", "shop", "delete"]) + "?id=all")
    assert response.status_code in (200, 302, 403)
    assert "よそのカフェ" not in response.content.decode()
    assert Shop.objects.filter(pk=other.pk).exists()
    if method == "get":
        assert list(Shop.objects.order_by("pk").values()) == before


def test_secretariat_bulk_delete_still_lists_any_shop(client, two_owners):
    _mine_owner, _mine, _other_owner, other = two_owners
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    response = client.get(
        reverse("wagtail_bulk_action", args=["shops", "shop", "delete"]) + f"?id={other.pk}")
    assert response.status_code == 200
    assert "よそのカフェ" in response.content.decode()


def test_shop_owner_cannot_see_members(client, two_owners):
    MemberFactory(family_name="個人情報")
    client.force_login(two_owners[0].user)
    response = client.get(reverse("wagtailsnippets_members_member:list"))
    assert response.status_code in (302, 403)


def test_secretariat_sees_every_shop_and_members(client, two_owners):
    staff = UserFactory(groups=[roles.SECRETARIAT])
    MemberFactory(member_number="2700000042")
    client.force_login(staff)
    listing = client.get(reverse(f"{SHOP_NS}:list")).content.decode()
    assert "わたしの店" in listing and "よそのカフェ" in listing
    other = two_owners[3]
    assert client.get(reverse(f"{SHOP_NS}:edit", args=[other.pk])).status_code == 200
    members = client.get(reverse("wagtailsnippets_members_member:list"))
    assert members.status_code == 200 and "2700000042" in members.content.decode()


def test_secretariat_search_folds_kana_and_width(client, two_owners):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    for query in ("ｶﾌｪ", "かふぇ", "カフェ"):
        listing = client.get(reverse(f"{SHOP_NS}:list"), {"q": query}).content.decode()
        assert "よそのカフェ" in listing, query
        assert "わたしの店" not in listing, query


def test_auditor_reads_but_cannot_change(client, two_owners):
    auditor = UserFactory(groups=[roles.AUDITOR])
    client.force_login(auditor)
    other = two_owners[3]
    assert client.get(reverse(f"{SHOP_NS}:list")).status_code == 200
    before = Shop.objects.values().get(pk=other.pk)
    response = client.post(reverse(f"{SHOP_NS}:edit", args=[other.pk]), {"name": "改ざん"})
    assert response.status_code in (302, 403)
    assert Shop.objects.values().get(pk=other.pk) == before
    assert client.get(reverse("wagtailsnippets_members_member:list")).status_code in (302, 403)


@pytest.fixture
def events_in_two_cities(osaka_city, sakai_city):
    import datetime

    today = datetime.date.today()
    mine = Event.objects.create(title="大阪市の子育て広場", starts_on=today, ends_on=today,
                                municipality=osaka_city, live=True)
    other = Event.objects.create(title="堺市の親子まつり", starts_on=today, ends_on=today,
                                 municipality=sakai_city, live=True)
    return mine, other


def test_municipal_staff_see_only_their_municipality(client, events_in_two_cities, osaka_city):
    mine, other = events_in_two_cities
    staff = UserFactory(groups=[roles.MUNICIPAL_STAFF], municipality=osaka_city)
    client.force_login(staff)
    listing = client.get(reverse("wagtailsnippets_events_event:list")).content.decode()
    assert "大阪市の子育て広場" in listing and "堺市の親子まつり" not in listing
    assert client.get(reverse("wagtailsnippets_events_event:edit", args=[mine.pk])).status_code == 200
    before = Event.objects.values().get(pk=other.pk)
    for name in ("edit", "delete", "history", "unpublish"):
        url = reverse(f"wagtailsnippets_events_event:{name}", args=[other.pk])
        assert client.get(url).status_code in (403, 404), name
        assert client.post(url, {"title": "x"}).status_code in (403, 404), name
    assert Event.objects.values().get(pk=other.pk) == before
    # No access to shops or members at all.
    assert client.get(reverse(f"{SHOP_NS}:list")).status_code in (302, 403)
    assert client.get(reverse("wagtailsnippets_members_member:list")).status_code in (302, 403)


def test_anonymous_is_sent_to_login(client, two_owners):
    response = client.get(reverse(f"{SHOP_NS}:list"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- Shop side (owners' events, the shop approval screens) --------------------------------

EVENT_NS = "wagtailsnippets_events_event"


@pytest.mark.parametrize("method", ["get", "post"])
def test_shop_owner_gets_404_on_every_url_of_another_owners_event(client, two_owners, method):
    import datetime

    mine_owner, _mine, _other_owner, other = two_owners
    today = datetime.date.today()
    event = Event.objects.create(title="よそのイベント", starts_on=today, ends_on=today,
                                 municipality=other.municipality, shop=other, live=True)
    event.save_revision().publish()
    client.force_login(mine_owner.user)
    before = Event.objects.values().get(pk=event.pk)
    checked = 0
    for name, route in _object_url_names(EVENT_NS):
        url = reverse(f"{EVENT_NS}:{name}", kwargs=_kwargs_for(route, event.pk))
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        checked += 1
    assert checked >= 15
    assert Event.objects.values().get(pk=event.pk) == before


def test_shop_owner_cannot_use_the_secretariats_shop_screens(client, two_owners):
    mine_owner, mine, _other_owner, _other = two_owners
    Shop.objects.filter(pk=mine.pk).update(is_chain_head=True)
    client.force_login(mine_owner.user)
    for url in (reverse("shops_chain_approval", args=[mine.pk]), reverse("shops_failed_tasks")):
        assert client.get(url).status_code in (302, 403), url
        assert client.post(url).status_code in (302, 403), url
