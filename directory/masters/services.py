"""Writes for the masters: loading the reference data (idempotent)."""

import csv
from pathlib import Path

from django.db import transaction

from directory.masters.models import (
    Area,
    BenefitType,
    EligibilityRule,
    Facility,
    Genre,
    Municipality,
    Programme,
)
from directory.masters.romaji import municipality_name_en

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "osaka_municipalities.csv"

# Regional grouping in the order the prefecture lists it.
AREAS = [
    ("osaka-city", "大阪市", "おおさかし"),
    ("sakai-city", "堺市", "さかいし"),
    ("toyono", "豊能", "とよの"),
    ("mishima", "三島", "みしま"),
    ("kitakawachi", "北河内", "きたかわち"),
    ("nakakawachi", "中河内", "なかかわち"),
    ("minamikawachi", "南河内", "みなみかわち"),
    ("senboku", "泉北", "せんぼく"),
    ("sennan", "泉南", "せんなん"),
]

GENRES = [
    # code, name, for shops, for ふぁみなび articles
    ("restaurant", "飲食", True, False),
    ("cafe", "カフェ・喫茶", True, False),
    ("food-shop", "食料品", True, False),
    ("fashion", "衣料品・ファッション", True, False),
    ("kids-goods", "ベビー・子ども用品", True, False),
    ("education", "学習・習い事", True, True),
    ("leisure", "レジャー・娯楽", True, True),
    ("beauty", "美容・理容", True, False),
    ("health", "医療・健康", True, True),
    ("daily-goods", "生活用品・雑貨", True, False),
    ("services", "サービス", True, False),
    ("housing", "住まい・不動産", True, True),
    ("wedding", "ブライダル", True, True),
    ("parenting", "子育て", False, True),
    ("money", "お金・手当", False, True),
    ("consultation", "相談窓口", False, True),
]

BENEFIT_TYPES = [
    ("discount", "割引"),
    ("points", "ポイント付与"),
    ("gift", "プレゼント"),
    ("service", "サービス"),
    ("other", "その他"),
]

FACILITIES = [
    ("hot-water", "ミルク用のお湯", "hot-water"),
    ("nursing-room", "授乳スペース", "nursing-room"),
    ("diaper-table", "おむつ替え台", "diaper-table"),
    ("kids-space", "キッズスペース", "kids-space"),
    ("child-toilet-seat", "子ども用便座", "child-toilet-seat"),
    ("stroller", "ベビーカー入店可", "stroller"),
    ("kids-menu", "キッズメニュー", "kids-menu"),
]


# English names shown on the English side of the site (EnglishNameMixin), by code.
# An English name the secretariat has edited is kept by masters_load (only empty ones
# are filled).
NAMES_EN = {
    "area": {
        "osaka-city": "Osaka City", "sakai-city": "Sakai City", "toyono": "Toyono",
        "mishima": "Mishima", "kitakawachi": "Kitakawachi", "nakakawachi": "Nakakawachi",
        "minamikawachi": "Minamikawachi", "senboku": "Senboku", "sennan": "Sennan",
    },
    "genre": {
        "restaurant": "Restaurants", "cafe": "Cafés and coffee shops", "food-shop": "Food",
        "fashion": "Clothing and fashion", "kids-goods": "Baby and children's goods",
        "education": "Learning and lessons", "leisure": "Leisure and entertainment",
        "beauty": "Hair and beauty", "health": "Medical care and health",
        "daily-goods": "Household goods", "services": "Services",
        "housing": "Housing and real estate", "wedding": "Weddings", "parenting": "Parenting",
        "money": "Money and allowances", "consultation": "Advice services",
    },
    "benefit_type": {
        "discount": "Discount", "points": "Extra points", "gift": "Gift",
        "service": "Service", "other": "Other",
    },
    "facility": {
        "hot-water": "Hot water for formula", "nursing-room": "Nursing room",
        "diaper-table": "Baby changing table", "kids-space": "Play area for children",
        "child-toilet-seat": "Child toilet seat", "stroller": "Pushchairs welcome",
        "kids-menu": "Children's menu",
    },
    "programme": {"maido": "Maido Kodomo Card (child-raising support)",
                  "enjoy": "Enjoy Pass (marriage support)"},
}


