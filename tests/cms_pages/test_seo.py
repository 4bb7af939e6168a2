"""Search engines and sharing: sitemaps, robots.txt, canonical URLs, Open Graph, JSON-LD."""

import json
import re

import pytest

from cms_pages.seo import json_ld_script
from tests.cms_pages.conftest import demo_page
from tests.factories import ArticleFactory, EventFactory, ShopFactory

pytestmark = pytest.mark.django_db


def locs(xml):
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def json_ld(html):
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def test_sitemap_index_lists_the_four_sections(client, masters):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert locs(response.content.decode()) == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-shops.xml",
        "http://testserver/sitemap-events.xml",
        "http://testserver/sitemap-faminavi.xml",
    ]


def test_page_sitemap_has_live_pages_only(client, masters):
    demo_page("privacy").unpublish()
    urls = locs(client.get("/sitemap-pages.xml").content.decode())
    assert "http://testserver/" in urls
    for path in ["/news/", "/news/site-renewal/", "/faq/", "/maido/", "/enjoy/", "/contact/",
                 "/accessibility/"]:
        assert f"http://testserver{path}" in urls
    assert "http://testserver/privacy/" not in urls


def test_shop_event_and_article_sitemaps_have_live_records_only(client, masters):
    live_shop, draft_shop = ShopFactory(), ShopFactory(live=False)
    live_event, draft_event = EventFactory(), EventFactory(live=False)
    live_article, draft_article = ArticleFactory(), ArticleFactory(live=False)
    shops = client.get("/sitemap-shops.xml").content.decode()
    assert f"http://testserver/shops/{live_shop.pk}/" in locs(shops)
    assert f"/shops/{draft_shop.pk}/" not in shops
    assert "<lastmod>" in shops
    events = locs(client.get("/sitemap-events.xml").content.decode())
    assert f"http://testserver/events/{live_event.pk}/" in events
    assert f"http://testserver/events/{draft_event.pk}/" not in events
    articles = locs(client.get("/sitemap-faminavi.xml").content.decode())
    assert f"http://testserver/faminavi/{live_article.pk}/" in articles
    assert f"http://testserver/faminavi/{draft_article.pk}/" not in articles


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-members.xml").status_code == 404


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /preview/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_canonical_and_open_graph_on_wagtail_pages(client, masters):
    html = client.get("/news/site-renewal/?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/news/site-renewal/">' in html
    assert '<meta property="og:title" content="ポータルサイトをリニューアルしました">' in html
    assert '<meta property="og:url" content="http://testserver/news/site-renewal/">' in html
    assert '<meta property="og:description" content="会員登録からカードの表示' in html
    assert '<meta property="og:locale" content="ja_JP">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_canonical_keeps_only_the_page_number(client, masters):
    html = client.get("/shops/?keyword=x&page=2").content.decode()
    assert '<link rel="canonical" href="http://testserver/shops/?page=2">' in html
    html = client.get("/shops/?keyword=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/shops/">' in html


def test_open_graph_on_a_shop_page(client, masters):
    shop = ShopFactory(name="共有される店", comment="駅前のお店です。")
    html = client.get(f"/shops/{shop.pk}/").content.decode()
    assert '<meta property="og:title" content="共有される店">' in html
    assert '<meta property="og:description" content="駅前のお店です。">' in html


def test_organization_json_ld_on_home(client, masters):
    from wagtail.models import Site

    from cms_pages.models import PortalSettings

    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.phone = "06-6941-0351"
    settings.save()
    data = json_ld(client.get("/").content.decode())
    organization = next(item for item in data if item["@type"] == "Organization")
    assert organization["name"] == "大阪府子育て・結婚応援パスポート"
    assert organization["url"] == "http://testserver/"
    assert organization["contactPoint"]["telephone"] == "06-6941-0351"
    assert organization["sameAs"] == ["https://www.instagram.com/maidokodemo_card/"]


def test_event_json_ld_on_the_event_page(client, masters):
    event = EventFactory(title="親子で工作", venue="府民センター", organiser="大阪府")
    data = json_ld(client.get(f"/events/{event.pk}/").content.decode())
    item = next(item for item in data if item["@type"] == "Event")
    assert item["name"] == "親子で工作"
    assert item["startDate"] == event.starts_on.isoformat()
    assert item["endDate"] == event.ends_on.isoformat()
    assert item["location"]["name"] == "府民センター"
    assert item["location"]["address"]["addressRegion"] == "大阪府"
    assert item["location"]["address"]["addressLocality"] == "大阪市"
    assert item["organizer"]["name"] == "大阪府"
    assert item["url"] == f"http://testserver/events/{event.pk}/"


def test_json_ld_cannot_break_out_of_its_script():
    html = json_ld_script({"name": "</script><script>alert(1)</script>"})
    assert "</script><script>" not in html
    assert json.loads(re.search(r">(.*)</script>$", html).group(1))["name"].startswith("</script>")


def test_open_graph_description_of_rich_text_intro_has_no_markup(client, masters):
    html = client.get("/faq/").content.decode()
    assert '<meta property="og:description" content="会員登録、カード、協賛店など' in html
    assert "og:description\" content=\"&lt;p" not in html
