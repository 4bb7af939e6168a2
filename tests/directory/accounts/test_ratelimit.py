"""Abuse limits: the cache-based counters and the 429 answers of the public forms."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from directory.accounts import ratelimit

pytestmark = pytest.mark.django_db


# --- the building blocks ------------------------------------------------------------------


def test_a_counter_allows_the_limit_then_refuses_with_the_time_left():
    results = [ratelimit.rate_limit_hit(scope="t", key="k", limit=3, window=60)
               for _ in range(4)]

    assert [r.allowed for r in results] == [True, True, True, False]
    assert [r.count for r in results] == [1, 2, 3, 4]
    assert 0 < results[-1].retry_after <= 60


def test_keys_and_scopes_are_counted_apart():
    for _ in range(3):
        ratelimit.rate_limit_hit(scope="a", key="k", limit=3, window=60)

    assert ratelimit.rate_limit_hit(scope="a", key="other", limit=3, window=60).allowed
    assert ratelimit.rate_limit_hit(scope="b", key="k", limit=3, window=60).allowed
    assert not ratelimit.rate_limit_peek(scope="a", key="k", limit=3, window=60).allowed


def test_reset_forgets_a_key():
    for _ in range(5):
        ratelimit.rate_limit_hit(scope="a", key="k", limit=3, window=60)

    ratelimit.rate_limit_reset(scope="a", key="k")

    assert ratelimit.rate_limit_peek(scope="a", key="k", limit=3, window=60).allowed


def test_cache_keys_hold_no_address():
    ratelimit.rate_limit_hit(scope="login-account", key="hanako@example.jp", limit=3, window=60)

    keys = list(cache._cache.keys())  # LocMemCache
    assert keys and all("hanako" not in key for key in keys)


def test_the_client_ip_is_remote_addr_and_forwarded_headers_are_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1",
                                   HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert ratelimit.client_ip(request) == "192.0.2.1"


def test_the_limits_are_settings(settings, client):
    settings.PORTAL = {**settings.PORTAL, "RATE_LIMIT_PER_IP": 2, "RATE_LIMIT_WINDOW_SECONDS": 60}

    codes = [client.post(reverse("accounts:signup"), {"email": f"u{n}@example.jp"}).status_code
             for n in range(3)]

    assert codes == [200, 200, 429]
    assert ratelimit.ip_limit_settings() == (2, 60)


# --- the public forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "data"), [
    ("/accounts/signup/", {"email": "{n}@example.jp", "agree_terms": "on"}),
    ("/accounts/signup/resend/", {"email": "{n}@example.jp"}),
    ("/accounts/password-reset/", {"email": "{n}@example.jp"}),
])
def test_each_form_takes_five_posts_per_ip_in_five_minutes(client, url, data):
    for n in range(5):
        response = client.post(url, {k: v.format(n=n) for k, v in data.items()},
                               REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 302, response.content.decode()[:500]

    refused = client.post(url, {k: v.format(n=99) for k, v in data.items()},
                          REMOTE_ADDR="203.0.113.5")
    elsewhere = client.post(url, {k: v.format(n=98) for k, v in data.items()},
                            REMOTE_ADDR="203.0.113.6")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 300
    html = refused.content.decode()
    assert html.count("<h1") == 1 and "試行回数が多すぎます" in html
    assert "5分ほど待ってから" in html
    assert elsewhere.status_code == 302


def test_pages_are_still_shown_to_a_limited_ip(client):
    for n in range(6):
        client.post("/accounts/signup/", {"email": f"{n}@example.jp", "agree_terms": "on"})

    assert client.get("/accounts/signup/").status_code == 200


def test_one_address_gets_at_most_five_sign_up_mails_whatever_the_ip(client):
    for n in range(5):
        client.post("/accounts/signup/", {"email": "target@example.jp", "agree_terms": "on"},
                    REMOTE_ADDR=f"203.0.113.{n}")

    response = client.post("/accounts/signup/", {"email": "target@example.jp",
                                                 "agree_terms": "on"},
                           REMOTE_ADDR="203.0.113.200")

    assert response.status_code == 429
    assert len(mail.outbox) == 5
