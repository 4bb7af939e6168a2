"""Rendered list items (shop result cards, event and ふぁみなび cards) kept in the shared
cache per version of the object they show (issue 20).

A list page renders the same cards over and over: a shop appears in many searches, an
event in every page of the list. Each card is rendered once per version — the object's
``updated_at`` (publishing saves the row, and with it its benefits, genres…), the
masters' version (names of genres, programmes, municipalities), the language and the
template — and then read back in one ``get_many`` for the whole page. Only the cards
not in the cache need what their rendering reads (``prepare``: the prefetches), so a
warm page costs neither those queries nor the template work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from directory.masters.cache import masters_cache

logger = logging.getLogger(__name__)

# Unused versions drop out on their own; a week keeps the long tail warm.
FRAGMENT_SECONDS = 7 * 24 * 3600
# Bump when a card template changes in a way the keys would not see.
FRAGMENT_FORMAT = 1


def _stamp(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def cached_fragments(
    items: Sequence,
    template_name: str,
    *,
    name: str,
    version: Callable[[object], Iterable] = lambda item: (item.pk, item.updated_at),
    prepare: Callable[[list], None] | None = None,
    context: Callable[[object], dict] | None = None,
) -> list[SafeString]:
    """Each item rendered through ``template_name`` with ``{name: item}``, in order;
    from the cache when this version of it was rendered before."""
    if not items:
        return []
    template = get_template(template_name)
    try:
        shared = f"frag{FRAGMENT_FORMAT}:{template_name}:{get_language()}:{masters_cache.version()}"
    except Exception:  # the shared cache is down: render everything, cache nothing
        logger.warning("fragments: the shared cache is unavailable", exc_info=True)
        if prepare:
            prepare(list(items))
        return [mark_safe(template.render(context(item) if context else {name: item}))  # noqa: S308
                for item in items]
    keys = [shared + ":" + ":".join(_stamp(part) for part in version(item)) for item in items]
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("fragments: could not read the shared cache", exc_info=True)
        found = {}
    missing = [item for item, key in zip(items, keys, strict=True) if key not in found]
    if missing:
        if prepare:
            prepare(missing)
        rendered = {}
        for item, key in zip(items, keys, strict=True):
            if key not in found and key not in rendered:
                # Rendered by Django's template engine (autoescaped): safe HTML.
                rendered[key] = template.render(context(item) if context else {name: item})
        try:
            cache.set_many(rendered, FRAGMENT_SECONDS)
        except Exception:
            logger.warning("fragments: could not write the shared cache", exc_info=True)
        found.update(rendered)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - rendered above, escaped
