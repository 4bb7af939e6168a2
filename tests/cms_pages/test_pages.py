"""The page types: the demo tree from the migrations, each page's rendering,
the blocks' validation and the news-published hook."""

import datetime
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.blocks import StreamBlockValidationError
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from cms_pages.blocks import BodyStreamBlock
from cms_pages.models import (
    ContactPage,
    FaqPage,
    HomePage,
    HomePageFeaturedEvent,
    HomePageFeaturedShop,
    NewsIndexPage,
    NewsPage,
    ProgrammePage,
    StandardPage,
)
from tests.cms_pages.conftest import demo_page
from tests.factories import EventFactory, ShopFactory

pytestmark = pytest.mark.django_db


def h1_count(html):
    return len(re.findall(r"<h1[\s>]", html))


# --- The demo tree -----------------------------------------------------------------


def test_migrations_create_the_demo_tree(home):
    children = {page.slug: page.specific_class for page in home.get_children().live()}
    assert children == {
        "news": NewsIndexPage, "faq": FaqPage, "maido": ProgrammePage, "enjoy": ProgrammePage,
        "contact": ContactPage, "accessibility": StandardPage, "privacy": StandardPage,
        "terms": StandardPage, "shop-terms": StandardPage,  # migration 0012 (issue 19)
    }
    assert NewsPage.objects.live().child_of(demo_page("news")).count() == 3
    assert demo_page("faq").faq_items.count() == 32
    assert [f.clean_name for f in demo_page("contact").form_fields.all()] == [
        "name", "email", "topic", "message"]
    # The tree is consistent for treebeard (numchild, paths).
    assert home.numchild == home.get_children().count()
    assert Page.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize("path", ["/news/", "/news/site-renewal/", "/faq/", "/maido/",
                                  "/enjoy/", "/contact/", "/accessibility/", "/privacy/",
                                  "/terms/", "/shop-terms/"])
