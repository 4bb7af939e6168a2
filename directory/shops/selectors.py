"""Reads for the public shop directory (HackSoft style: selectors only read)."""

from django.db.models import Prefetch, QuerySet

from directory.masters.models import Genre, Municipality, Programme
from directory.shops.models import Shop, ShopBenefit
from directory.text import search_terms

# A chain can have hundreds of branches; a detail page lists only this many.
CHAIN_BRANCHES_LIMIT = 20


def _benefits_prefetch() -> Prefetch:
    return Prefetch(
        "benefits",
        queryset=ShopBenefit.objects.select_related("programme").order_by(
            "programme__sort_order", "programme__legacy_group", "sort_order", "pk"
        ),
    )


def shop_search(
    *,
    keyword: str = "",
    municipality_code: str | None = None,
    programme_code: str | None = None,
    genre_code: str | None = None,
) -> QuerySet[Shop]:
    """Published shops matching every keyword term and the given filters.

    Each term is folded by `directory.text.search_terms` exactly as the stored
    `search_text` is, so ｶﾌｪ, かふぇ and カフェ find the same shops. The result
    carries its municipality, benefits (with programme) and genres, so a page of
    results renders in a fixed number of queries.
    """
    shops = Shop.objects.public()
    for term in search_terms(keyword):
        shops = shops.filter(search_text__contains=term)
    if municipality_code:
        shops = shops.filter(municipality__code=municipality_code)
    if programme_code:
        # One benefit per shop and programme, so this join cannot duplicate rows.
        shops = shops.filter(benefits__programme__code=programme_code)
    if genre_code:
        # Genre codes are unique, so this join cannot duplicate rows either.
        shops = shops.filter(genres__code=genre_code)
    return shops.select_related("municipality").prefetch_related(
        _benefits_prefetch(), "genres"
    )


def shop_get_public(*, pk: int) -> Shop | None:
    """One published shop with everything its detail page shows, or None."""
    return (
        Shop.objects.public()
        .select_related("municipality", "municipality__area", "parent")
        .prefetch_related(_benefits_prefetch(), "genres", "facilities", "images__image")
        .filter(pk=pk)
        .first()
    )


def shop_chain_for(*, shop: Shop, limit: int = CHAIN_BRANCHES_LIMIT) -> dict:
    """The published chain head and (at most `limit`) other published branches."""
    head = None
    if shop.is_chain_head:
        head_pk = shop.pk
    elif shop.parent_id:
        head_pk = shop.parent_id
        parent = shop.parent
        head = parent if parent is not None and parent.live else None
    else:
        return {"head": None, "branches": [], "branches_total": 0}
    branches = (
        Shop.objects.public()
        .filter(parent_id=head_pk)
        .exclude(pk=shop.pk)
        .select_related("municipality")
        .order_by("name", "pk")
    )
    return {
        "head": head,
        "branches": list(branches[:limit]),
        "branches_total": branches.count(),
    }


def municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities grouped by area, for a <select> with <optgroup>s (one query)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    municipalities = Municipality.objects.select_related("area").order_by(
        "area__sort_order", "area__code", "sort_order", "code"
    )
    for municipality in municipalities:
        groups.setdefault(municipality.area.name, []).append(
            (municipality.code, municipality.name)
        )
    return list(groups.items())


def programme_choices() -> list[tuple[str, str]]:
    return [(programme.code, programme.name) for programme in Programme.objects.all()]


def shop_genre_choices() -> list[tuple[str, str]]:
    return [
        (genre.code, genre.name)
        for genre in Genre.objects.active().filter(for_shops=True)
    ]

