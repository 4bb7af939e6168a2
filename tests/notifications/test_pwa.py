"""The installable app, checked as Lighthouse's installability audit does (Lighthouse
itself cannot run here): a manifest with name, short_name, start_url in scope,
display standalone, 192 and 512 px PNG icons (and maskable ones), theme colour; a
service worker controlling the start URL with a fetch handler; and the pages."""

import html
import re

from django.contrib.staticfiles import finders
from PIL import Image

from notifications.models import PushSubscription
from tests.factories import MemberFactory


def test_the_manifest_meets_the_installability_criteria(client, masters):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", manifest["name"])  # Japanese
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", manifest["short_name"])
    assert len(manifest["short_name"]) <= 12
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "ja"
    assert manifest["start_url"].startswith(manifest["scope"]) and manifest["scope"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = {}
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert {"192x192", "512x512"} <= sizes["maskable"]
    assert client.get(manifest["start_url"]).status_code == 200


def test_every_page_links_the_manifest_and_the_worker_script(client, masters):
    html = client.get("/offline/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0017c1">' in html
    assert re.search(r'<script src="/static/js/pwa\.js[^"]*" defer></script>', html)
    assert 'rel="apple-touch-icon"' in html


def test_the_service_worker_is_served_from_the_root_with_a_fetch_handler(client, masters):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    body = response.content.decode()
    assert 'self.addEventListener("fetch"' in body
    assert 'self.addEventListener("push"' in body and "showNotification" in body
    version = re.search(r'"version": "([0-9a-f]{12})"', body).group(1)
    assert version in client.get("/sw.js").content.decode()  # stable between requests
    for url in re.search(r'"shell": \[([^\]]*)\]', body).group(1).split(", "):
        url = url.strip('"')
        if url.startswith("/static/"):  # served by whitenoise / nginx, not the test client
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert client.get(url).status_code == 200, url


def test_the_offline_page_is_neutral_even_when_cached_by_a_member(client, masters):
    member = MemberFactory()
    client.force_login(member.user)
    response = client.get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "オフライン" in html
    assert "/accounts/mypage/" not in html  # rendered as for a signed-out visitor
    assert response["X-Portal-Viewer"] == "anon"


def test_pages_say_who_they_were_made_for(client, masters):
    assert client.get("/offline/")["X-Portal-Viewer"] == "anon"
    first, second = MemberFactory(), MemberFactory()
    client.force_login(first.user)
    mine = client.get("/notifications/")["X-Portal-Viewer"]
    client.force_login(second.user)
    theirs = client.get("/notifications/")["X-Portal-Viewer"]
    assert mine.startswith("u-") and theirs.startswith("u-") and mine != theirs
    assert str(first.user.pk) not in mine.removeprefix("u-")[:2]
    assert "X-Portal-Viewer" not in client.get("/manifest.webmanifest")


def _device(user, name, member=None):
    return PushSubscription.objects.create(
        endpoint=f"https://fcm.googleapis.com/fcm/send/{name}", p256dh="B" + "A" * 86,
        auth="c" * 22, device_label=name, user=user, member=member)


def test_a_member_lists_and_removes_devices(client, masters):
    member = MemberFactory()
    phone = _device(member.user, "Pixel 7 of Hanako", member)
    _device(member.user, "iPad in the kitchen", member)
    other = MemberFactory()
    theirs = _device(other.user, "Taro's Galaxy", other)
    client.force_login(member.user)

    def listed():
        page = client.get("/notifications/").content.decode()
        return {label for label in ("Pixel 7 of Hanako", "iPad in the kitchen", "Taro's Galaxy")
                if html.escape(label) in page}

    assert listed() == {"Pixel 7 of Hanako", "iPad in the kitchen"}
    assert 'href="/notifications/"' in client.get("/accounts/mypage/").content.decode()

    response = client.post(f"/notifications/devices/{theirs.pk}/remove/", follow=True)
    assert response.status_code == 200
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()  # not theirs to remove
    assert "一覧にありません" in response.content.decode()

    client.post(f"/notifications/devices/{phone.pk}/remove/")
    assert listed() == {"iPad in the kitchen"}  # gone from the member's list
    client.post("/notifications/devices/remove-all/")
    assert listed() == set()
    assert list(PushSubscription.objects.values_list("device_label", flat=True)) == [
        "Taro's Galaxy"]


def test_signed_out_visitors_see_general_news_only_and_cannot_remove(client, masters):
    member = MemberFactory()
    device = _device(member.user, "phone", member)
    page = client.get("/notifications/").content.decode()
    assert "data-push-settings" in page and 'data-signed-in="false"' in page
    response = client.post(f"/notifications/devices/{device.pk}/remove/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.post("/notifications/devices/remove-all/")
    assert PushSubscription.objects.filter(pk=device.pk).exists()
    assert client.get(f"/notifications/devices/{device.pk}/remove/").status_code == 405


def test_registering_links_the_signed_in_user_and_refuses_bad_input(client, masters, settings):
    member = MemberFactory()
    client.force_login(member.user)
    good = {"endpoint": "https://fcm.googleapis.com/fcm/send/x1",
            "keys": {"p256dh": "B" + "A" * 86, "auth": "c" * 22}, "device_label": "スマホ"}
    response = client.post("/api/v1/push/subscriptions", good, content_type="application/json")
    assert response.status_code == 201, response.content
    assert PushSubscription.objects.get().user == member.user

    for body in ('{"endpoint": ', '{"endpoint": "https://fcm.googleapis.com/x"}',
                 '{"endpoint": "http://fcm.googleapis.com/x", "keys": {"p256dh": "B", "auth": "c"}}',
                 '[1, 2]'):
        response = client.post("/api/v1/push/subscriptions", body,
                               content_type="application/json")
        assert response.status_code == 400, body
        assert response["Content-Type"].startswith("application/problem+json")
    local = dict(good, endpoint="http://127.0.0.1:9/push/x")
    response = client.post("/api/v1/push/subscriptions", local, content_type="application/json")
    assert response.status_code == 400  # a local address is no push service…
    settings.PUSH_ENDPOINT_EXTRA_ORIGINS = ["http://127.0.0.1:9"]
    response = client.post("/api/v1/push/subscriptions", local, content_type="application/json")
    assert response.status_code == 201  # …unless a test's fake is allowed explicitly
    assert PushSubscription.objects.count() == 2
