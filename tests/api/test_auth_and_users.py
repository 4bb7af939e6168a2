"""Login with tokens, sign-up, profile, member search, favourites, shop accounts."""

import re

from django.core import mail
from django.test import override_settings

from api.models import ApiToken
from directory.accounts.models import SignupRequest, User
from directory.accounts.tokens import token_generate
from directory.members.models import Favourite, Member
from directory.shops.models import Owner, ShopAccountRequest
from operations.models import AuditEvent
from tests.api.conftest import ValidatingClient, client_for, token_for
from tests.factories import MemberFactory, ShopFactory, UserFactory

PASSWORD = "correct-horse-battery"


def login(api, email, password=PASSWORD, **extra):
    return api.post("/api/v1/auth/token", {"email": email, "password": password, **extra},
                    format="json")


# --- tokens -----------------------------------------------------------------------------------


def test_login_issues_a_hashed_expiring_token(api, member):
    response = login(api, member.user.email, name="iPhone")
    assert response.status_code == 201, response.content
    data = response.json()
    raw = data["token"]
    assert raw.startswith("pp_") and data["token_type"] == "Bearer"
    assert data["roles"] == ["member"]
    row = ApiToken.objects.get(pk=data["id"])
    assert row.token_hash != raw and raw not in row.token_hash and len(row.token_hash) == 64
    assert 29 <= (row.expires_at - row.created_at).days <= 30
    me = api.as_token(raw).get("/api/v1/users/me")
    assert me.status_code == 200
    assert me.json()["member_number"] == member.member_number
    assert AuditEvent.objects.filter(action="login", user=member.user).exists()


def test_wrong_password_is_400_and_says_nothing_more(api, member):
    response = login(api, member.user.email, "wrong-password")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    unknown = login(api, "nobody@example.jp", "wrong-password")
    assert unknown.json()["detail"] == response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_login_lockout_is_shared_with_the_web_form(api, client, member, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 100, "LOGIN_LOCKOUT_ATTEMPTS": 3}
    for _ in range(3):
        assert login(api, member.user.email, "wrong-password").status_code == 400
    response = login(api, member.user.email)  # even the right password now
    assert response.status_code == 429
    assert response.json()["code"] == "login_blocked"
    assert int(response["Retry-After"]) > 0
    # The web login form sees the same lockout.
    web = client.post("/accounts/login/", {"email": member.user.email, "password": PASSWORD})
    assert web.status_code == 429


def test_login_is_limited_per_ip(api, masters, settings):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 2, "LOGIN_LOCKOUT_ATTEMPTS": 50}
    for index in range(2):
        login(api, f"x{index}@example.jp", "wrong-password")
    response = login(api, "other@example.jp", "wrong-password")
    assert response.status_code == 429 and response["Retry-After"]


def test_staff_need_their_second_factor(api, secretariat_user, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    response = login(api, secretariat_user.email)
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert not ApiToken.objects.exists()


@override_settings(STAFF_TWO_FACTOR_REQUIRED=True)
def test_staff_with_totp_get_a_token(api, secretariat_user):
    from staffauth import totp
    from staffauth.models import StaffTOTPDevice

    secret = totp.secret_generate()
    StaffTOTPDevice.objects.create(user=secretariat_user, secret=secret, last_step=0)
    assert login(api, secretariat_user.email, otp="000000").status_code == 403
    code = totp.totp(secret)
    response = login(api, secretariat_user.email, otp=code)
    assert response.status_code == 201, response.content
    assert "secretariat" in response.json()["roles"]


def test_tokens_are_listed_and_revocable(api, member):
    first = login(api, member.user.email, name="phone").json()
    second = login(api, member.user.email, name="tablet").json()
    client = api.as_token(second["token"])
    listing = client.get("/api/v1/auth/tokens").json()["results"]
    assert [row["name"] for row in listing] == ["tablet", "phone"]
    assert [row["current"] for row in listing] == [True, False]
    assert "token" not in listing[0]
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}").status_code == 204
    assert api.as_token(first["token"]).get("/api/v1/users/me").status_code == 401
    # Log out: the current token.
    assert api.as_token(second["token"]).delete("/api/v1/auth/token").status_code == 204
    response = api.as_token(second["token"]).get("/api/v1/users/me")
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_nobody_revokes_someone_elses_token(api, member):
    other = MemberFactory()
    victim = ApiToken.objects.get(pk=login(api, other.user.email).json()["id"])
    client = api.as_token(token_for(member.user))
    assert client.delete(f"/api/v1/auth/tokens/{victim.pk}").status_code == 404
    victim.refresh_from_db()
    assert victim.revoked_at is None


