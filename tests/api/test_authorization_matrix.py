"""Every endpoint × every role: who gets 2xx, who gets 401/403/404 — and a refused
request changes nothing.

The endpoints are read from the URL resolver (everything under /api/), so a new
endpoint without an entry in MATRIX fails `test_every_endpoint_is_in_the_matrix`.
Roles: anonymous, member (whose objects are used), other member, shop owner (whose
shops are used), other owner, secretariat, municipal staff (of the objects'
municipality, Osaka City), staff of another municipality (Sakai City), auditor.
The objects are "someone else's" for every role but their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page, Revision, TaskState, WorkflowState

from api.models import ApiToken
from api.tokens import api_token_issue
from cms_pages.models import NewsPage
from directory.accounts.models import SignupRequest, User
from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF, SECRETARIAT
from directory.events.models import Event
from directory.faminavi.models import Article
from directory.members.models import Child, Favourite, Member
from directory.shops.models import Owner, OwnerShop, Shop, ShopAccountRequest, ShopBenefit
from notifications.models import Campaign, PushSubscription
from tests.api.conftest import ValidatingClient
from tests.factories import (
    ArticleFactory,
    EventFactory,
    MemberFactory,
    ShopBenefitFactory,
    UserFactory,
    owner_with_shop,
)

ROLES = ("anonymous", "member", "other_member", "owner", "other_owner", "secretariat",
         "municipal", "other_municipal", "auditor")
TODAY = datetime.date.today()


def expect(default: int, **roles: int) -> dict[str, int]:
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES}


def protected(default: int = 403, **roles: int) -> dict[str, int]:
    """Anonymous 401, others `default` unless named."""
    return expect(default, anonymous=401, **roles)


def everyone(status: int) -> dict[str, int]:
    return expect(status)


@dataclass
class Case:
    path: object  # str or callable(world) -> str
    expected: dict[str, int]
    body: object = None  # dict or callable(world) -> dict
    session: bool = False  # a plain Django form view: session cookie instead of a token
    invariant: object = None  # callable(world, role) -> bool, must hold after the request
    succeeds: tuple = ()  # roles whose non-2xx answer (a redirect) is the success
    notes: str = field(default="")


def shop_body(**overrides):
    return {"name": "権限テスト", "postcode": "540-8570", "municipality": "271004",
            "address": "中央区", "benefits": [{"programme": "maido", "title": "特典"}],
            **overrides}


def event_body(**overrides):
    return {"title": "行事", "starts_on": str(TODAY), "ends_on": str(TODAY),
            "municipality": "271004", **overrides}


PUSH = {"endpoint": "https://fcm.googleapis.com/fcm/send/matrix",
        "keys": {"p256dh": "B" + "A" * 86, "auth": "c" * 22}}

SHOP_READERS = {"owner": 200, "other_owner": 200, "secretariat": 200, "auditor": 200}

MATRIX: dict[tuple[str, str], Case] = {
    # --- the schema and the docs: public
    ("GET", "api/v1/openapi.json"): Case("/api/v1/openapi.json", everyone(200)),
    ("GET", "api/v1/docs"): Case("/api/v1/docs", everyone(200)),
    # --- public reads
    ("GET", "api/v1/shops"): Case("/api/v1/shops", everyone(200)),
    ("GET", "api/v1/shops/<int:pk>"): Case(lambda w: f"/api/v1/shops/{w.shop.pk}",
                                           everyone(200)),
    ("GET", "api/v1/events"): Case("/api/v1/events", everyone(200)),
    ("GET", "api/v1/events/<int:pk>"): Case(lambda w: f"/api/v1/events/{w.event.pk}",
                                            everyone(200)),
    ("GET", "api/v1/faminavi"): Case("/api/v1/faminavi", everyone(200)),
    ("GET", "api/v1/faminavi/<int:pk>"): Case(lambda w: f"/api/v1/faminavi/{w.article.pk}",
                                              everyone(200)),
    ("GET", "api/v1/news"): Case("/api/v1/news", everyone(200)),
    ("GET", "api/v1/news/<int:pk>"): Case(lambda w: f"/api/v1/news/{w.news.pk}",
                                          everyone(200)),
    ("GET", "api/legacy/shops"): Case("/api/legacy/shops?GROUP=1", everyone(200)),
    # --- the FAQ assistant: public (cms_pages/assistant)
    ("POST", "api/v1/assistant"): Case("/api/v1/assistant", everyone(200),
                                       body={"question": "パスワードを忘れました"}),
    ("POST", "api/v1/assistant/feedback"): Case("/api/v1/assistant/feedback", everyone(404),
                                                body={"faq_id": 2**31 - 1, "helpful": True},
                                                notes="an unknown FAQ entry"),
    # --- authentication
    ("POST", "api/v1/auth/token"): Case(
        "/api/v1/auth/token", everyone(400),
        body=lambda w: {"email": w.users["member"].email, "password": "wrong-password"}),
    ("DELETE", "api/v1/auth/token"): Case("/api/v1/auth/token", protected(204),
                                          notes="revokes the caller's own token"),
    ("GET", "api/v1/auth/tokens"): Case("/api/v1/auth/tokens", protected(200)),
    ("DELETE", "api/v1/auth/tokens/<int:pk>"): Case(
        lambda w: f"/api/v1/auth/tokens/{w.member_token.pk}", protected(404, member=204)),
    # --- members
    ("GET", "api/v1/users"): Case("/api/v1/users", protected(secretariat=200)),
    ("POST", "api/v1/users/signup"): Case(
        "/api/v1/users/signup", everyone(202),
        body={"email": "new-member@example.jp", "agree_terms": True}),
    ("POST", "api/v1/users/signup/complete"): Case(
        "/api/v1/users/signup/complete", everyone(400),
        body={"token": "not-a-link", "password": "a-long-secret-phrase", "family_name": "a",
              "given_name": "b", "municipality": "271004"}),
    ("GET", "api/v1/users/me"): Case("/api/v1/users/me",
                                     protected(member=200, other_member=200)),
    ("PATCH", "api/v1/users/me"): Case("/api/v1/users/me",
                                       protected(member=200, other_member=200),
                                       body={"given_name": "更新"}),
    ("GET", "api/v1/users/me/favourites"): Case("/api/v1/users/me/favourites",
                                                protected(member=200, other_member=200)),
    ("PUT", "api/v1/users/me/favourites/<int:shop_id>"): Case(
        lambda w: f"/api/v1/users/me/favourites/{w.shop.pk}",
        protected(member=200, other_member=200)),
    ("DELETE", "api/v1/users/me/favourites/<int:shop_id>"): Case(
        lambda w: f"/api/v1/users/me/favourites/{w.shop.pk}",
        protected(member=204, other_member=204),
        invariant=lambda w, role: role == "member" or Favourite.objects.filter(
            member=w.members["member"], shop=w.shop).exists(),
        notes="another member removes only their own favourite"),
    # --- the shop side and the approval
    ("POST", "api/v1/manage/shops"): Case(
        "/api/v1/manage/shops", protected(owner=201, other_owner=201, secretariat=201),
        body=shop_body()),
    ("GET", "api/v1/manage/shops/drafts"): Case("/api/v1/manage/shops/drafts",
                                                protected(**SHOP_READERS)),
    ("GET", "api/v1/manage/shops/pending"): Case("/api/v1/manage/shops/pending",
                                                 protected(**SHOP_READERS)),
    ("GET", "api/v1/manage/shops/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/shops/{w.shop.pk}",
        protected(**{**SHOP_READERS, "other_owner": 404})),
    ("PUT", "api/v1/manage/shops/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/shops/{w.shop.pk}", protected(secretariat=200),
        body=shop_body()),
    ("PUT", "api/v1/manage/shops/<int:pk>/draft"): Case(
        lambda w: f"/api/v1/manage/shops/{w.shop.pk}/draft",
        protected(owner=200, other_owner=404, secretariat=200), body=shop_body()),
    ("POST", "api/v1/manage/shops/<int:pk>/submission"): Case(
        lambda w: f"/api/v1/manage/shops/{w.shop.pk}/submission",
        protected(owner=200, other_owner=404, secretariat=200)),
    ("POST", "api/v1/manage/shops/<int:pk>/approval"): Case(
        lambda w: f"/api/v1/manage/shops/{w.pending_shop.pk}/approval",
        protected(secretariat=200), body={"action": "approve"}),
    # --- events, ふぁみなび, news
    ("POST", "api/v1/manage/events"): Case(
        "/api/v1/manage/events",
        protected(owner=201, other_owner=201, secretariat=201, municipal=201,
                  other_municipal=400),
        body=event_body(), notes="other municipality: 400 out_of_scope (Osaka City event)"),
    ("GET", "api/v1/manage/events/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/events/{w.event.pk}",
        protected(owner=200, other_owner=404, secretariat=200, municipal=200,
                  other_municipal=404, auditor=200)),
    ("PUT", "api/v1/manage/events/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/events/{w.event.pk}",
        protected(owner=200, other_owner=404, secretariat=200, municipal=200,
                  other_municipal=404), body=event_body()),
    ("POST", "api/v1/manage/faminavi"): Case(
        "/api/v1/manage/faminavi", protected(secretariat=201, municipal=201,
                                             other_municipal=201),
        body={"title": "情報", "body": "本文"}),
    ("GET", "api/v1/manage/faminavi/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/faminavi/{w.article.pk}",
        protected(secretariat=200, municipal=200, other_municipal=404, auditor=200)),
    ("PUT", "api/v1/manage/faminavi/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/faminavi/{w.article.pk}",
        protected(secretariat=200, municipal=200, other_municipal=404),
        body={"title": "情報", "body": "本文"}),
    ("POST", "api/v1/manage/news"): Case("/api/v1/manage/news", protected(secretariat=201),
                                         body={"title": "お知らせ"}),
    ("GET", "api/v1/manage/news/<int:pk>"): Case(lambda w: f"/api/v1/manage/news/{w.news.pk}",
                                                 protected(secretariat=200)),
    ("PUT", "api/v1/manage/news/<int:pk>"): Case(lambda w: f"/api/v1/manage/news/{w.news.pk}",
                                                 protected(secretariat=200),
                                                 body={"title": "お知らせ(改)"}),
    # --- push
    ("GET", "api/v1/push/subscriptions"): Case("/api/v1/push/subscriptions",
                                               protected(member=200, other_member=200)),
    ("POST", "api/v1/push/subscriptions"): Case(
        "/api/v1/push/subscriptions", everyone(201), body=PUSH,
        notes="anyone registers their own device"),
    ("POST", "api/v1/push/subscriptions/remove"): Case(
        "/api/v1/push/subscriptions/remove", everyone(200),
        body=lambda w: {"endpoint": w.subscription.endpoint, "auth": "x" * 22},
        invariant=lambda w, role: PushSubscription.objects.filter(pk=w.subscription.pk).exists(),
        notes="without the subscription's secret nothing is removed"),
    ("POST", "api/v1/manage/push/campaigns"): Case(
        "/api/v1/manage/push/campaigns", protected(secretariat=201),
        body={"title": "t", "body": "b"}),
    ("GET", "api/v1/manage/push/campaigns/<int:pk>"): Case(
        lambda w: f"/api/v1/manage/push/campaigns/{w.campaign.pk}", protected(secretariat=200)),
    # --- shop accounts
    ("GET", "api/v1/shop-users"): Case("/api/v1/shop-users", protected(secretariat=200)),
    ("POST", "api/v1/shop-users/signup"): Case(
        "/api/v1/shop-users/signup", everyone(202),
        body={"email": "new-shop@example.jp", "agree_terms": True}),
    ("POST", "api/v1/shop-users/signup/complete"): Case(
        "/api/v1/shop-users/signup/complete", everyone(400),
        body={"token": "not-a-link", "password": "a-long-secret-phrase", "name": "店主"}),
    ("POST", "api/v1/shop-users/token"): Case(
        "/api/v1/shop-users/token", everyone(400),
        body=lambda w: {"email": w.users["owner"].email, "password": "wrong-password"}),
    ("GET", "api/v1/shop-users/me"): Case("/api/v1/shop-users/me",
                                          protected(owner=200, other_owner=200)),
    # --- the account page's form (HTML, session): someone else's token is 404
    ("POST", "api/account/tokens/<int:pk>/revoke"): Case(
        lambda w: f"/api/account/tokens/{w.member_token.pk}/revoke",
        expect(404, anonymous=302, member=302), session=True, succeeds=("member",),
        notes="anonymous: redirected to the login page"),
}

# Routes that are not endpoints: the catch-all answering problem+json 404s.
NOT_ENDPOINTS = {r"api/[\s\S]*$"}


def api_operations() -> set[tuple[str, str]]:
    operations = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern).lstrip("^")
            if not route.startswith("api/") or route in NOT_ENDPOINTS:
                continue
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback,
                                                                      "view_class", None)
            if view is None:
                methods = {"POST"} if "revoke" in route else {"GET"}
            else:
                methods = {name.upper() for name in view.http_method_names
                           if name not in ("options", "head") and hasattr(view, name)}
            operations.update((method, route) for method in methods)

    walk(get_resolver().url_patterns, "")
    return operations


def test_every_endpoint_is_in_the_matrix():
    operations = api_operations()
    missing = sorted(operations - set(MATRIX))
    stale = sorted(set(MATRIX) - operations)
    assert not missing, f"endpoints without a matrix entry: {missing}"
    assert not stale, f"matrix entries without an endpoint: {stale}"


def test_the_matrix_covers_every_role():
    for key, case in MATRIX.items():
        assert set(case.expected) == set(ROLES), key


# --- the world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(module_db):
    """One world for every endpoint of the matrix (each test rolls its changes back)."""
    from directory.masters.models import Municipality

    osaka_city = Municipality.objects.get(code="271004")
    sakai_city = Municipality.objects.get(code="271403")
    w = SimpleNamespace()
    w.members = {"member": MemberFactory(), "other_member": MemberFactory()}
    owner, shop = owner_with_shop()
    ShopBenefitFactory(shop=shop)
    shop.save_revision()  # a published shop with a revision (drafts and submission work)
    other_owner, _other_shop = owner_with_shop()
    pending_owner_shop = ShopBenefitFactory(shop__name="承認待ち").shop
    OwnerShop.objects.create(owner=owner, shop=pending_owner_shop)
    pending_owner_shop.save_revision(user=owner.user)
    pending_owner_shop.get_workflow().start(pending_owner_shop, owner.user)
    w.shop, w.pending_shop = shop, pending_owner_shop
    w.users = {
        "member": w.members["member"].user,
        "other_member": w.members["other_member"].user,
        "owner": owner.user,
        "other_owner": other_owner.user,
        "secretariat": UserFactory(groups=[SECRETARIAT], is_staff=True),
        "municipal": UserFactory(groups=[MUNICIPAL_STAFF], municipality=osaka_city),
        "other_municipal": UserFactory(groups=[MUNICIPAL_STAFF], municipality=sakai_city),
        "auditor": UserFactory(groups=[AUDITOR], is_staff=True),
    }
    w.event = EventFactory(shop=shop, municipality=osaka_city,
                           created_by=w.users["secretariat"])
    w.event.save_revision()
    w.article = ArticleFactory(municipality=osaka_city)
    w.article.save_revision()
    w.news = NewsPage.objects.live().first()
    w.campaign = Campaign.objects.create(title="t", body="b", created_by=w.users["secretariat"])
    Favourite.objects.create(member=w.members["member"], shop=shop)
    w.member_token, _raw = api_token_issue(user=w.users["member"], name="member's phone")
    w.subscription = PushSubscription.objects.create(
        member=w.members["member"], endpoint="https://fcm.googleapis.com/fcm/send/world",
        p256dh="B" + "A" * 86, auth="z" * 22)
    return w


SNAPSHOT_MODELS = [
    (Shop, ()), (ShopBenefit, ()), (OwnerShop, ()), (Owner, ()), (Revision, ()),
    (WorkflowState, ()), (TaskState, ()), (Event, ()), (Article, ()),
    (Page, ("latest_revision_created_at",)), (Member, ()), (Child, ()), (Favourite, ()),
    (User, ("last_login",)), (ApiToken, ("last_used_at",)), (PushSubscription, ()),
    (Campaign, ()), (SignupRequest, ()), (ShopAccountRequest, ()),
]


def snapshot() -> dict:
    state = {}
    for model, volatile in SNAPSHOT_MODELS:
        rows = []
        for row in model.objects.order_by("pk").values():
            rows.append({key: value for key, value in row.items() if key not in volatile})
        state[model.__name__] = rows
    return state


def client_as(world, role, validator, *, session: bool) -> ValidatingClient:
    client = ValidatingClient()
    client.validator = validator
    if role == "anonymous":
        return client
    user = world.users[role]
    if session:
        client.force_login(user)
    else:
        client.as_token(api_token_issue(user=user, name=f"matrix {role}")[1])
    return client


OPERATIONS = sorted(MATRIX)


@pytest.mark.parametrize("method, route", OPERATIONS,
                         ids=[f"{method} {route}" for method, route in OPERATIONS])
def test_authorisation(db, world, schema_validator, method, route):
    """Each role in turn, each in a savepoint rolled back afterwards (one world per
    endpoint): the answer is the expected one, and a refusal changes nothing."""
    from django.core.cache import cache
    from django.db import transaction

    case = MATRIX[(method, route)]
    failures = []
    for role in ROLES:
        savepoint = transaction.savepoint()
        cache.clear()
        try:
            client = client_as(world, role, schema_validator, session=case.session)
            path = case.path(world) if callable(case.path) else case.path
            body = case.body(world) if callable(case.body) else case.body
            before = snapshot()
            kwargs = {"format": "json"} if body is not None and not case.session else {}
            response = getattr(client, method.lower())(path, body, **kwargs)
            expected = case.expected[role]
            if response.status_code != expected:
                failures.append(f"{role}: {response.status_code}, expected {expected}: "
                                f"{response.content[:200]!r}")
            elif expected >= 300 and role not in case.succeeds and snapshot() != before:
                failures.append(f"{role}: refused with {expected} but data changed")
            elif case.invariant is not None and not case.invariant(world, role):
                failures.append(f"{role}: invariant broken")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not failures, f"{method} {route}:\n  " + "\n  ".join(failures)
