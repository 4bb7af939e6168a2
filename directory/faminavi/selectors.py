"""Reads for the public ふぁみなび articles."""

from django.db.models import QuerySet

from directory.faminavi.models import Article
from directory.masters.models import Area, Genre


def article_list(
    *,
    area_code: str | None = None,
    municipality_code: str | None = None,
    genre_code: str | None = None,
) -> QuerySet[Article]:
    """Published articles, most recently updated first, with their areas and genres."""
    articles = Article.objects.public()
    if area_code:
        # Area codes are unique, so the join adds at most one row per article.
        articles = articles.filter(areas__code=area_code)
    if municipality_code:
        articles = articles.filter(municipality__code=municipality_code)
    if genre_code:
        articles = articles.filter(genres__code=genre_code)
    return articles.select_related("municipality").prefetch_related("areas", "genres")


def article_get_public(*, pk: int) -> Article | None:
    return (
        Article.objects.public()
        .select_related("municipality", "image")
        .prefetch_related("areas", "genres")
        .filter(pk=pk)
        .first()
    )


def article_area_choices() -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in Area.objects.active()]


def article_genre_choices() -> list[tuple[str, str]]:
    return [
        (genre.code, genre.name)
        for genre in Genre.objects.active().filter(for_articles=True)
    ]