def test_session_requests_need_csrf(member, schema_validator):
    client = ValidatingClient(enforce_csrf_checks=True)
    client.validator = schema_validator
    client.force_login(member.user)
    assert client.get("/api/v1/users/me").status_code == 200
    response = client.patch("/api/v1/users/me", {"family_name": "京都"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Member.objects.get(pk=member.pk).family_name == "大阪"


def test_staff_session_without_second_factor_is_not_signed_in_on_the_api(
        api, secretariat_user, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    api.force_login(secretariat_user)
    response = api.get("/api/v1/users")  # validated against the schema like every response
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_shop_user_login(api, owner, member):
    response = api.post("/api/v1/shop-users/token",
                        {"email": owner.user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 201
    assert "shop_owner" in response.json()["roles"]
    response = api.post("/api/v1/shop-users/token",
                        {"email": member.user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 403


# --- sign-up and profile --------------------------------------------------------------------


def _link_token(email):
    raw, hashed = token_generate()
    SignupRequest.objects.filter(email=email).update(token_hash=hashed)
    return raw


def test_member_sign_up_through_the_api(api, masters):
    response = api.post("/api/v1/users/signup", {"email": "new@example.jp",
                                                 "agree_terms": True}, format="json")
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    raw = re.search(r"/accounts/signup/confirm/([A-Za-z0-9_-]+)/", mail.outbox[0].body).group(1)
    body = {"token": raw, "password": "a-long-secret-phrase", "family_name": "大阪",
            "given_name": "太郎", "municipality": "271004", "child_birth_dates": ["2022-04-01"],
            "preferred_genres": [], "notify_by_push": True}
    response = api.post("/api/v1/users/signup/complete", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "new@example.jp"
    assert [child["birth_date"] for child in data["children"]] == ["2022-04-01"]
    assert {card["programme"] for card in data["cards"]} >= {"maido"}
    again = api.post("/api/v1/users/signup/complete", body, format="json")
    assert again.status_code == 410 and again.json()["code"] == "link_used"


def test_signup_for_a_registered_address_looks_the_same(api, member):
    response = api.post("/api/v1/users/signup", {"email": member.user.email,
                                                 "agree_terms": True}, format="json")
    assert response.status_code == 202
    assert not SignupRequest.objects.exists()


def test_signup_requires_terms_and_a_valid_address(api, masters):
    response = api.post("/api/v1/users/signup", {"email": "x", "agree_terms": False},
                        format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"email", "agree_terms"}


def test_signup_complete_validates_like_the_web_form(api, masters):
    SignupRequest.objects.create(email="p@example.jp", token_hash="0" * 64)
    raw = _link_token("p@example.jp")
    body = {"token": raw, "password": "short", "family_name": "大阪", "given_name": "花子",
            "municipality": "271004", "child_birth_dates": ["2999-01-01"],
            "family_name_kana": "OSAKA"}
    response = api.post("/api/v1/users/signup/complete", body, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"child_birth_dates[0]", "family_name_kana"} <= fields
    body.update(child_birth_dates=["2020-01-01"], family_name_kana="おおさか")
    response = api.post("/api/v1/users/signup/complete", body, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"password"}
    assert not User.objects.filter(email="p@example.jp").exists()


def test_profile_patch_keeps_the_rest(api, member):
    client = api.as_token(token_for(member.user))
    response = client.patch("/api/v1/users/me", {"given_name": "次郎",
                                                 "child_birth_dates": ["2021-05-05"]},
                            format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["family_name"], data["given_name"]) == ("大阪", "次郎")
    assert data["municipality"]["code"] == "271004"
    response = client.patch("/api/v1/users/me", {"municipality": "999999"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "municipality"
    response = client.patch("/api/v1/users/me", {"member_number": "1"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_field"


def test_profile_is_for_members_only(schema_validator, owner):
    client = client_for(schema_validator, owner.user)
    assert client.get("/api/v1/users/me").status_code == 403


# --- the secretariat's member search ---------------------------------------------------------


def test_member_search_is_for_the_secretariat_and_audited(schema_validator, secretariat_user,
                                                          member, auditor_user):
    client = client_for(schema_validator, secretariat_user)
    response = client.get("/api/v1/users", {"q": member.member_number})
    assert response.status_code == 200
    assert [row["member_number"] for row in response.json()["results"]] == [member.member_number]
    event = AuditEvent.objects.get(action="personal_data_view")
    assert event.user == secretariat_user and event.detail["ids"] == [member.pk]
    for user in (member.user, auditor_user):
        assert client_for(schema_validator, user).get("/api/v1/users").status_code == 403


# --- favourites -----------------------------------------------------------------------------


def test_favourites_add_list_remove(api, member):
    shop = ShopFactory()
    client = api.as_token(token_for(member.user))
    assert client.put(f"/api/v1/users/me/favourites/{shop.pk}").json() == {
        "shop_id": shop.pk, "favourite": True}
    assert client.put(f"/api/v1/users/me/favourites/{shop.pk}").status_code == 200  # idempotent
    listing = client.get("/api/v1/users/me/favourites").json()["results"]
    assert [row["shop"]["id"] for row in listing] == [shop.pk]
    assert client.delete(f"/api/v1/users/me/favourites/{shop.pk}").status_code == 204
    assert not Favourite.objects.exists()
    hidden = ShopFactory(live=False)
    assert client.put(f"/api/v1/users/me/favourites/{hidden.pk}").status_code == 404
    assert client.put("/api/v1/users/me/favourites/999999").status_code == 404


# --- shop accounts --------------------------------------------------------------------------


def test_shop_account_sign_up(api, masters):
    response = api.post("/api/v1/shop-users/signup", {"email": "shop@example.jp",
                                                      "agree_terms": True}, format="json")
    assert response.status_code == 202
    request = ShopAccountRequest.objects.get()
    raw, hashed = token_generate()
    ShopAccountRequest.objects.filter(pk=request.pk).update(token_hash=hashed)
    response = api.post("/api/v1/shop-users/signup/complete",
                        {"token": raw, "password": "short", "name": ""}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"name"}
    response = api.post("/api/v1/shop-users/signup/complete",
                        {"token": raw, "password": "a-long-secret-phrase", "name": "店主 太郎",
                         "phone": "06-6941-0351"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "shop@example.jp"
    owner = Owner.objects.get(user__email="shop@example.jp")
    assert owner.user.groups.filter(name="協賛店オーナー").exists()


def test_shop_user_search_and_me(schema_validator, secretariat_user, owner):
    client = client_for(schema_validator, secretariat_user)
    response = client.get("/api/v1/shop-users", {"q": owner.user.email})
    assert [row["id"] for row in response.json()["results"]] == [owner.pk]
    me = client_for(schema_validator, owner.user).get("/api/v1/shop-users/me")
    assert me.json()["email"] == owner.user.email
    member = MemberFactory()
    assert client_for(schema_validator, member.user).get("/api/v1/shop-users").status_code == 403
    assert client_for(schema_validator, owner.user).get("/api/v1/shop-users").status_code == 403


def test_user_factory_password(masters):
    assert UserFactory().check_password(PASSWORD)