def test_every_demo_page_renders_with_one_h1_in_japanese(client, masters, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert h1_count(html) == 1
    assert '<html lang="ja">' in html
    assert '<nav class="p-breadcrumbs"' in html


def test_header_footer_and_home_link_the_editorial_pages(client, masters):
    html = client.get("/").content.decode()
    for href in ["/news/", "/faq/", "/maido/", "/enjoy/", "/contact/", "/accessibility/",
                 "/privacy/", "/consent/"]:
        assert f'href="{href}"' in html, href
    assert "アクセス解析の設定" in html


def test_unpublished_editorial_page_loses_its_footer_link(client, masters):
    demo_page("privacy").unpublish()
    html = client.get("/").content.decode()
    assert 'href="/privacy/"' not in html


# --- Home page ---------------------------------------------------------------------


def test_home_lists_latest_news_and_programme_pages(client, masters):
    html = client.get("/").content.decode()
    assert "ニュース</h2>" in html
    assert 'href="/news/site-renewal/"' in html
    assert 'href="/maido/">まいど子でもカードとは</a>' in html
    assert 'href="/enjoy/">縁ジョイパスとは</a>' in html


def test_home_shows_only_live_featured_shops(client, home, masters):
    live = ShopFactory(name="公開中の店")
    draft = ShopFactory(name="下書きの店", live=False)
    HomePageFeaturedShop.objects.create(page=home, shop=live, sort_order=0)
    HomePageFeaturedShop.objects.create(page=home, shop=draft, sort_order=1)
    html = client.get("/").content.decode()
    assert "おすすめの協賛店" in html
    assert f'href="/shops/{live.pk}/">公開中の店</a>' in html
    assert "下書きの店" not in html


def test_home_has_no_featured_shop_section_without_live_shops(client, home, masters):
    HomePageFeaturedShop.objects.create(page=home, shop=ShopFactory(live=False), sort_order=0)
    assert "おすすめの協賛店" not in client.get("/").content.decode()


def test_home_featured_events_replace_upcoming_ones(client, home, masters):
    today = timezone.localdate()
    upcoming = EventFactory(title="近日のイベント")
    featured = EventFactory(title="おすすめの催し", starts_on=today + datetime.timedelta(days=20),
                            ends_on=today + datetime.timedelta(days=21))
    ended = EventFactory(title="終わった催し", starts_on=today - datetime.timedelta(days=5),
                         ends_on=today - datetime.timedelta(days=4))
    HomePageFeaturedEvent.objects.create(page=home, event=featured, sort_order=0)
    HomePageFeaturedEvent.objects.create(page=home, event=ended, sort_order=1)
    html = client.get("/").content.decode()
    assert "おすすめのイベント</h2>" in html
    assert "おすすめの催し" in html
    assert "終わった催し" not in html
    assert upcoming.title not in html


def test_home_featured_shops_in_a_draft_revision_preview(home, masters, rf):
    shop = ShopFactory(name="プレビューの店")
    home.featured_shops.add(HomePageFeaturedShop(shop=shop))
    revision = home.save_revision()
    draft = revision.as_object()
    assert [s.name for s in draft.live_featured_shops()] == ["プレビューの店"]


# --- News --------------------------------------------------------------------------


def test_news_index_lists_newest_first_and_filters_by_category(client, masters):
    html = client.get("/news/").content.decode()
    titles = re.findall(r'<h2 class="p-news-list__title"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == ["ポータルサイトをリニューアルしました", "協賛店を募集しています",
                      "システムメンテナンスのお知らせ"]
    html = client.get("/news/?category=system").content.decode()
    assert "システムメンテナンスのお知らせ" in html
    assert "協賛店を募集しています" not in html
    assert 'aria-current="page">システム・メンテナンス</a>' in html
    # an unknown category shows everything rather than an empty page
    assert "協賛店を募集しています" in client.get("/news/?category=nope").content.decode()


def test_news_index_paginates(client, masters, news_index):
    for number in range(12):
        news_index.add_child(instance=NewsPage(title=f"追加のお知らせ{number}", slug=f"extra-{number}"))
    html = client.get("/news/").content.decode()
    assert html.count('class="p-news-list__item"') == 10
    assert 'href="?page=2"' in html
    page2 = client.get("/news/?page=2").content.decode()
    assert page2.count('class="p-news-list__item"') == 5
    assert client.get("/news/?page=abc").status_code == 200


def test_news_page_shows_date_category_and_json_ld(client, masters):
    html = client.get("/news/site-renewal/").content.decode()
    assert '<span class="p-tag">お知らせ</span>' in html
    assert '"@type":"NewsArticle"' in html
    assert '<meta property="og:type" content="article">' in html


def test_news_published_hook_is_called_on_publish(news_index):
    page = NewsPage(title="プッシュするお知らせ", slug="push-news", send_push=True, live=False)
    news_index.add_child(instance=page)
    with mock.patch("cms_pages.news.news_published") as hook:
        page.save_revision().publish()
    hook.assert_called_once()
    published = hook.call_args.args[0]
    assert published.pk == page.pk and published.send_push is True


def test_news_published_hook_logs_the_push_intent(news_index, caplog):
    page = NewsPage(title="記録するお知らせ", slug="logged-news", send_push=True, live=False)
    news_index.add_child(instance=page)
    with caplog.at_level("INFO", logger="cms_pages.news"):
        page.save_revision().publish()
    assert any("push requested=True" in record.getMessage() for record in caplog.records)


def test_publishing_another_page_type_does_not_call_the_news_hook(home):
    page = StandardPage(title="ふつうのページ", slug="plain", live=False)
    home.add_child(instance=page)
    with mock.patch("cms_pages.news.news_published") as hook:
        page.save_revision().publish()
    hook.assert_not_called()


# --- FAQ and programme pages -------------------------------------------------------


def test_faq_groups_questions_by_category_in_details(client, masters):
    html = client.get("/faq/").content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    assert main.count("<details") == 32  # (the header's menu is one more, outside main)
    assert html.count('<summary class="p-accordion__summary">') == 32
    categories = re.findall(r'<h2 class="p-heading-2" id="faq-category-\d+"[^>]*>([^<]+)</h2>', html)
    assert categories[:3] == ["会員登録", "対象者", "カード"]
    assert len(categories) == 13
    assert '"@type":"FAQPage"' in html
    assert 'href="/contact/">お問い合わせ</a>' in html


def test_programme_page_describes_eligibility_in_plain_japanese(client, masters):
    html = client.get("/maido/").content.decode()
    assert "18歳未満のお子さまがいるご家庭を応援するカードです。" in html
    assert "対象となる方</h2>" in html
    assert "18歳未満のお子さまがいるご家庭（お子さまが18歳になった後の最初の3月31日まで）" in html
    assert "妊娠中の方（出産予定日を登録した日から）" in html
    assert 'href="/shops/?programme=maido"' in html
    html = client.get("/enjoy/").content.decode()
    assert "結婚して1年以内のご夫婦" in html
    assert "1年以内に結婚を予定しているカップル" in html


def test_programme_page_follows_the_masters(client, masters):
    from directory.masters.models import EligibilityRule

    EligibilityRule.objects.filter(kind="pregnancy").update(enabled=False)
    EligibilityRule.objects.filter(kind="married_within").update(months=24)
    assert "妊娠中の方" not in client.get("/maido/").content.decode()
    assert "結婚して2年以内のご夫婦" in client.get("/enjoy/").content.decode()


def test_programme_page_renders_before_the_masters_are_loaded(client):
    html = client.get("/maido/").content.decode()
    assert "まいど子でもカードとは</h1>" in html
    assert "対象となる方" not in html


# --- Blocks ------------------------------------------------------------------------


@pytest.fixture
def image(db):
    return Image.objects.create(title="カード", file=get_test_image_file())


def clean_body(value):
    block = BodyStreamBlock()
    return block.clean(block.to_python(value))


def test_image_block_requires_alt_text(image):
    with pytest.raises(StreamBlockValidationError) as error:
        clean_body([{"type": "image", "value": {"image": image.pk, "alt_text": "", "caption": ""}}])
    assert "alt_text" in str(error.value.as_json_data())


def test_image_block_refuses_a_file_name_as_alt_text(image):
    with pytest.raises(StreamBlockValidationError):
        clean_body([{"type": "image",
                     "value": {"image": image.pk, "alt_text": "IMG_0001.jpg", "caption": ""}}])


def test_image_block_renders_alt_and_caption(client, home, image, masters):
    page = StandardPage(title="画像のページ", slug="with-image", body=[
        ("image", {"image": image, "alt_text": "ピンクのカードを見せている手", "caption": "カードの見せ方"}),
    ])
    home.add_child(instance=page)
    html = client.get("/with-image/").content.decode()
    assert 'alt="ピンクのカードを見せている手"' in html
    assert '<figcaption class="p-figure__caption">カードの見せ方</figcaption>' in html


TABLE = {
    "data": [["項目", "内容"], ["対象", "18歳未満"]],
    "table_caption": "対象者",
    "table_header_choice": "row",
    "first_row_is_table_header": True,
    "first_col_is_header": False,
    "cell": [],
    "mergeCells": [],
}


def test_table_block_requires_caption_and_headers():
    with pytest.raises(StreamBlockValidationError):
        clean_body([{"type": "table", "value": {**TABLE, "table_caption": ""}}])
    with pytest.raises(StreamBlockValidationError):
        clean_body([{"type": "table", "value": {**TABLE, "table_header_choice": "neither"}}])
    clean_body([{"type": "table", "value": TABLE}])


def test_blocks_render_semantic_html(client, home, masters):
    contact = demo_page("contact")
    page = StandardPage(title="ブロックのページ", slug="blocks", body=[
        ("heading", {"text": "小見出し", "level": "h3"}),
        ("table", TABLE),
        ("accordion", {"items": [{"title": "質問", "content": "<p>回答</p>"}]}),
        ("call_to_action", {"title": "お問い合わせ", "text": "", "link_text": "フォームへ",
                            "page": contact, "url": ""}),
    ])
    home.add_child(instance=page)
    html = client.get("/blocks/").content.decode()
    assert '<h3 class="p-heading-3">小見出し</h3>' in html
    assert "<caption>対象者</caption>" in html
    assert '<th scope="col"' in html
    assert 'role="region" tabindex="0" aria-label="対象者"' in html
    assert '<summary class="p-accordion__summary">質問</summary>' in html
    assert 'href="/contact/">フォームへ</a>' in html


def test_call_to_action_needs_exactly_one_target():
    value = {"title": "t", "text": "", "link_text": "x", "page": None, "url": ""}
    with pytest.raises(StreamBlockValidationError):
        clean_body([{"type": "call_to_action", "value": value}])


def test_video_block_needs_captions_or_transcript_and_titles_the_iframe(client, home, masters):
    value = {"title": "カードの使い方", "video": "https://www.youtube.com/watch?v=abc",
             "captions_url": "", "transcript": ""}
    with pytest.raises(StreamBlockValidationError):
        clean_body([{"type": "video", "value": value}])
    value["transcript"] = "カードを見せます。"
    page = StandardPage(title="動画のページ", slug="video", body=[("video", value)])
    home.add_child(instance=page)
    with mock.patch("wagtail.embeds.blocks.embed_to_frontend_html",
                    return_value='<iframe src="https://www.youtube.com/embed/abc"></iframe>'):
        html = client.get("/video/").content.decode()
    assert '<iframe title="カードの使い方" src="https://www.youtube.com/embed/abc">' in html
    assert "<summary" in html and "書き起こし" in html


# --- Scheduling --------------------------------------------------------------------


def test_expiry_at_or_before_go_live_is_refused_by_the_model(news_index):
    go_live = timezone.now() + datetime.timedelta(days=1)
    page = NewsPage(title="予約", slug="scheduled", go_live_at=go_live, expire_at=go_live)
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert error.value.message_dict["expire_at"] == [
        "公開を終了する日時は、公開する日時より後にしてください。"]
    page.expire_at = go_live - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError):
        page.clean()
    page.expire_at = go_live + datetime.timedelta(hours=1)
    page.clean()


def test_every_page_type_uses_the_scheduling_check():
    for model in (HomePage, StandardPage, NewsIndexPage, NewsPage, FaqPage, ProgrammePage,
                  ContactPage):
        page = model(title="x", slug="x")
        page.go_live_at = page.expire_at = timezone.now() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError):
            page.clean()
