"""The legacy master code tables (`master`, `faminavi_area`, `faminavi_city`) onto the
portal's masters (directory/masters, loaded by `manage.py load_masters`).

Each legacy row has a key, "KIND:CODE" (`master` rows: their KBN and CODE;
`faminavi_area:CODE`, `faminavi_city:CODE`), kept in the matched portal row's
`legacy_code` (several keys separated by spaces, when two legacy codes mean one
portal row). A legacy code is matched, in this order, to: the portal code the mapping
names ([values.genre], [values.benefit_type], [values.facility], [values.area],
[values.city]), the row an earlier run matched, a portal row with the same code, then
one with the same name. Genre, benefit-type and facility codes left unmatched that have
a name are created as inactive portal rows (kept out of the public site until the
secretariat checks them; the shops' links to them are not lost); areas and
municipalities are the prefecture's fixed lists and are only reported.
"""

from __future__ import annotations

import hashlib
import re

from django.db import models

from directory.masters.models import Area, BenefitType, Facility, Genre, Municipality
from operations.legacy import values as parse

MODELS: dict[str, type[models.Model]] = {
    "genre": Genre, "article_genre": Genre, "benefit_type": BenefitType,
    "facility": Facility, "area": Area, "municipality": Municipality,
}
# The [values.*] table that pins legacy codes of each target to portal codes.
TRANSLATIONS = {"genre": "genre", "article_genre": "article_genre", "benefit_type": "benefit_type",
                "facility": "facility", "area": "area", "municipality": "city"}
CREATABLE = {"genre", "article_genre", "benefit_type", "facility"}
LABELS = {"genre": "ジャンル", "article_genre": "ふぁみなびジャンル", "benefit_type": "特典種別",
          "facility": "設備", "area": "地域", "municipality": "市区町村"}


def legacy_key(kind: str, code: str) -> str:
    return f"{parse.clean(kind)}:{parse.clean(code)}".replace(" ", "_")


def keys_of(legacy_code: str) -> list[str]:
    return [key for key in (legacy_code or "").split() if key]


def target_of(kind: str, mapping) -> str | None:
    """The portal master a legacy kind is matched to (None: unknown kind)."""
    if kind == "faminavi_area":
        return "area"
    if kind == "faminavi_city":
        return "municipality"
    return mapping.values.get("master_kind", {}).get(kind)


def _name(value: str) -> str:
    return re.sub(r"\s+", "", parse.clean(value))


class MasterMatcher:
    """Matches legacy codes and records the match on the portal rows (one run)."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.rows: dict[type, list] = {model: list(model.objects.all())
                                       for model in set(MODELS.values())}

    def _municipality_by_code(self, code: str):
        code = parse.clean(code)
        if not code.isdigit():
            return None
        for row in self.rows[Municipality]:
            if row.code == code or (len(code) == 5 and row.code[:5] == code):
                return row
        return None

    def find(self, target: str, key: str, code: str, name: str, government_code: str = ""):
        model = MODELS[target]
        rows = self.rows[model]
        # Shop genres and article genres are separate lists in the portal (one Genre table).
        if target == "genre":
            rows = [row for row in rows if row.for_shops]
        elif target == "article_genre":
            rows = [row for row in rows if row.for_articles]
        code = parse.clean(code)
        pinned = self.mapping.values.get(TRANSLATIONS[target], {}).get(code)
        if pinned:
            found = next((row for row in rows if row.code == pinned), None)
            if found is not None:
                return found
        found = next((row for row in rows if key in keys_of(row.legacy_code)), None)
        if found is not None:
            return found
        if target == "municipality":
            found = self._municipality_by_code(government_code) or \
                self._municipality_by_code(code)
        else:
            found = next((row for row in rows if row.code == code), None)
        if found is None and _name(name):
            found = next((row for row in rows if _name(row.name) == _name(name)), None)
        return found

    def record(self, row, key: str) -> bool:
        """Keep the key on `row` (and on no other row of its model). True if it changed."""
        changed = False
        for other in self.rows[type(row)]:
            if other is not row and key in keys_of(other.legacy_code):
                other.legacy_code = " ".join(k for k in keys_of(other.legacy_code) if k != key)
                other.save(update_fields=["legacy_code"])
                changed = True
        if key not in keys_of(row.legacy_code):
            row.legacy_code = " ".join([*keys_of(row.legacy_code), key])[:200]
            row.save(update_fields=["legacy_code"])
            changed = True
        return changed

    def create(self, target: str, key: str, code: str, name: str):
        """An inactive portal row for an unmatched code (genres, benefit types, facilities)."""
        model = MODELS[target]
        slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
        if not slug or len(slug) > 30:
            slug = hashlib.sha256(key.encode()).hexdigest()[:12]
        portal_code = f"legacy-{slug}"
        while any(row.code == portal_code for row in self.rows[model]):
            portal_code += "-x"
        fields = {"code": portal_code[:40], "name": parse.text(name)[:100], "is_active": False,
                  "legacy_code": key, "sort_order": 9999}
        if model is Genre:
            fields.update(for_shops=target == "genre", for_articles=target == "article_genre")
        row = model.objects.create(**fields)
        self.rows[model].append(row)
        return row


def legacy_lookups(mapping) -> dict[str, dict[str, int]]:
    """{target: {legacy code: portal pk}} from the keys kept on the portal rows (this
    run's and earlier runs'), for the link tables (shop_genre, faminavi …)."""
    lookups: dict[str, dict[str, int]] = {target: {} for target in MODELS}
    lookups["faminavi_area"], lookups["faminavi_city"] = {}, {}
    for model in set(MODELS.values()):
        for pk, legacy_code in model.objects.exclude(legacy_code="").values_list(
                "pk", "legacy_code"):
            for key in keys_of(legacy_code):
                kind, _sep, code = key.partition(":")
                if kind in ("faminavi_area", "faminavi_city"):
                    lookups[kind][code] = pk
                    continue
                target = target_of(kind, mapping)
                if target in lookups and MODELS.get(target) is model:
                    lookups[target][code] = pk
    return lookups


def legacy_matches() -> dict[str, tuple[str, str, str, bool]]:
    """{legacy key: (portal model label, portal code, portal name, active)} for the report."""
    found = {}
    for model in (Genre, BenefitType, Facility, Area, Municipality):
        for row in model.objects.exclude(legacy_code=""):
            active = getattr(row, "is_active", True)
            for key in keys_of(row.legacy_code):
                found[key] = (str(model._meta.verbose_name), row.code, row.name, active)
    return found