def english_names_fill() -> None:
    """Fill the empty English names of the masters (codes above; municipalities
    romanised from their kana). Names already set are kept."""
    for model, key in ((Area, "area"), (Genre, "genre"), (BenefitType, "benefit_type"),
                       (Facility, "facility"), (Programme, "programme")):
        for code, name_en in NAMES_EN[key].items():
            model.objects.filter(code=code, name_en="").update(name_en=name_en)
    for municipality in Municipality.objects.filter(name_en=""):
        municipality.name_en = municipality_name_en(municipality.name, municipality.kana)
        municipality.save(update_fields=["name_en"])


@transaction.atomic
def masters_load(*, municipalities_csv: Path = MUNICIPALITIES_CSV) -> dict[str, int]:
    """Create or update every master from the reference data. Safe to run again:
    rows are matched on their code and edits to other masters are kept."""
    for order, (code, name, kana) in enumerate(AREAS):
        Area.objects.update_or_create(code=code, defaults={"name": name, "kana": kana,
                                                           "sort_order": order})
    areas_by_name = {area.name: area for area in Area.objects.all()}
    with municipalities_csv.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle)):
            Municipality.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "kana": row["kana"],
                          "area": areas_by_name[row["area"]], "sort_order": order},
            )
    for order, (code, name, for_shops, for_articles) in enumerate(GENRES):
        Genre.objects.update_or_create(code=code, defaults={
            "name": name, "sort_order": order, "for_shops": for_shops,
            "for_articles": for_articles})
    for order, (code, name) in enumerate(BENEFIT_TYPES):
        BenefitType.objects.update_or_create(code=code, defaults={"name": name,
                                                                  "sort_order": order})
    for order, (code, name, icon) in enumerate(FACILITIES):
        Facility.objects.update_or_create(code=code, defaults={"name": name, "icon": icon,
                                                               "sort_order": order})
    programmes_load()
    english_names_fill()
    return {
        "areas": Area.objects.count(),
        "municipalities": Municipality.objects.count(),
        "genres": Genre.objects.count(),
        "benefit_types": BenefitType.objects.count(),
        "facilities": Facility.objects.count(),
        "programmes": Programme.objects.count(),
    }


def programmes_load() -> None:
    from django.conf import settings

    names = settings.PORTAL
    child, _ = Programme.objects.get_or_create(
        code="maido", defaults={
            "kind": Programme.Kind.CHILD_RAISING, "name": names["CHILD_PROGRAMME_NAME"],
            "short_name": "子育て", "legacy_group": 1, "colour": "#c2185b", "sort_order": 1,
            "description": "18歳未満のお子さまがいるご家庭を応援するカードです。",
        })
    marriage, _ = Programme.objects.get_or_create(
        code="enjoy", defaults={
            "kind": Programme.Kind.MARRIAGE, "name": names["MARRIAGE_PROGRAMME_NAME"],
            "short_name": "結婚", "legacy_group": 2, "colour": "#1565c0", "sort_order": 2,
            "description": "結婚1年以内のご夫婦、1年以内に結婚予定のカップルを応援するパスです。",
        })
    rules = [
        (child, EligibilityRule.Kind.CHILD_UNDER_AGE,
         {"age_limit": 18, "cutoff": EligibilityRule.Cutoff.FISCAL_YEAR_END}),
        # Osaka's sources disagree on pregnancy; on by default, a switch for the secretariat.
        (child, EligibilityRule.Kind.PREGNANCY, {}),
        (marriage, EligibilityRule.Kind.MARRIED_WITHIN, {"months": 12}),
        (marriage, EligibilityRule.Kind.PLANNING_MARRIAGE, {"months": 12}),
    ]
    for programme, kind, defaults in rules:
        EligibilityRule.objects.get_or_create(programme=programme, kind=kind, defaults=defaults)
