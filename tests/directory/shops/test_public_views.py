"""The public shop search and detail pages, through the HTTP interface."""

import re

import pytest

from directory.masters.models import Facility, Genre, Programme
from directory.shops.models import Shop
from tests.factories import ShopBenefitFactory, ShopFactory

pytestmark = pytest.mark.django_db


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def make_shop(**kwargs):
    """A published shop with a benefit and a genre, its search text rebuilt."""
    genres = kwargs.pop("genres", None)
    shop = ShopFactory(**kwargs)
    ShopBenefitFactory(shop=shop)
    if genres:
        shop.genres.set(genres)
    shop.save()  # rebuild search_text with the benefit
    return shop


@pytest.fixture
def mimi(osaka_city):
    return make_shop(name="カフェ・ミミ", name_kana="かふぇみみ",
                     genres=[Genre.objects.get(code="cafe")])


def test_list_renders_in_japanese(client, masters):
    response = client.get("/shops/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert h1_count(html) == 1
    assert "協賛店をさがす" in html
    assert '<main id="main"' in html
    assert 'href="#main"' in html


def test_list_form_has_labels_and_grouped_municipalities(client, masters):
    html = client.get("/shops/").content.decode()
    for field in ("keyword", "area", "municipality", "programme", "benefit_type"):
        assert f'<label class="p-form__label" for="id_{field}">' in html
    # Genres (several may be chosen) are checkboxes in a fieldset named by its legend.
    assert '<legend class="p-form__label">ジャンル</legend>' in html
    assert 'type="checkbox" name="genre" value="cafe"' in html
    assert '<label class="p-check__label" for="id_genre_1">カフェ・喫茶</label>' in html
    assert '<optgroup label="大阪市">' in html
    assert '<optgroup label="泉南">' in html
    assert 'value="271004"' in html
    assert "まいど子でもカード" in html


@pytest.mark.parametrize("keyword", ["ｶﾌｪ", "かふぇ", "カフェ", "カフェ みみ", "カフェ・ミミ", "ｶﾌｪ･ﾐﾐ"])
def test_keyword_search_folds_kana(client, mimi, keyword):
    other = make_shop(name="本屋さん")
    response = client.get("/shops/", {"keyword": keyword})
    assert response.status_code == 200
    html = response.content.decode()
    assert "カフェ・ミミ" in html
    assert f'href="/shops/{mimi.pk}/"' in html
    assert f'href="/shops/{other.pk}/"' not in html
    assert "1件" in html


def test_keyword_terms_are_anded(client, mimi):
    response = client.get("/shops/", {"keyword": "カフェ 本屋"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "カフェ・ミミ" not in html
    assert "0件" in html
    assert "見つかりませんでした" in html
    assert "つづり" in html  # the spelling suggestion
    assert "条件をすべて解除する" not in html  # no select filter to remove


def test_keyword_matches_benefit_text(client, mimi):
    html = client.get("/shops/", {"keyword": "5%引き"}).content.decode()
    assert "カフェ・ミミ" in html


def test_filters(client, mimi, sakai_city):
    in_sakai = make_shop(name="堺の店", municipality=sakai_city)
    html = client.get("/shops/", {"municipality": "271403"}).content.decode()
    assert "堺の店" in html and "カフェ・ミミ" not in html
    html = client.get("/shops/", {"genre": "cafe"}).content.decode()
    assert "カフェ・ミミ" in html and "堺の店" not in html
    html = client.get("/shops/", {"programme": "maido"}).content.decode()
    assert "カフェ・ミミ" in html and "堺の店" in html
    html = client.get("/shops/", {"programme": "enjoy"}).content.decode()
    assert "カフェ・ミミ" not in html
    assert "0件" in html
    assert "条件をすべて解除する" in html  # the fewer-filters suggestion with a reset link
    assert in_sakai.pk


def test_list_shows_address_and_benefit_titles(client, mimi):
    html = client.get("/shops/").content.decode()
    assert "大阪市 中央区大手前2丁目" in html
    assert "お会計から5%引き" in html


def test_non_live_shop_is_not_listed(client, mimi):
    make_shop(name="下書きの店", live=False)
    html = client.get("/shops/").content.decode()
    assert "下書きの店" not in html


@pytest.mark.parametrize("page", ["-1", "abc", "0", "999999", "1.5", ""])
def test_bad_page_numbers_do_not_fail(client, mimi, page):
    response = client.get("/shops/", {"page": page})
    assert response.status_code == 200
    assert "カフェ・ミミ" in response.content.decode()


def test_huge_keyword_is_a_client_error(client, mimi):
    # The keyword is bounded (100 characters, as the input's maxlength says): a
    # 10,200-character one is answered with a Japanese message, not searched.
    response = client.get("/shops/", {"keyword": "カフェ" * 3400})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'maxlength="100"' in html
    assert "キーワードは100文字以内で入力してください（現在10200文字です）。" in html


def test_keyword_with_sql_wildcards_is_literal(client, mimi):
    response = client.get("/shops/", {"keyword": "%_"})
    assert response.status_code == 200
    assert "カフェ・ミミ" not in response.content.decode()


def test_null_character_is_a_client_error(client, mimi):
    response = client.get("/shops/", {"keyword": "カフェ\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize("params", [
    {"municipality": "999999"},
    {"municipality": "'; drop table"},
    {"programme": "nope"},
    {"genre": "parenting"},  # a faminavi-only genre is not a shop genre
])
def test_unknown_codes_answer_400_with_a_japanese_message(client, mimi, params):
    response = client.get("/shops/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "検索条件をご確認ください" in html
    assert "正しく選択してください" in html  # Django's invalid-choice message in Japanese
    assert 'aria-invalid="true"' in html
    assert h1_count(html) == 1


def test_pagination_keeps_the_query(client, osaka_city):
    for index in range(45):
        ShopFactory(name=f"パン屋{index}")
    response = client.get("/shops/", {"keyword": "パン", "page": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "45件" in html
    assert 'aria-current="page"' in html
    assert "?keyword=%E3%83%91%E3%83%B3&amp;page=3" in html
    assert html.count('class="p-card"') == 20
    last = client.get("/shops/", {"keyword": "パン", "page": "999"}).content.decode()
    assert last.count('class="p-card"') == 5


def directory_queries(client, url, params=None) -> list[str]:
    """The queries of the shop directory itself (shops and masters tables, and the
    search's SET LOCAL), not those of the site frame base.html adds (site settings,
    menus), which other parts of the portal own. The page is requested once first,
    so settings created on first use are not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries
            if re.search(r'"(shops|masters)_', query["sql"]) or query["sql"].startswith("SET ")]


def test_list_query_count_is_bounded(client, osaka_city):
    genres = list(Genre.objects.filter(for_shops=True)[:3])
    for index in range(30):
        shop = ShopFactory(name=f"協賛店{index}")
        ShopBenefitFactory(shop=shop)
        ShopBenefitFactory(shop=shop, programme=Programme.objects.get(code="enjoy"),
                           title="記念品プレゼント")
        shop.genres.set(genres)
        shop.save()
    # Masters for the form (5), count, page, benefits, genres, facilities (the list
    # shows facility names), and on PostgreSQL one SET LOCAL (see selectors._serial_plans).
    assert len(directory_queries(client, "/shops/")) <= 11
    html = client.get("/shops/").content.decode()
    assert html.count('class="p-card"') == 20
    assert "記念品プレゼント" in html
    params = {"keyword": "協賛店", "programme": "enjoy", "genre": genres[0].code}
    assert len(directory_queries(client, "/shops/", params)) <= 11


def test_detail_shows_everything(client, mimi):
    mimi.opening_hours = "10:00〜18:00"
    mimi.regular_holidays = "水曜日"
    mimi.url = "https://example.jp/mimi/very-long-path-that-must-wrap-on-small-screens"
    mimi.facilities.set([Facility.objects.get(code="nursing-room")])
    mimi.save()
    response = client.get(f"/shops/{mimi.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert h1_count(html) == 1
    assert "<h1" in html and "カフェ・ミミ</h1>" in html
    assert "かふぇみみ" in html
    assert "〒540-8570" in html
    assert 'href="tel:0669410351"' in html
    assert "10:00〜18:00" in html
    assert "水曜日" in html
    assert 'href="https://example.jp/mimi/very-long-path-that-must-wrap-on-small-screens"' in html
    assert "まいど子でもカード" in html
    assert "お会計から5%引き" in html
    assert "カフェ・喫茶" in html
    assert "授乳スペース" in html
    assert "特典" in html


def test_detail_of_non_live_shop_is_404(client, osaka_city):
    draft = ShopFactory(live=False)
    response = client.get(f"/shops/{draft.pk}/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_detail_of_missing_shop_is_404(client, masters):
    assert client.get("/shops/987654/").status_code == 404


def test_detail_shows_chain_head_and_bounded_branches(client, osaka_city):
    head = ShopFactory(name="チェーン本部", is_chain_head=True)
    branches = [ShopFactory(name=f"チェーン支店{index}", parent=head) for index in range(25)]
    ShopFactory(name="休止中の支店", parent=head, live=False)
    # shop, benefits, genres, facilities, images, branches, branch count
    assert len(directory_queries(client, f"/shops/{branches[0].pk}/")) <= 8
    response = client.get(f"/shops/{branches[0].pk}/")
    html = response.content.decode()
    assert f'href="/shops/{head.pk}/"' in html
    assert "チェーン本部" in html
    assert "休止中の支店" not in html
    # the other 24 published branches, bounded to 10 links, the total and a chain search
    assert len(re.findall(r'<a href="/shops/\d+/">チェーン支店', html)) == 10
    assert f'href="/shops/?chain={head.pk}"' in html
    assert f'<a href="/shops/{branches[0].pk}/">' not in html
    assert "同じチェーンのほかの店舗は全24件です。" in html
    head_html = client.get(f"/shops/{head.pk}/").content.decode()
    assert "チェーン支店0" in head_html


def test_preview_template_renders_an_unsaved_shop(rf, osaka_city):
    from django.contrib.auth.models import AnonymousUser

    shop = Shop(name="プレビューの店", postcode="540-8570", municipality=osaka_city,
                address="中央区大手前2丁目", phone="06-6941-0351")
    request = rf.get("/admin/snippets/shops/shop/preview/")
    request.user = AnonymousUser()
    response = shop.serve_preview(request, "")
    response.render()
    html = response.content.decode()
    assert response.status_code == 200
    assert "プレビューの店" in html
    assert "プレビュー" in html
    assert 'name="robots" content="noindex"' in html
