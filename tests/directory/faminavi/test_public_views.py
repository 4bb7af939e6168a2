"""The public ふぁみなび list and detail pages."""

import re

import pytest

from directory.masters.models import Area, Genre, Municipality
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(masters):
    osaka = Area.objects.get(code="osaka-city")
    toyono = Area.objects.get(code="toyono")
    money = Genre.objects.get(code="money")
    parenting = Genre.objects.get(code="parenting")
    return {
        "allowance": ArticleFactory(title="児童手当のご案内", areas=[osaka], genres=[money]),
        "park": ArticleFactory(title="豊能の公園", areas=[toyono], genres=[parenting]),
        "draft": ArticleFactory(title="下書きの記事", live=False),
    }


def test_list(client, articles):
    response = client.get("/faminavi/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "ふぁみなび" in html
    assert "児童手当のご案内" in html and "豊能の公園" in html
    assert "下書きの記事" not in html
    assert "2件" in html
    assert '<label class="p-form__label" for="id_area">' in html


def test_filter_by_area_and_genre(client, articles):
    html = client.get("/faminavi/", {"area": "toyono"}).content.decode()
    assert "豊能の公園" in html and "児童手当のご案内" not in html
    html = client.get("/faminavi/", {"genre": "money"}).content.decode()
    assert "児童手当のご案内" in html and "豊能の公園" not in html
    html = client.get("/faminavi/", {"area": "toyono", "genre": "money"}).content.decode()
    assert "0件" in html


def test_filter_by_municipality(client, masters):
    osaka = Area.objects.get(code="osaka-city")
    ArticleFactory(title="大阪市の子育て支援", areas=[osaka],
                   municipality=Municipality.objects.get(code="271004"))
    ArticleFactory(title="堺市の子育て支援",
                   municipality=Municipality.objects.get(code="271403"))
    ArticleFactory(title="府の子育て支援")  # no municipality: the prefecture's own

    html = client.get("/faminavi/").content.decode()
    assert '<label class="p-form__label" for="id_municipality">' in html
    assert "3件" in html

    html = client.get("/faminavi/", {"municipality": "271403"}).content.decode()
    assert "堺市の子育て支援" in html
    assert "大阪市の子育て支援" not in html and "府の子育て支援" not in html
    assert "1件" in html
    assert '<option value="271403" selected>' in html

    # Combined with the area: Sakai's article is not in the Osaka City area.
    html = client.get("/faminavi/", {"municipality": "271403", "area": "osaka-city"}
                      ).content.decode()
    assert "0件" in html and "堺市の子育て支援" not in html


@pytest.mark.parametrize("params", [{"area": "atlantis"}, {"genre": "restaurant"},
                                    {"municipality": "000000"}, {"municipality": "x" * 500}])
def test_unknown_codes_are_400(client, articles, params):
    response = client.get("/faminavi/", params)
    assert response.status_code == 400
    assert "正しく選択してください" in response.content.decode()


@pytest.mark.parametrize("page", ["-1", "abc", "999999"])
def test_bad_page_numbers(client, articles, page):
    assert client.get("/faminavi/", {"page": page}).status_code == 200


def test_detail_renders_rich_text(client, articles):
    article = articles["allowance"]
    response = client.get(f"/faminavi/{article.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "児童手当のご案内</h1>" in html
    assert "<p>手当や相談窓口をご案内します。</p>" in html
    assert "大阪市" in html
    assert "お金・手当" in html


def test_detail_of_non_live_article_is_404(client, articles):
    assert client.get(f"/faminavi/{articles['draft'].pk}/").status_code == 404


def test_list_query_count_is_bounded(client, masters, django_assert_max_num_queries):
    area = Area.objects.get(code="osaka-city")
    for index in range(30):
        ArticleFactory(title=f"記事{index}", areas=[area])
    with django_assert_max_num_queries(10):
        response = client.get("/faminavi/")
    assert response.content.decode().count('class="p-card"') == 20


def test_preview_template_renders_an_unsaved_article(rf, masters):
    from django.contrib.auth.models import AnonymousUser

    from directory.faminavi.models import Article

    article = Article(title="プレビューの記事", body="<p>本文です</p>")
    request = rf.get("/admin/snippets/faminavi/article/preview/")
    request.user = AnonymousUser()
    response = article.serve_preview(request, "")
    response.render()
    html = response.content.decode()
    assert "プレビューの記事</h1>" in html
    assert "<p>本文です</p>" in html
