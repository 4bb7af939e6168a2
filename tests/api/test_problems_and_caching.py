"""The shared layers of the API: problem+json errors, body limits, caching, the docs."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from api.models import ApiToken
from tests.api.conftest import token_for
from tests.factories import ShopBenefitFactory, ShopFactory

PROBLEM = "application/problem+json"


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:passport-portal:problem:{code}"
    assert body["title"] and body["detail"]
    assert body["instance"] == response.wsgi_request.path
    return body


def test_unknown_path_under_api_is_problem_404(api):
    body = assert_problem(api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert "errors" not in body
    assert_problem(api.get("/api/nothing/here/"), 404, "not_found")
    assert_problem(api.get("/api/v1/events/%F3%95%AF%92%0A"), 404, "not_found")


def test_trailing_slash_is_redirected_to_the_endpoint(api, masters):
    response = api.get("/api/v1/shops/?keyword=x")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/shops?keyword=x"
    assert api.get("/api/v1/nothing/").status_code == 404


def test_unknown_object_is_problem_404(api, masters):
    assert_problem(api.get("/api/v1/shops/999999"), 404, "not_found")


def test_unpublished_shop_is_404(api, masters):
    shop = ShopFactory(live=False)
    assert_problem(api.get(f"/api/v1/shops/{shop.pk}"), 404, "not_found")


def test_method_not_allowed_is_problem_405(api, masters):
    response = api.delete("/api/v1/shops")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_validation_errors_name_the_field(api, masters):
    response = api.get("/api/v1/shops", {"page_size": "-1", "page": "abc", "lat": "nan",
                                         "lng": "135"})
    body = assert_problem(response, 400, "validation_error")
    fields = {error["field"]: error["code"] for error in body["errors"]}
    assert fields["page_size"] == "min_value"
    assert fields["page"] == "invalid"
    assert fields["lat"] in ("not_finite", "invalid")


@pytest.mark.parametrize("params, field", [
    ({"page_size": "101"}, "page_size"),
    ({"page_size": "99999999999999999999"}, "page_size"),
    ({"page": "0"}, "page"),
    ({"genre": "no-such-genre"}, "genre"),
    ({"programme": "unknown"}, "programme"),
    ({"municipality": "999999"}, "municipality"),
    ({"lat": "34.6"}, "lng"),
    ({"radius": "1000", "lat": "34.6", "lng": "135.5"}, "radius"),
    ({"keyword": "x" * 101}, "keyword"),
    ({"colour": "red"}, "colour"),
])
def test_bad_search_parameters_are_400_naming_the_field(api, masters, params, field):
    body = assert_problem(api.get("/api/v1/shops", params), 400, "validation_error")
    assert field in {error["field"] for error in body["errors"]}


def test_unknown_query_parameter_is_refused(api, masters):
    body = assert_problem(api.get("/api/v1/events", {"sort": "x"}), 400, "validation_error")
    assert body["errors"] == [{"field": "sort", "code": "unknown_field",
                               "detail": body["errors"][0]["detail"]}]


@pytest.mark.parametrize("url", ["/api/v1/events?order=", "/api/v1/shops?genre=",
                                 "/api/v1/news?category=", "/api/v1/shops?programme=&keyword="])
def test_empty_query_values_are_refused(api, masters, url):
    body = assert_problem(api.get(url), 400, "validation_error")
    assert body["errors"][0]["code"] == "blank"


def test_an_empty_keyword_is_allowed(api, masters):
    assert api.get("/api/v1/shops?keyword=").status_code == 200


def test_unknown_enum_value_is_400(api, masters):
    body = assert_problem(api.get("/api/v1/events", {"order": "random"}), 400,
                          "validation_error")
    assert body["errors"][0]["field"] == "order"
    assert body["errors"][0]["code"] == "invalid_choice"


def test_invalid_json_is_problem_400(api, masters):
    response = api.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert_problem(response, 400, "parse_error")


def test_json_nan_is_refused(api, masters):
    response = api.post("/api/v1/auth/token", data='{"email": NaN}',
                        content_type="application/json")
    assert_problem(response, 400, "parse_error")


def test_non_json_body_is_problem_415(api, masters):
    response = api.post("/api/v1/auth/token", data="email=a", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")


def test_body_over_one_megabyte_is_problem_413(api, masters):
    big = '{"email": "' + "a" * (1024 * 1024) + '"}'
    response = api.post("/api/v1/auth/token", data=big, content_type="application/json")
    assert_problem(response, 413, "request_too_large")


@override_settings(API_MAX_BODY_BYTES=100)
def test_body_limit_also_applies_without_content_length(api, masters, rf):
    from api.parsers import LimitedJSONParser
    from api.problems import RequestTooLarge

    class Stream:
        def __init__(self):
            self.data = b'{"a": "' + b"x" * 500 + b'"}'

        def read(self, size):
            chunk, self.data = self.data[:size], self.data[size:]
            return chunk

    with pytest.raises(RequestTooLarge):
        LimitedJSONParser().parse(Stream())


def test_bad_token_is_401_with_bearer_challenge(api, masters):
    response = api.as_token("pp_nonsense").get("/api/v1/users/me")
    assert_problem(response, 401, "token_invalid")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_on_protected_endpoint_is_401(api, masters):
    response = api.get("/api/v1/users/me")
    assert_problem(response, 401, "not_authenticated")


def test_expired_and_revoked_tokens_are_refused(api, member):
    raw = token_for(member.user)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_problem(api.as_token(raw).get("/api/v1/users/me"), 401, "token_expired")
    raw = token_for(member.user)
    ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
        revoked_at=timezone.now())
    assert_problem(api.as_token(raw).get("/api/v1/users/me"), 401, "token_revoked")


def test_a_bad_token_is_refused_even_on_public_endpoints(api, masters):
    assert_problem(api.as_token("pp_x").get("/api/v1/shops"), 401, "token_invalid")


@override_settings(API_THROTTLE_RATES={"ip": "3/minute", "token": "100/minute"})
def test_ip_throttle_is_429_with_retry_after(api, masters):
    for _ in range(3):
        assert api.get("/api/v1/news").status_code == 200
    response = api.get("/api/v1/news")
    assert_problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60


@override_settings(API_THROTTLE_RATES={"ip": "100/minute", "token": "2/minute"})
def test_token_throttle_counts_per_token(api, member):
    client = api.as_token(token_for(member.user))
    assert client.get("/api/v1/news").status_code == 200
    assert client.get("/api/v1/news").status_code == 200
    assert_problem(client.get("/api/v1/news"), 429, "throttled")
    # Another token of another user is counted apart.
    other = token_for(member.user.__class__.objects.create_user("other@example.jp", "x" * 12))
    assert api.as_token(other).get("/api/v1/news").status_code == 200


def test_public_reads_have_etag_and_answer_304(api, masters):
    ShopBenefitFactory()
    response = api.get("/api/v1/shops")
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and response["Cache-Control"].startswith("public, max-age=")
    again = api.get("/api/v1/shops", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert api.get("/api/v1/shops", HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("kind", ["events", "faminavi", "news"])
def test_content_reads_have_etag_and_answer_304(api, masters, kind):
    from cms_pages.models import NewsPage
    from tests.factories import ArticleFactory, EventFactory

    if kind == "events":
        item = EventFactory(title="ETagのイベント")
    elif kind == "faminavi":
        item = ArticleFactory(title="ETagの記事")
    else:
        item = NewsPage.objects.live().first()
    for url in (f"/api/v1/{kind}", f"/api/v1/{kind}/{item.pk}"):
        response = api.get(url)
        assert response.status_code == 200, url
        etag = response["ETag"]
        assert etag.startswith('"') and response["Cache-Control"].startswith("public, max-age=")
        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
        assert api.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # a change gives a new ETag: the old one no longer matches
    item.title = item.title + "（更新）"
    item.save()
    url = f"/api/v1/{kind}/{item.pk}"
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_private_responses_are_not_stored(api, member):
    response = api.as_token(token_for(member.user)).get("/api/v1/users/me")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


def test_errors_are_not_cached(api, masters):
    assert api.get("/api/v1/shops/0")["Cache-Control"] == "no-store"


def test_openapi_schema_is_served_and_valid(api):
    from drf_spectacular.validation import validate_schema

    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json") or \
        response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_docs_page_uses_local_assets_only(api):
    response = api.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = api.get("/api/v1/docs?script=")
    assert script.status_code == 200
    assert "/api/v1/openapi.json" in script.content.decode()


def test_server_errors_are_problem_500(api, masters, monkeypatch):
    from api import shops

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(shops.selectors, "shop_get_public", explode)
    api.raise_request_exception = False
    api.validator = None  # 500 is deliberately not in the schema (schemathesis counts it)
    response = api.get("/api/v1/shops/1")
    assert_problem(response, 500, "server_error")
    assert "boom" not in response.content.decode()


def test_maintenance_is_problem_503(api, masters, settings):
    settings.MAINTENANCE_MODE = True
    response = api.get("/api/v1/shops")
    assert_problem(response, 503, "maintenance")
    assert response["Retry-After"]


@pytest.mark.parametrize("body, field", [
    ({"email": 123, "password": "x"}, "email"),
    ({"email": "a@example.jp", "password": ["x"]}, "password"),
    ({"email": "a@example.jp", "password": "x", "name": {"a": 1}}, "name"),
    ({"email": "a@example.jp", "password": None}, "password"),
    ({"email": "a@example.jp"}, "password"),
    ({"email": "a@example.jp", "password": "x", "extra": True}, "extra"),
])
def test_wrong_types_and_missing_fields_name_the_field(api, masters, body, field):
    body_json = api.post("/api/v1/auth/token", body, format="json")
    problem = assert_problem(body_json, 400, "validation_error")
    assert field in {error["field"] for error in problem["errors"]}


def test_a_body_that_is_not_an_object_is_400(api, masters):
    for body in ("[]", '"text"', "1", "null"):
        response = api.post("/api/v1/auth/token", data=body, content_type="application/json")
        assert response.status_code == 400, body


def test_json_types_are_strict_in_nested_lists(api, member):
    client = api.as_token(token_for(member.user))
    response = client.patch("/api/v1/users/me", {"notify_by_push": "yes",
                                                 "preferred_genres": ["cafe", 5]},
                            format="json")
    problem = assert_problem(response, 400, "validation_error")
    fields = {error["field"]: error["code"] for error in problem["errors"]}
    assert fields == {"notify_by_push": "invalid_type", "preferred_genres[1]": "invalid_type"}
