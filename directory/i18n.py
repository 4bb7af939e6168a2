"""Translated events and ふぁみなび articles (wagtail-localize snippets): which row the
public sees.

A translation is another row of the same model with the same ``translation_key`` in
another locale (Japanese is the default, English the second language). Every public
list, count, search and detail goes through ``localized`` (or ``localized_get``), so
that each event or article appears once:

- in Japanese (the default), the Japanese rows only;
- in English, the live English translation where there is one, else the Japanese
  original (the fallback, as for pages, cms_pages/i18n.py).

A translation is shown only while its Japanese original is published too: withdrawing
the original withdraws the event in every language. Translations keep the original's
municipality, dates, shop and genres (wagtail-localize synchronises them), so the
filters of a list select the same events in either language.

Everything stays one query (two ``EXISTS`` subqueries), whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import translation

# Not copied into a translation (TranslatableMixin.copy_for_translation honours
# ``exclude_fields_in_copy``): the legacy system's id is unique and belongs to the
# original; a translation starts unlocked, with its own publishing history.
COPY_EXCLUDED_FIELDS = [
    "legacy_id",
    "locked", "locked_at", "locked_by",
    "live_revision", "first_published_at", "last_published_at",
]


def content_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def content_language(language: str | None = None) -> str:
    """``language`` (default: the active one) as one of LANGUAGES, else the default."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    codes = content_languages()
    if language in codes:
        return language
    base = language.split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


def localized(queryset: QuerySet, *, language: str | None = None) -> QuerySet:
    """One row per translation_key of ``queryset``, in ``language`` (default: the
    active language) with the Japanese row as the fallback. ``queryset`` says which
    rows may be shown (usually ``.public()``, live ones) and keeps its filters,
    ordering, select_related and prefetch_related."""
    language = content_language(language)
    default = settings.LANGUAGE_CODE
    if language == default:
        return queryset.filter(locale__language_code=default)
    manager = queryset.model._default_manager
    live_translation = manager.filter(translation_key=OuterRef("translation_key"),
                                      locale__language_code=language, live=True)
    live_original = manager.filter(translation_key=OuterRef("translation_key"),
                                   locale__language_code=default, live=True)
    return queryset.filter(
        Q(locale__language_code=language, live=True) & Exists(live_original)
        | Q(locale__language_code=default) & ~Exists(live_translation)
    )


def localized_get(queryset: QuerySet, *, pk, language: str | None = None) -> Model | None:
    """The row of ``queryset`` to show for the event or article ``pk`` (the id of
    any of its translations) in ``language``, or None."""
    manager = queryset.model._default_manager
    same_key = manager.filter(pk=pk).values("translation_key")[:1]
    return localized(queryset.filter(translation_key=Subquery(same_key)),
                     language=language).first()


def localized_instances(objects: Iterable[Model], queryset: QuerySet, *,
                        language: str | None = None) -> list[Model]:
    """``objects`` (chosen rows, e.g. an editor's featured events) replaced by the rows
    to show in ``language``, in the same order; those ``queryset`` does not allow (not
    live) are left out. One query."""
    objects = list(objects)
    keys = [obj.translation_key for obj in objects]
    if not keys:
        return []
    shown = {row.translation_key: row
             for row in localized(queryset.filter(translation_key__in=keys), language=language)}
    return [shown[key] for key in keys if key in shown]
