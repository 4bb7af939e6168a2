"""Where a shop goes on the map when its owner (or an import) gave no position:
`place_shop(shop)`, without any outside service at run time.

Order: the position the shop already has (typed or set with the pin) is kept; else the
centre of its municipality, marked approximate. The centre is the mean position of the
municipality's published shops that have one (the legacy data brings ~8,500 placed
shops, so every municipality has one); a municipality without any placed shop leaves
the shop unplaced, and the approval task refuses it until the owner sets the pin
(directory/shops/models.py, ApprovalTask).

Town-level (町丁目) points would be better than the municipality centre; no such data
set is installed (docs/backoffice.md says which package would bring them).

Self-registration, bulk import and the legacy importer call `place_shop` and report
the shops whose placement is approximate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg

GIVEN = "given"
MUNICIPALITY = "municipality"
UNPLACED = "unplaced"


@dataclass(frozen=True)
class Placement:
    latitude: float | None
    longitude: float | None
    precision: str  # GIVEN, MUNICIPALITY or UNPLACED

    @property
    def approximate(self) -> bool:
        return self.precision != GIVEN


def municipality_centre(municipality_id, *, exclude_pk=None) -> tuple[float, float] | None:
    from directory.shops.models import Shop

    placed = Shop.objects.filter(municipality_id=municipality_id, live=True,
                                 latitude__isnull=False, longitude__isnull=False)
    if exclude_pk is not None:
        placed = placed.exclude(pk=exclude_pk)
    centre = placed.aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    if centre["latitude"] is None:
        return None
    return round(centre["latitude"], 6), round(centre["longitude"], 6)


def place_shop(shop, *, save: bool = False) -> Placement:
    """Give `shop` a position if it has none (on the instance; saved with save=True)."""
    if shop.latitude is not None and shop.longitude is not None:
        return Placement(shop.latitude, shop.longitude, GIVEN)
    centre = municipality_centre(shop.municipality_id, exclude_pk=shop.pk) \
        if shop.municipality_id else None
    if centre is None:
        return Placement(None, None, UNPLACED)
    shop.latitude, shop.longitude = centre
    if save and shop.pk:
        type(shop).objects.filter(pk=shop.pk).update(latitude=centre[0], longitude=centre[1])
    return Placement(centre[0], centre[1], MUNICIPALITY)
