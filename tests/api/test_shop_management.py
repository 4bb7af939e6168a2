"""The shop side and the approval through the API, on Wagtail's drafts and workflow."""

import pytest
from wagtail.models import Revision, WorkflowState

from directory.shops.models import OwnerShop, Shop
from tests.api.conftest import client_for
from tests.factories import OwnerFactory, owner_with_shop

PROBLEM = "application/problem+json"


def shop_body(**overrides):
    body = {
        "name": "API商店", "name_kana": "えーぴーあいしょうてん", "postcode": "540-8570",
        "municipality": "271004", "address": "中央区大手前2丁目", "phone": "06-6941-0351",
        "latitude": 34.6863, "longitude": 135.52, "genres": [], "facilities": [],
        "benefits": [{"programme": "maido", "title": "5%引き", "detail": "カード提示で"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def owner_client(schema_validator, owner):
    return client_for(schema_validator, owner.user)


@pytest.fixture
def secretariat_client(schema_validator, secretariat_user):
    return client_for(schema_validator, secretariat_user)


def test_owner_applies_submits_and_secretariat_approves(owner_client, secretariat_client, owner,
                                                        api):
    response = owner_client.post("/api/v1/manage/shops", shop_body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    shop_id = data["id"]
    assert data["live"] is False
    assert data["moderation"]["status"] == "not_live"
    assert data["content"]["name"] == "API商店"
    assert OwnerShop.objects.filter(owner=owner, shop_id=shop_id).exists()
    assert api.get(f"/api/v1/shops/{shop_id}").status_code == 404

    drafts = owner_client.get("/api/v1/manage/shops/drafts").json()
    assert [row["id"] for row in drafts["results"]] == [shop_id]

    response = owner_client.post(f"/api/v1/manage/shops/{shop_id}/submission")
    assert response.status_code == 200, response.content
    assert response.json()["moderation"]["status"] == "in_moderation"
    assert response.json()["moderation"]["workflow"] == "協賛店承認"

    # Awaiting approval: the owner cannot change it; both see it in the queue.
    locked = owner_client.put(f"/api/v1/manage/shops/{shop_id}/draft", shop_body(name="変更"),
                              format="json")
    assert locked.status_code == 409
    assert locked.json()["code"] == "locked"
    for client in (owner_client, secretariat_client):
        pending = client.get("/api/v1/manage/shops/pending").json()
        assert [row["id"] for row in pending["results"]] == [shop_id]

    response = secretariat_client.post(f"/api/v1/manage/shops/{shop_id}/approval",
                                       {"action": "approve"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["live"] is True
    assert response.json()["moderation"]["status"] == "live"
    assert api.get(f"/api/v1/shops/{shop_id}").json()["name"] == "API商店"
    assert WorkflowState.objects.get(object_id=str(shop_id)).status == "approved"


def test_edit_of_a_live_shop_waits_for_approval(schema_validator, secretariat_client, api):
    owner, shop = owner_with_shop()
    client = client_for(schema_validator, owner.user)
    body = shop_body(name="新しい名前")
    response = client.put(f"/api/v1/manage/shops/{shop.pk}/draft", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["moderation"]["status"] == "draft"
    assert response.json()["content"]["name"] == "新しい名前"
    shop.refresh_from_db()
    assert shop.name != "新しい名前"  # the published listing is unchanged
    assert api.get(f"/api/v1/shops/{shop.pk}").json()["name"] == shop.name

    # Submit; the secretariat requests changes (a comment is required).
    assert client.post(f"/api/v1/manage/shops/{shop.pk}/submission").status_code == 200
    url = f"/api/v1/manage/shops/{shop.pk}/approval"
    response = secretariat_client.post(url, {"action": "reject"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "comment"
    response = secretariat_client.post(url, {"action": "reject", "comment": "住所を確認"},
                                       format="json")
    assert response.status_code == 200
    moderation = response.json()["moderation"]
    assert moderation["status"] == "needs_changes"
    assert moderation["comment"] == "住所を確認"
    # The owner fixes it and submits again (the workflow resumes).
    response = client.put(f"/api/v1/manage/shops/{shop.pk}/draft",
                          {**body, "address": "中央区大手前3丁目", "submit": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["moderation"]["status"] == "in_moderation"
    assert secretariat_client.post(url, {"action": "approve", "comment": "OK"},
                                   format="json").status_code == 200
    shop.refresh_from_db()
    assert (shop.name, shop.address) == ("新しい名前", "中央区大手前3丁目")


def test_secretariat_updates_and_publishes_directly(secretariat_client, shop, api):
    response = secretariat_client.put(f"/api/v1/manage/shops/{shop.pk}",
                                      shop_body(name="事務局が更新"), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["moderation"]["status"] == "live"
    assert api.get(f"/api/v1/shops/{shop.pk}").json()["name"] == "事務局が更新"


def test_secretariat_creates_and_publishes(secretariat_client, api):
    response = secretariat_client.post("/api/v1/manage/shops", shop_body(publish=True),
                                       format="json")
    assert response.status_code == 201, response.content
    assert response.json()["live"] is True
    assert api.get(f"/api/v1/shops/{response.json()['id']}").status_code == 200


def test_owner_may_not_publish_or_approve(owner_client, owner):
    response = owner_client.post("/api/v1/manage/shops", shop_body(publish=True), format="json")
    assert response.status_code == 403
    _owner, shop = owner_with_shop()
    OwnerShop.objects.create(owner=owner, shop=shop)
    assert owner_client.put(f"/api/v1/manage/shops/{shop.pk}", shop_body(),
                            format="json").status_code == 403
    assert owner_client.post(f"/api/v1/manage/shops/{shop.pk}/approval",
                             {"action": "approve"}, format="json").status_code == 403
    assert not Shop.objects.filter(name="API商店").exists()


def test_other_owners_shop_is_404_and_unchanged(owner_client):
    _other, shop = owner_with_shop()
    revisions = Revision.objects.count()
    for method, url, body in [
        ("get", f"/api/v1/manage/shops/{shop.pk}", None),
        ("put", f"/api/v1/manage/shops/{shop.pk}/draft", shop_body()),
        ("post", f"/api/v1/manage/shops/{shop.pk}/submission", None),
    ]:
        response = getattr(owner_client, method)(url, body, format="json")
        assert response.status_code == 404, (url, response.content)
    assert Revision.objects.count() == revisions
    assert owner_client.get("/api/v1/manage/shops/drafts").json()["results"] == []


@pytest.mark.parametrize("overrides, field", [
    ({"postcode": "abc"}, "postcode"),
    ({"phone": "not a phone"}, "phone"),
    ({"genres": ["no-such-genre"]}, "genres"),
    ({"municipality": "999999"}, "municipality"),
    ({"benefits": []}, "benefits"),
    ({"benefits": [{"programme": "maido", "title": "a"}, {"programme": "maido", "title": "b"}]},
     "benefits[1].programme"),
    ({"benefits": [{"programme": "maido", "title": "a", "extra": 1}]}, "benefits[0].extra"),
    ({"latitude": 34.6, "longitude": None}, None),
    ({"latitude": 100}, "latitude"),
    ({"name": 123}, "name"),
    ({"nationwide_mutual_use": "yes"}, "nationwide_mutual_use"),
    ({"benefits": [{"programme": "maido", "title": 5}]}, "benefits[0].title"),
    ({"name": ["list"]}, "name"),
    ({"colour": "red"}, "colour"),
    ({"chain_head_id": 999999}, "chain_head_id"),
])
def test_bad_shop_input_is_400_and_nothing_is_saved(owner_client, overrides, field):
    shops, revisions = Shop.objects.count(), Revision.objects.count()
    response = owner_client.post("/api/v1/manage/shops", shop_body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    errors = response.json()["errors"]
    if field:
        assert field in {error["field"] for error in errors}, errors
    assert (Shop.objects.count(), Revision.objects.count()) == (shops, revisions)


def test_member_and_anonymous_are_refused(schema_validator, member, shop, api):
    client = client_for(schema_validator, member.user)
    assert client.post("/api/v1/manage/shops", shop_body(), format="json").status_code == 403
    assert client.get("/api/v1/manage/shops/drafts").status_code == 403
    assert api.get("/api/v1/manage/shops/drafts").status_code == 401
    assert api.post(f"/api/v1/manage/shops/{shop.pk}/approval", {"action": "approve"},
                    format="json").status_code == 401


def test_approval_of_a_shop_not_awaiting_it_is_409(secretariat_client, shop):
    response = secretariat_client.post(f"/api/v1/manage/shops/{shop.pk}/approval",
                                       {"action": "approve"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "workflow_state"


def test_chain_branch_application(owner_client, owner):
    head = OwnerFactory()  # noqa: F841 - another owner's chain head is not choosable unless live
    response = owner_client.post("/api/v1/manage/shops", shop_body(is_chain_head=True),
                                 format="json")
    head_id = response.json()["id"]
    response = owner_client.post("/api/v1/manage/shops", shop_body(chain_head_id=head_id),
                                 format="json")
    assert response.status_code == 201, response.content
    assert response.json()["content"]["chain_head_id"] == head_id
