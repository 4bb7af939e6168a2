"""Site settings (validation, maintenance notice, contact details) and analytics
only with consent."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Site

from cms_pages import consent
from cms_pages.models import PortalSettings

pytestmark = pytest.mark.django_db

GA4 = "G-TEST1234"
GTM = "GTM-ABC1234"
ANALYTICS_HOSTS = ("googletagmanager.com", "google-analytics.com")


@pytest.fixture
def portal_settings(db):
    return PortalSettings.for_site(Site.objects.get(is_default_site=True))


@pytest.fixture
def with_ids(portal_settings):
    portal_settings.ga4_measurement_id = GA4
    portal_settings.gtm_container_id = GTM
    portal_settings.save()
    return portal_settings


# --- Settings ------------------------------------------------------------------------


def test_defaults(portal_settings):
    assert portal_settings.instagram_account == "maidokodemo_card"
    assert portal_settings.instagram_url == "https://www.instagram.com/maidokodemo_card/"
    assert not portal_settings.analytics_configured
    assert portal_settings.display_site_name == "大阪府子育て・結婚応援パスポート"


@pytest.mark.parametrize("field, value", [
    ("ga4_measurement_id", "UA-1234567-1"),
    ("ga4_measurement_id", "G-"),
    ("ga4_measurement_id", "g-abc1234"),
    ("ga4_measurement_id", "G-ABC 123"),
    ("gtm_container_id", "GTM"),
    ("gtm_container_id", "G-ABC1234"),
    ("gtm_container_id", "GTM-abc<script>"),
    ("instagram_account", "@maido"),
    ("phone", "abc"),
])
def test_invalid_values_are_refused_with_a_japanese_message(portal_settings, field, value):
    setattr(portal_settings, field, value)
    with pytest.raises(ValidationError) as error:
        portal_settings.full_clean()
    assert field in error.value.message_dict
    assert any("入力" in message for message in error.value.message_dict[field])


def test_valid_ids_pass(portal_settings):
    portal_settings.ga4_measurement_id = "G-ABC123XYZ9"
    portal_settings.gtm_container_id = "GTM-AB12CD3"
    portal_settings.full_clean()


def test_maintenance_notice_needs_text(portal_settings):
    portal_settings.maintenance_enabled = True
    with pytest.raises(ValidationError) as error:
        portal_settings.full_clean()
    assert "maintenance_message" in error.value.message_dict


def test_maintenance_banner_on_every_page_when_on(client, masters, portal_settings):
    portal_settings.maintenance_enabled = True
    portal_settings.maintenance_message = "1月5日 2:00〜4:00 はメンテナンスのため利用できません。"
    portal_settings.save()
    for path in ("/", "/news/", "/shops/", "/consent/"):
        html = client.get(path).content.decode()
        assert "メンテナンスのお知らせ</h2>" in html, path
        assert "2:00〜4:00 はメンテナンスのため" in html
    portal_settings.maintenance_enabled = False
    portal_settings.save()
    assert "メンテナンスのお知らせ</h2>" not in client.get("/").content.decode()


def test_footer_shows_contact_details_and_social_links(client, masters, portal_settings):
    portal_settings.phone = "06-6941-0351"
    portal_settings.email = "info@example.jp"
    portal_settings.hours = "平日 9:00〜17:30"
    portal_settings.x_account = "osaka_pass"
    portal_settings.save()
    html = client.get("/").content.decode()
    assert 'href="tel:0669410351">06-6941-0351</a>' in html
    assert 'href="mailto:info@example.jp"' in html
    assert "平日 9:00〜17:30" in html
    assert 'href="https://www.instagram.com/maidokodemo_card/"' in html
    assert 'href="https://x.com/osaka_pass"' in html


def test_site_name_setting_used_for_sharing(client, masters, portal_settings):
    portal_settings.site_name = "まいどパスポート"
    portal_settings.save()
    html = client.get("/").content.decode()
    assert '<meta property="og:site_name" content="まいどパスポート">' in html


# --- Consent -------------------------------------------------------------------------


def analytics_in(html):
    return any(host in html for host in ANALYTICS_HOSTS)


def test_without_ids_no_banner_and_no_tags(client, masters):
    html = client.get("/").content.decode()
    assert 'class="p-consent"' not in html
    assert not analytics_in(html)
    client.cookies[consent.COOKIE_NAME] = consent.GRANTED
    assert not analytics_in(client.get("/").content.decode())


def test_with_ids_but_no_choice_banner_and_no_tags(client, masters, with_ids):
    html = client.get("/").content.decode()
    assert '<section class="p-consent" aria-labelledby="p-consent-title">' in html
    assert "アクセス解析への同意のお願い</h2>" in html
    assert 'name="consent" value="granted">同意する</button>' in html
    assert 'name="consent" value="denied">同意しない</button>' in html
    assert not analytics_in(html)


def test_agreeing_sets_the_cookie_and_loads_the_tags_with_the_nonce(client, masters, with_ids):
    response = client.post("/consent/", {"consent": "granted", "next": "/news/"})
    assert response.status_code == 302
    assert response["Location"] == "/news/"
    cookie = response.cookies[consent.COOKIE_NAME]
    assert cookie.value == "granted"
    assert cookie["max-age"] == consent.COOKIE_MAX_AGE
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    response = client.get("/news/")
    html = response.content.decode()
    assert 'class="p-consent"' not in html
    assert f'src="https://www.googletagmanager.com/gtag/js?id={GA4}"' in html
    assert f"gtag('config','{GA4}')" in html
    assert "https://www.googletagmanager.com/gtm.js?id=" in html and GTM in html
    nonce = response.wsgi_request.csp_nonce
    assert f'data-analytics="ga4" async src="https://www.googletagmanager.com/gtag/js?id={GA4}" nonce="{nonce}"' in html
    assert f'<script data-analytics="gtm" nonce="{nonce}">' in html


def test_declining_loads_nothing_and_removes_analytics_cookies(client, masters, with_ids):
    client.cookies["_ga"] = "GA1.1.123"
    client.cookies["_ga_TEST1234"] = "GS1.1"
    response = client.post("/consent/", {"consent": "denied", "next": "/"})
    assert response.cookies[consent.COOKIE_NAME].value == "denied"
    assert response.cookies["_ga"]["max-age"] == 0
    assert response.cookies["_ga_TEST1234"]["max-age"] == 0
    html = client.get("/").content.decode()
    assert 'class="p-consent"' not in html
    assert not analytics_in(html)


def test_choice_can_be_changed_from_the_footer_page(client, masters, with_ids):
    client.post("/consent/", {"consent": "granted"})
    html = client.get("/").content.decode()
    assert 'href="/consent/">アクセス解析の設定</a>' in html
    page = client.get("/consent/")
    assert "アクセス解析に同意しています。" in page.content.decode()
    assert page["X-Robots-Tag"].startswith("noindex")
    response = client.post("/consent/", {"consent": "denied"})
    assert response["Location"] == "/consent/?saved=1"
    html = client.get("/consent/?saved=1").content.decode()
    assert "設定を保存しました。" in html
    assert "アクセス解析に同意していません。" in html
    assert not analytics_in(client.get("/").content.decode())


def test_consent_page_does_not_repeat_the_banner(client, masters, with_ids):
    html = client.get("/consent/").content.decode()
    assert 'class="p-consent"' not in html
    assert "まだ選んでいません" in html


def test_bad_input_to_the_consent_form(client, masters, with_ids):
    response = client.post("/consent/", {"consent": "maybe"})
    assert response.status_code == 400
    assert "「同意する」か「同意しない」を選んでください。" in response.content.decode()
    assert consent.COOKIE_NAME not in response.cookies
    # An off-site "next" is not followed.
    response = client.post("/consent/", {"consent": "granted", "next": "https://evil.example/"})
    assert response["Location"] == "/consent/?saved=1"


def test_an_unreadable_cookie_counts_as_no_choice(client, masters, with_ids):
    client.cookies[consent.COOKIE_NAME] = "yes please"
    html = client.get("/").content.decode()
    assert 'class="p-consent"' in html
    assert not analytics_in(html)


def test_only_ga4_or_only_gtm(client, masters, portal_settings):
    portal_settings.ga4_measurement_id = GA4
    portal_settings.save()
    client.cookies[consent.COOKIE_NAME] = consent.GRANTED
    html = client.get("/").content.decode()
    assert "gtag/js" in html and "gtm.js" not in html
    portal_settings.ga4_measurement_id = ""
    portal_settings.gtm_container_id = GTM
    portal_settings.save()
    html = client.get("/").content.decode()
    assert "gtag/js" not in html and "gtm.js" in html
    assert 'title="Google Tag Manager"' in html  # the noscript frame has a title


def test_consent_state_helper(rf):
    request = rf.get("/")
    assert consent.consent_state(request) is None
    request.COOKIES[consent.COOKIE_NAME] = "denied"
    assert consent.consent_state(request) == "denied"
    with pytest.raises(ValueError):
        consent.consent_store(None, request, "maybe")
