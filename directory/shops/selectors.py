"""Reads for the public shop directory (HackSoft style: selectors only read).

The search is built from a `ShopQuery` (ids, already validated by
`directory.shops.forms.ShopSearchForm`) and read through `ShopResults`, a
sequence the Django paginator understands:

- the count is capped (`SEARCH_COUNT_CAP`): counting every match of a broad
  search over 100,000 shops is the slow part and nobody pages past 50 pages;
  the page says "1,000件以上" instead;
- without a position, the count reads the ids of at most 1,001 matches (the
  database stops early); when that is all of them, they are sorted in Python
  and give every page, so the conditions are evaluated once per request;
- "near me" orders by distance within a circle sized from the count and
  widened only if the page is not yet full, so a dense city centre never
  sorts tens of thousands of rows.

docs/performance.md has the measurements behind these choices.
"""

import math
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

from directory.masters.cache import masters_cached
from directory.masters.models import Area, BenefitType, Facility, Genre, Municipality, Programme
from directory.shops.geo import Origin
from directory.shops.models import Shop, ShopBenefit
from directory.text import search_terms

# A chain can have hundreds of branches; a detail page lists only this many
# and links to a search for the whole chain.
CHAIN_BRANCHES_LIMIT = 10
# Counts stop here; the paginator then offers the first SEARCH_COUNT_CAP results.
SEARCH_COUNT_CAP = 1000
# "Near me" reads a circle of at least this radius and grows it (at most fourfold a
# step, so five steps reach 50 km) until the page is full; when at most
# NEAR_ME_READ_ALL shops match it reads them all at once.
NEAR_ME_FIRST_RADIUS_KM = 0.3
NEAR_ME_GROWTH = 4
NEAR_ME_READ_ALL = 200
# Terms this short cannot use the pg_trgm index; on PostgreSQL they use the
# character/bigram index of migration 0004 instead.
SHORT_TERM_LENGTH = 2


@dataclass(frozen=True)
class ShopQuery:
    """Validated search conditions, as primary keys (see ShopSearchForm.to_query)."""

    keyword: str = ""
    programme_id: int | None = None
    genre_ids: frozenset[int] = frozenset()  # any of them
    benefit_type_id: int | None = None
    facility_ids: frozenset[int] = frozenset()  # all of them
    municipality_ids: frozenset[int] = frozenset()  # an area is its municipalities
    nationwide_only: bool = False
    chain_head_id: int | None = None
    origin: Origin | None = None


def _benefits_prefetch() -> Prefetch:
    return Prefetch(
        "benefits",
        queryset=ShopBenefit.objects.select_related("programme").order_by(
            "programme__sort_order", "programme__legacy_group", "sort_order", "pk"
        ),
    )


def _list_prefetches() -> tuple:
    return (_benefits_prefetch(), "genres", "facilities")


def _keyword_filter(shops: QuerySet[Shop], keyword: str) -> QuerySet[Shop]:
    """AND every normalised term: ｶﾌｪ, かふぇ and カフェ all become かふぇ."""
    for term in search_terms(keyword):
        if connection.vendor == "postgresql" and len(term) <= SHORT_TERM_LENGTH:
            # Exact: a one- or two-character term is in the text iff it is one of
            # its grams (migration 0004); served by the GIN index, not a scan.
            shops = shops.filter(RawSQL(
                '"shops_shop"."search_grams" @> ARRAY[%s]::text[]', (term,),
                output_field=BooleanField(),
            ))
        else:
            # LIKE '%term%' (Django escapes % and _); pg_trgm serves it on PostgreSQL.
            shops = shops.filter(search_text__contains=term)
    return shops


def shop_search(query: ShopQuery) -> QuerySet[Shop]:
    """Published shops matching every condition of `query` (not ordered, no prefetch).

    Many-to-many conditions are EXISTS subqueries, so no row is duplicated and
    each is an index lookup on the link table.
    """
    shops = _keyword_filter(Shop.objects.public(), query.keyword)
    if query.programme_id is not None:
        shops = shops.filter(Exists(ShopBenefit.objects.filter(
            shop_id=OuterRef("pk"), programme_id=query.programme_id)))
    if query.genre_ids:
        shops = shops.filter(Exists(Shop.genres.through.objects.filter(
            shop_id=OuterRef("pk"), genre_id__in=sorted(query.genre_ids))))
    if query.benefit_type_id is not None:
        shops = shops.filter(Exists(Shop.benefit_types.through.objects.filter(
            shop_id=OuterRef("pk"), benefittype_id=query.benefit_type_id)))
    for facility_id in sorted(query.facility_ids):
        shops = shops.filter(Exists(Shop.facilities.through.objects.filter(
            shop_id=OuterRef("pk"), facility_id=facility_id)))
    if query.municipality_ids:
        shops = shops.filter(municipality_id__in=sorted(query.municipality_ids))
    if query.nationwide_only:
        shops = shops.filter(nationwide_mutual_use=True)
    if query.chain_head_id is not None:
        shops = shops.filter(Q(pk=query.chain_head_id) | Q(parent_id=query.chain_head_id))
    if query.origin is not None:
        shops = _within(shops, query.origin, query.origin.radius_km)
    return shops


