"""Reads for the public ふぁみなび articles. Each article appears once, in the language
asked for (default: the active one) with the Japanese original as the fallback
(directory.i18n.localized)."""

from django.db.models import QuerySet, prefetch_related_objects

from directory.faminavi.models import Article
from directory.i18n import localized, localized_get
from directory.masters.models import Area, Genre


def article_list(
    *,
    area_code: str | None = None,
    municipality_code: str | None = None,
    genre_code: str | None = None,
    language: str | None = None,
    prefetch: bool = True,
) -> QuerySet[Article]:
    """Published articles, most recently updated first, with their areas and genres
    (``prefetch=False``: without them; see article_cards_prefetch)."""
    articles = Article.objects.public()
    if area_code:
        # Area codes are unique, so the join adds at most one row per article.
        articles = articles.filter(areas__code=area_code)
    if municipality_code:
        articles = articles.filter(municipality__code=municipality_code)
    if genre_code:
        articles = articles.filter(genres__code=genre_code)
    articles = articles.select_related("municipality", "locale")
    if prefetch:
        articles = articles.prefetch_related("areas", "genres")
    return localized(articles, language=language)


def article_cards_prefetch(articles: list[Article]) -> None:
    """What a list card shows besides the article row: its areas and genres."""
    prefetch_related_objects(articles, "areas", "genres")


def article_get_public(*, pk: int, language: str | None = None) -> Article | None:
    """One published article (``pk`` of any of its translations) in ``language`` if
    published, else the Japanese one; or None."""
    return localized_get(
        Article.objects.public().select_related("municipality", "image", "locale")
        .prefetch_related("areas", "genres"),
        pk=pk, language=language)


def article_area_choices() -> list[tuple[str, str]]:
    return [(area.code, area.display_name) for area in Area.objects.active()]


def article_genre_choices() -> list[tuple[str, str]]:
    return [
        (genre.code, genre.display_name)
        for genre in Genre.objects.active().filter(for_articles=True)
    ]