def _within(shops: QuerySet[Shop], origin: Origin, radius_km: float) -> QuerySet[Shop]:
    """Shops inside the circle: a (latitude, longitude) box for the index, then the circle."""
    return shops.filter(**origin.bounding_box(radius_km)).alias(
        squared_distance=origin.squared_distance_expression()
    ).filter(squared_distance__lte=origin.squared_degrees(radius_km))


def _serial_plans() -> None:
    """Keep this request's search queries off parallel workers (PostgreSQL).

    A search query takes milliseconds; starting parallel workers for it costs
    more than it saves (measured 2–4× slower on a loaded two-core server, see
    docs/performance.md). SET LOCAL lasts until the request's transaction ends
    (ATOMIC_REQUESTS); outside a transaction nothing is changed.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def shop_search_count(query: ShopQuery, *, cap: int | None = None) -> int:
    """How many shops match, counting at most cap + 1 (so "more than cap" is known)."""
    cap = SEARCH_COUNT_CAP if cap is None else cap
    return shop_search(query).order_by().values("pk")[: cap + 1].count()


def shop_counts_by_municipality(query: ShopQuery, municipality_ids) -> dict[int, int]:
    """For each of `municipality_ids`, how many shops match `query` there (one query)."""
    if not municipality_ids:
        return {}
    rows = (
        shop_search(query)
        .filter(municipality_id__in=sorted(municipality_ids))
        .order_by()
        .values("municipality_id")
        .annotate(shops=Count("pk"))
    )
    return {row["municipality_id"]: row["shops"] for row in rows}


def _ordered_ids(query: ShopQuery, *, limit: int) -> list[int]:
    """The ids of at most `limit` matches, newest first (updated_at, then id, descending).

    The inner query takes any `limit` matches (no ORDER BY, so the database stops
    early); the outer one sorts just those rows and returns only their ids, so no
    timestamp is sent to or parsed by Python. When there are more than `limit`
    matches the order is not used (ShopResults reads pages with ORDER BY … LIMIT).
    """
    inner = shop_search(query).order_by().values("id", "updated_at")[:limit]
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT matches.id FROM ({sql}) AS matches "  # noqa: S608 - Django's own SQL
            "ORDER BY matches.updated_at DESC, matches.id DESC", params)
        return [row[0] for row in cursor.fetchall()]


@dataclass
class ShopResults:
    """The results of a search, for `django.core.paginator.Paginator`.

    `count()` is capped at `cap` (check `more`); slicing returns a list of shops
    with municipality, benefits, genres and facilities loaded (three queries
    besides the page itself, whatever the page size) and, for a near-me search,
    `distance_km` set on each shop.

    Without a position, the count reads (id, updated_at) of at most cap + 1
    matches in no particular order, so the database can stop early. If that
    is all of them, they are sorted here (newest first) and every page is read
    by primary key: the search conditions (joins, keyword) run once per
    request. Only a broad search (more than the cap) reads its page with
    ORDER BY … LIMIT, which is then quick because matches are frequent.
    """

    query: ShopQuery
    cap: int | None = None  # SEARCH_COUNT_CAP
    # False leaves benefits, genres and facilities to the caller (shop_cards_prefetch),
    # which loads them only for the cards it has to render.
    prefetch: bool = True
    more: bool = field(default=False, init=False)
    _count: int | None = field(default=None, init=False)
    _ids: list[int] | None = field(default=None, init=False)  # all matches, in order

    @property
    def _cap(self) -> int:
        return SEARCH_COUNT_CAP if self.cap is None else self.cap

    def count(self) -> int:
        if self._count is None:
            _serial_plans()
            if self.query.origin is None:
                ids = _ordered_ids(self.query, limit=self._cap + 1)
                found = len(ids)
                if found <= self._cap:
                    self._ids = ids
            else:
                found = shop_search_count(self.query, cap=self._cap)
            self.more = found > self._cap
            self._count = min(found, self._cap)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("ShopResults supports only simple slices.")
        start, stop = key.start or 0, key.stop
        if stop is not None and stop <= start:
            return []
        self.count()
        if self.query.origin is not None:
            shops = self._nearest(start, stop)
        elif self._ids is not None:
            ids = self._ids[start:stop]
            by_pk = Shop.objects.public().select_related("municipality").in_bulk(ids)
            shops = [by_pk[pk] for pk in ids if pk in by_pk]
        else:
            stop = self._count if stop is None else min(stop, self._count)
            shops = list(
                shop_search(self.query)
                .select_related("municipality")
                .order_by("-updated_at", "-pk")[start:stop]
            )
        if self.prefetch:
            prefetch_related_objects(shops, *_list_prefetches())
        return shops

    def page_ids(self, start: int, stop: int) -> list[tuple[int, float | None]]:
        """(id, distance in km or None) of the shops [start:stop], in order, without
        reading the shops themselves (see shop_rows)."""
        self.count()
        if stop <= start:
            return []
        if self.query.origin is not None:
            return self._nearest(start, stop, plain=True)
        if self._ids is not None:
            return [(pk, None) for pk in self._ids[start:stop]]
        stop = min(stop, self._count)
        return [(pk, None) for pk in shop_search(self.query)
                .order_by("-updated_at", "-pk").values_list("pk", flat=True)[start:stop]]

    def _nearest(self, start: int, stop: int | None, *, plain: bool = False) -> list:
        """Shops [start:stop] by distance, reading a circle that grows until it has them.

        Correct because every shop outside a circle of radius r is farther than
        every shop inside it: once the circle holds `stop` shops, its nearest
        `stop` are the nearest overall. The first radius comes from the count
        (already known: the paginator asks for it first): a few matches in all
        are read at once; up to the cap, the radius that would hold `stop` shops
        at even density; beyond it, a small circle, so a dense city centre never
        sorts tens of thousands of rows.
        """
        origin = self.query.origin
        base = shop_search(replace(self.query, origin=None))
        found = self.count()
        if stop is None or (not self.more and found <= NEAR_ME_READ_ALL):
            radius = origin.radius_km
        elif self.more:
            # More than the cap: the density is unknown and may be very high.
            radius = min(origin.radius_km, NEAR_ME_FIRST_RADIUS_KM)
        else:
            radius = origin.radius_km * math.sqrt(min(1.0, stop / found))
            radius = min(origin.radius_km, max(NEAR_ME_FIRST_RADIUS_KM, radius))
        while True:
            circle = _within(base, origin, radius).order_by("squared_distance", "pk")
            if plain:
                circle = circle.values_list("pk", "latitude", "longitude")
            else:
                circle = circle.select_related("municipality")
            shops = list(circle[start:stop])
            if radius >= origin.radius_km or len(shops) >= stop - start:
                break
            if shops:
                # The circle holds start + len(shops) of the `stop` needed: grow it
                # to the size that would hold them at that density (a little more).
                growth = 1.2 * math.sqrt(stop / (start + len(shops)))
                growth = min(NEAR_ME_GROWTH, max(1.5, growth))
            else:
                growth = NEAR_ME_GROWTH
            radius = min(radius * growth, origin.radius_km)
        if plain:
            return [(pk, origin.distance_km(lat, lng)) for pk, lat, lng in shops]
        for shop in shops:
            shop.distance_km = origin.distance_km(shop.latitude, shop.longitude)
        return shops


SHOP_ROW_FIELDS = (
    "id", "name", "name_kana", "postcode", "address", "building", "phone", "latitude",
    "longitude", "is_chain_head", "parent_id", "nationwide_mutual_use",
    "updated_at", "municipality__code", "municipality__name",
)


def shop_rows(page: list[tuple[int, float | None]]) -> list[dict]:
    """The published shops of ``page`` ((id, distance) pairs, from ShopResults.page_ids)
    as plain rows, in that order, each with ``distance_km``, ``benefits``, ``genres`` and
    ``facilities`` (lists of rows): four queries, no model instances (the API's list)."""
    ids = [pk for pk, _distance in page]
    if not ids:
        return []
    rows = {row["id"]: row for row in
            Shop.objects.public().filter(pk__in=ids).values(*SHOP_ROW_FIELDS)}
    for row in rows.values():
        row.update(benefits=[], genres=[], facilities=[])
    benefits = (ShopBenefit.objects.filter(shop_id__in=ids)
                .order_by("programme__sort_order", "programme__legacy_group", "sort_order", "pk")
                .values_list("shop_id", "title", "detail", "programme__code",
                             "programme__name", "programme__kind", "programme__legacy_group"))
    for shop_id, title, detail, code, name, kind, group in benefits:
        rows[shop_id]["benefits"].append({
            "programme": {"code": code, "name": name, "kind": kind, "legacy_group": group},
            "title": title, "detail": detail})
    links = (
        ("genres", Shop.genres.through.objects.filter(shop_id__in=ids)
         .order_by("genre__sort_order", "genre__code")
         .values_list("shop_id", "genre__code", "genre__name")),
        ("facilities", Shop.facilities.through.objects.filter(shop_id__in=ids)
         .order_by("facility__sort_order", "facility__code")
         .values_list("shop_id", "facility__code", "facility__name")),
    )
    for name, link_rows in links:
        for shop_id, code, label in link_rows:
            rows[shop_id][name].append({"code": code, "name": label})
    ordered = []
    for pk, distance in page:
        row = rows.get(pk)
        if row is not None:  # unpublished since the ids were read
            row["distance_km"] = distance
            ordered.append(row)
    return ordered


def shop_cards_prefetch(shops: list[Shop]) -> None:
    """What a result card shows besides the shop row: benefits, genres, facilities."""
    prefetch_related_objects(shops, *_list_prefetches())


def shop_get_public(*, pk: int) -> Shop | None:
    """One published shop with everything its detail page shows, or None."""
    return (
        Shop.objects.public()
        .select_related("municipality", "municipality__area", "parent")
        .prefetch_related(_benefits_prefetch(), "genres", "facilities", "images__image")
        .filter(pk=pk)
        .first()
    )


def shop_chain_head_public(*, pk: int) -> Shop | None:
    """The published shop whose chain (itself and its branches) is searched, or None."""
    return Shop.objects.public().filter(pk=pk).only("pk", "name").first()


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
        return {"head": None, "head_pk": None, "branches": [], "branches_total": 0}
    branches = (
        Shop.objects.public()
        .filter(parent_id=head_pk)
        .exclude(pk=shop.pk)
        .select_related("municipality")
        .order_by("name", "pk")
    )
    return {
        "head": head,
        # The chain search (?chain=) needs a published head: this shop or its live parent.
        "head_pk": head_pk if (head is not None or head_pk == shop.pk) else None,
        "branches": list(branches[:limit]),
        "branches_total": branches.count(),
    }


@dataclass(frozen=True)
class SearchMasters:
    """The masters the search form offers, read in five queries."""

    areas: list[Area]
    municipalities: list[Municipality]
    programmes: list[Programme]
    genres: list[Genre]
    benefit_types: list[BenefitType]
    facilities: list[Facility]


def search_masters() -> SearchMasters:
    """The search form's masters: read once per process until a master changes
    (directory/masters/cache.py)."""
    return masters_cached("shops.search_masters", _read_search_masters)


def _read_search_masters() -> SearchMasters:
    municipalities = list(Municipality.objects.select_related("area").order_by(
        "area__sort_order", "area__code", "sort_order", "code"
    ))
    areas: dict[int, Area] = {}
    for municipality in municipalities:
        areas.setdefault(municipality.area_id, municipality.area)
    return SearchMasters(
        areas=list(areas.values()),
        municipalities=municipalities,
        programmes=list(Programme.objects.all()),
        genres=list(Genre.objects.active().filter(for_shops=True)),
        benefit_types=list(BenefitType.objects.active()),
        facilities=list(Facility.objects.active()),
    )


def municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities grouped by area, for a <select> with <optgroup>s (cached per
    language: the names are English on the English side)."""
    from django.utils.translation import get_language

    language = (get_language() or "ja").split("-")[0]
    return masters_cached(f"shops.municipality_choices:{language}", _read_municipality_choices)


def _read_municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    municipalities = Municipality.objects.select_related("area").order_by(
        "area__sort_order", "area__code", "sort_order", "code"
    )
    for municipality in municipalities:
        groups.setdefault(municipality.area.display_name, []).append(
            (municipality.code, municipality.display_name)
        )
    return list(groups.items())


def programme_choices() -> list[tuple[str, str]]:
    return masters_cached("shops.programme_choices", lambda: [
        (programme.code, programme.name) for programme in Programme.objects.all()])


def shop_genre_choices() -> list[tuple[str, str]]:
    return masters_cached("shops.shop_genre_choices", lambda: [
        (genre.code, genre.name) for genre in Genre.objects.active().filter(for_shops=True)])
