"""Demo data for trying the portal: `manage.py seed_demo --shops N`.

Writes realistic fake shops, events, ふぁみなび articles and members in all 43
municipalities, plus four back-office accounts (one per role). Rows are written
in batches: bulk_create for rows whose primary keys are needed back, COPY
(PostgreSQL) or executemany for link and child rows; no per-row queries and no
signals, so 100,000 shops take well under two minutes on PostgreSQL
(benchmarks/seed_100k.sh). Shop.save() is not called, so search_text is
computed here exactly as Shop.build_search_text() would.

Demo rows are recognisable, so a rerun tops up to N instead of duplicating:

- shops, events and articles carry ``legacy_id = DEMO_LEGACY_BASE + index``
  (far above any legacy SHOPID or event id);
- members have member numbers ``27`` + ``DEMO_MEMBER_BASE + index`` (279xxxxxxx);
- the staff accounts are the fixed addresses in ``DEMO_STAFF``.

Row *i* is drawn from its own ``random.Random(f"{seed}:shop:{i}")``, so a
top-up creates exactly the rows a single run with the larger N would have.
"""

import gc
import random
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from directory.accounts.models import User
from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF, SECRETARIAT, SHOP_OWNER, roles_sync
from directory.events.models import Event
from directory.faminavi.models import Article
from directory.masters.models import Area, BenefitType, Facility, Genre, Municipality, Programme
from directory.masters.services import masters_load
from directory.members.models import Child, Member
from directory.shops.models import Owner, OwnerShop, Shop, ShopBenefit
from directory.text import normalise

MAX_SHOPS = 1_000_000
DEMO_LEGACY_BASE = 900_000_000
DEMO_MEMBER_BASE = 90_000_000
DEMO_PASSWORD = "demo-password-2026"
BATCH_SIZE = 2_000

# Chains: in every block of 100 shops, index 50 is a chain head and the next
# 2–5 indices are its branches (so N = 60 already has one chain).
CHAIN_PERIOD = 100
CHAIN_HEAD_OFFSET = 50

# code: (approximate centre latitude, longitude, population in 10,000s as a weight)
MUNICIPALITY_CENTRES: dict[str, tuple[float, float, float]] = {
    "271004": (34.6937, 135.5023, 275),  # 大阪市
    "271403": (34.5733, 135.4830, 82),  # 堺市
    "272027": (34.4605, 135.3713, 19),  # 岸和田市
    "272035": (34.7813, 135.4697, 40),  # 豊中市
    "272043": (34.8219, 135.4286, 10),  # 池田市
    "272051": (34.7594, 135.5169, 38),  # 吹田市
    "272060": (34.5045, 135.4101, 7),  # 泉大津市
    "272078": (34.8463, 135.6175, 35),  # 高槻市
    "272086": (34.4377, 135.3585, 8),  # 貝塚市
    "272094": (34.7376, 135.5641, 14),  # 守口市
    "272108": (34.8143, 135.6509, 40),  # 枚方市
    "272116": (34.8164, 135.5688, 28),  # 茨木市
    "272124": (34.6268, 135.6010, 26),  # 八尾市
    "272132": (34.4067, 135.3274, 10),  # 泉佐野市
    "272141": (34.4999, 135.5972, 11),  # 富田林市
    "272159": (34.7661, 135.6281, 23),  # 寝屋川市
    "272167": (34.4580, 135.5640, 10),  # 河内長野市
    "272175": (34.5777, 135.5517, 12),  # 松原市
    "272183": (34.7118, 135.6233, 12),  # 大東市
    "272191": (34.4833, 135.4234, 18),  # 和泉市
    "272205": (34.8269, 135.4704, 14),  # 箕面市
    "272213": (34.5790, 135.6283, 7),  # 柏原市
    "272221": (34.5573, 135.6061, 11),  # 羽曳野市
    "272230": (34.7393, 135.5873, 12),  # 門真市
    "272248": (34.7772, 135.5621, 9),  # 摂津市
    "272256": (34.5206, 135.4424, 6),  # 高石市
    "272264": (34.5745, 135.5972, 6),  # 藤井寺市
    "272272": (34.6794, 135.6008, 48),  # 東大阪市
    "272281": (34.3659, 135.2735, 6),  # 泉南市
    "272299": (34.7397, 135.6394, 5),  # 四條畷市
    "272302": (34.7878, 135.6800, 8),  # 交野市
    "272311": (34.5036, 135.5556, 6),  # 大阪狭山市
    "272329": (34.3597, 135.2397, 5),  # 阪南市
    "273015": (34.8812, 135.6627, 3),  # 島本町
    "273210": (34.9189, 135.4940, 2),  # 豊能町
    "273228": (34.9720, 135.4143, 1),  # 能勢町
    "273414": (34.4870, 135.4008, 2),  # 忠岡町
    "273619": (34.4000, 135.3553, 4),  # 熊取町
    "273627": (34.3936, 135.2944, 1),  # 田尻町
    "273660": (34.3166, 135.1425, 1.5),  # 岬町
    "273813": (34.5186, 135.6475, 1.3),  # 太子町
    "273821": (34.4930, 135.6285, 1.6),  # 河南町
    "273830": (34.4653, 135.6224, 0.5),  # 千早赤阪村
}
JITTER = 0.02
# Municipalities whose numbers start 06 (the rest use 072-).
AREA_CODE_06 = {"271004", "272035", "272043", "272051", "272094", "272124", "272183",
                "272230", "272248", "272272", "272299"}

WARDS = {
    "271004": ["北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区",
               "浪速区", "西淀川区", "淀川区", "東淀川区", "東成区", "生野区", "旭区", "城東区",
               "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区", "平野区", "西成区"],
    "271403": ["堺区", "中区", "東区", "西区", "南区", "北区", "美原区"],
}
TOWNS = [
    ("本町", "ほんまち"), ("栄町", "さかえまち"), ("緑町", "みどりまち"), ("旭町", "あさひまち"),
    ("桜町", "さくらまち"), ("中町", "なかまち"), ("東町", "ひがしまち"), ("西町", "にしまち"),
    ("南町", "みなみまち"), ("北町", "きたまち"), ("幸町", "さいわいちょう"),
    ("寿町", "ことぶきちょう"), ("新町", "しんまち"), ("若松町", "わかまつちょう"),
    ("春日町", "かすがちょう"), ("宮前町", "みやまえちょう"), ("駅前", "えきまえ"),
    ("松ケ丘", "まつがおか"), ("泉ケ丘", "いずみがおか"), ("花園町", "はなぞのちょう"),
    ("千代田町", "ちよだちょう"), ("錦町", "にしきちょう"), ("大手町", "おおてまち"),
    ("美原", "みはら"), ("青葉台", "あおばだい"), ("朝日ケ丘", "あさひがおか"),
]
BUILDINGS = ["サンライズ", "グリーンヒル", "なにわ", "コスモ", "パークサイド", "ロイヤル",
             "さくら", "第一", "第二", "ステーション"]

# surface, hiragana reading, genre code
KINDS = [
    ("カフェ", "かふぇ", "cafe"), ("珈琲店", "こーひーてん", "cafe"),
    ("ベーカリー", "べーかりー", "food-shop"), ("ラーメン", "らーめん", "restaurant"),
    ("うどん", "うどん", "restaurant"), ("お好み焼き", "おこのみやき", "restaurant"),
    ("たこ焼き", "たこやき", "restaurant"), ("食堂", "しょくどう", "restaurant"),
    ("寿司", "すし", "restaurant"), ("洋菓子店", "ようがしてん", "food-shop"),
    ("和菓子", "わがし", "food-shop"), ("精肉店", "せいにくてん", "food-shop"),
    ("青果店", "せいかてん", "food-shop"), ("こども服", "こどもふく", "kids-goods"),
    ("ベビー用品", "べびーようひん", "kids-goods"), ("おもちゃ", "おもちゃ", "kids-goods"),
    ("ブティック", "ぶてぃっく", "fashion"), ("靴店", "くつてん", "fashion"),
    ("学習塾", "がくしゅうじゅく", "education"), ("英会話教室", "えいかいわきょうしつ", "education"),
    ("スイミングスクール", "すいみんぐすくーる", "education"),
    ("ピアノ教室", "ぴあのきょうしつ", "education"), ("ボウリング", "ぼうりんぐ", "leisure"),
    ("写真館", "しゃしんかん", "leisure"), ("美容室", "びようしつ", "beauty"),
    ("ヘアサロン", "へあさろん", "beauty"), ("理容室", "りようしつ", "beauty"),
    ("整骨院", "せいこついん", "health"), ("歯科", "しか", "health"),
    ("小児科", "しょうにか", "health"), ("薬局", "やっきょく", "health"),
    ("雑貨店", "ざっかてん", "daily-goods"), ("書店", "しょてん", "daily-goods"),
    ("フラワーショップ", "ふらわーしょっぷ", "daily-goods"),
    ("クリーニング", "くりーにんぐ", "services"), ("自動車整備", "じどうしゃせいび", "services"),
    ("不動産", "ふどうさん", "housing"), ("工務店", "こうむてん", "housing"),
    ("ブライダルサロン", "ぶらいだるさろん", "wedding"), ("ジュエリー", "じゅえりー", "wedding"),
]
# Every tenth shop is one of these, so a search for カフェ always finds some.
CAFE_KINDS = [("カフェ", "かふぇ", "cafe"), ("キッズカフェ", "きっずかふぇ", "cafe"),
              ("ブックカフェ", "ぶっくかふぇ", "cafe")]
BRANDS = [
    ("ひまわり", "ひまわり"), ("さくら", "さくら"), ("こもれび", "こもれび"),
    ("たんぽぽ", "たんぽぽ"), ("まごころ", "まごころ"), ("にこにこ", "にこにこ"),
    ("ぽかぽか", "ぽかぽか"), ("オリーブ", "おりーぶ"), ("レモン", "れもん"),
    ("ポプラ", "ぽぷら"), ("スマイル", "すまいる"), ("ハッピー", "はっぴー"),
    ("リトル", "りとる"), ("ミモザ", "みもざ"), ("大和", "やまと"), ("若葉", "わかば"),
    ("朝日", "あさひ"), ("青空", "あおぞら"), ("福寿", "ふくじゅ"), ("浪花", "なにわ"),
    ("千歳", "ちとせ"), ("光", "ひかり"), ("虹", "にじ"), ("すずらん", "すずらん"),
]
OPENING_HOURS = ["10:00〜19:00", "9:00〜18:00", "11:00〜15:00、17:00〜22:00", "7:00〜20:00",
                 "10:00〜20:00（土日祝は9:00〜）", "9:00〜12:00、16:00〜19:00", "24時間営業"]
HOLIDAYS = ["水曜日", "日曜日・祝日", "年中無休", "月曜日（祝日の場合は翌日）", "不定休",
            "火曜日・第3水曜日"]
# benefit type code, title, detail
MAIDO_BENEFITS = [
    ("discount", "お会計から5%引き", "会計時にカードをご提示ください。他の割引との併用はできません。"),
    ("discount", "お会計から10%引き", "1,000円以上のお買い上げが対象です。"),
    ("points", "ポイント2倍", "ポイントカードをお持ちの方が対象です。"),
    ("gift", "お子さまにお菓子をプレゼント", "小学生以下のお子さま1人につき1つ差し上げます。"),
    ("gift", "オリジナルグッズをプレゼント", "なくなり次第終了します。"),
    ("service", "ドリンク1杯サービス", "ご来店1回につき1杯までです。"),
    ("service", "お子さまの入会金無料", "体験レッスン後のご入会が対象です。"),
    ("other", "ベビーカーの貸し出し", "店頭でスタッフにお申し出ください。"),
]
ENJOY_BENEFITS = [
    ("discount", "ご夫婦でのご来店で10%引き", "パスをご提示ください。"),
    ("discount", "ペアでのご利用で500円引き", "他のサービスとの併用はできません。"),
    ("gift", "カップルにペアグラスをプレゼント", "先着順です。なくなり次第終了します。"),
    ("service", "記念日のケーキをサービス", "前日までにご予約ください。"),
    ("points", "ポイント3倍", "ご夫婦どちらかのポイントカードに付与します。"),
]
EVENT_KINDS = [
    ("親子で楽しむ絵本の読み聞かせ会", "leisure"), ("ベビーマッサージ教室", "parenting"),
    ("子育てフェスタ", "parenting"), ("親子クッキング教室", "education"),
    ("ふれあい動物園", "leisure"), ("赤ちゃんハイハイレース", "parenting"),
    ("ファミリーコンサート", "leisure"), ("親子で学ぶ防災フェア", "education"),
    ("夏休みこども工作教室", "education"), ("婚活パーティー", "wedding"),
    ("プレママ・プレパパ教室", "health"), ("子育て相談会", "consultation"),
]
VENUES = ["市民会館", "子育て支援センター", "中央公園", "中央図書館", "コミュニティセンター",
          "保健センター"]
ARTICLE_TOPICS = [
    ("はじめての予防接種ガイド", "health"), ("児童手当の申請方法", "money"),
    ("一時預かり保育の探し方", "parenting"), ("雨の日に遊べる屋内施設", "leisure"),
    ("子育て相談窓口のご案内", "consultation"), ("結婚新生活支援事業について", "wedding"),
    ("産後ケア事業のご紹介", "health"), ("子どもの医療費助成", "money"),
    ("習い事の選び方", "education"), ("子育て世帯向けの住まい探し", "housing"),
]
FAMILY_NAMES = [
    ("田中", "たなか"), ("山本", "やまもと"), ("中村", "なかむら"), ("松本", "まつもと"),
    ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"), ("山田", "やまだ"),
    ("吉田", "よしだ"), ("山口", "やまぐち"), ("佐藤", "さとう"), ("鈴木", "すずき"),
    ("高橋", "たかはし"), ("小林", "こばやし"), ("西村", "にしむら"), ("藤原", "ふじわら"),
    ("岡田", "おかだ"), ("前田", "まえだ"),
]
GIVEN_NAMES = [
    ("花子", "はなこ"), ("陽菜", "ひな"), ("結衣", "ゆい"), ("美咲", "みさき"),
    ("さくら", "さくら"), ("葵", "あおい"), ("大翔", "ひろと"), ("蓮", "れん"),
    ("悠真", "ゆうま"), ("健太", "けんた"), ("翔太", "しょうた"), ("直樹", "なおき"),
    ("恵", "めぐみ"), ("愛", "あい"),
]
CHILD_NICKNAMES = ["はるくん", "ゆいちゃん", "そうくん", "ひなちゃん", "りくくん", "めいちゃん",
                   "たっくん", "さっちゃん", ""]

# email, role group, last name, first name, municipality code
DEMO_STAFF = [
    ("admin@example.jp", SECRETARIAT, "デモ", "事務局", None),
    ("city@example.jp", MUNICIPAL_STAFF, "デモ", "大阪市職員", "271004"),
    ("shop@example.jp", SHOP_OWNER, "デモ", "店主", None),
    ("auditor@example.jp", AUDITOR, "デモ", "監査", None),
]


class DemoSeedError(ValueError):
    """Bad input for the demo seeder; the message is for the person running it."""


def shops_count_parse(value) -> int:
    """The --shops value as an int in 0..MAX_SHOPS, or DemoSeedError."""
    text = str(value).strip()
    try:
        count = int(text)
    except ValueError:
        count = None
    if count is None or not text.lstrip("+-").isdigit() or not 0 <= count <= MAX_SHOPS:
        raise DemoSeedError(
            _("The number of shops must be a whole number between 0 and %(maximum)s "
              "(got “%(value)s”).") % {"maximum": f"{MAX_SHOPS:,}", "value": text}
        )
    return count


def event_count(shops: int) -> int:
    return 0 if shops <= 0 else min(2_000, max(30, shops // 20))


def article_count(shops: int) -> int:
    return 0 if shops <= 0 else min(300, max(12, shops // 100))


def member_count(shops: int) -> int:
    return 0 if shops <= 0 else min(10_000, max(20, shops // 10))


@dataclass(frozen=True)
class _Place:
    """A municipality with what the generators need, read once."""

    pk: int
    code: str
    name: str
    stem: str
    stem_kana: str
    area_id: int
    latitude: float
    longitude: float
    weight: float


@dataclass
class _Masters:
    places: list[_Place]
    cum_weights: list[float]
    genre_ids: dict[str, int]
    article_genre_ids: list[int]
    benefit_type_ids: dict[str, int]
    facility_ids: dict[str, int]
    area_ids: list[int]
    maido_id: int
    enjoy_id: int

    def weighted_place(self, rng: random.Random) -> _Place:
        return rng.choices(self.places, cum_weights=self.cum_weights)[0]


def _strip_suffix(name: str, kana: str) -> tuple[str, str]:
    for suffix, kana_suffix in (("市", "し"), ("町", "ちょう"), ("村", "むら")):
        if name.endswith(suffix) and kana.endswith(kana_suffix):
            return name[: -len(suffix)], kana[: -len(kana_suffix)]
    return name, kana


def _masters_read() -> _Masters:
    places = []
    for municipality in Municipality.objects.order_by("sort_order", "code"):
        latitude, longitude, weight = MUNICIPALITY_CENTRES.get(
            municipality.code, (34.6937, 135.5023, 1))
        stem, stem_kana = _strip_suffix(municipality.name, municipality.kana)
        places.append(_Place(municipality.pk, municipality.code, municipality.name, stem,
                             stem_kana, municipality.area_id, latitude, longitude, weight))
    genres = list(Genre.objects.order_by("sort_order", "code"))
    return _Masters(
        places=places,
        cum_weights=list(accumulate(place.weight for place in places)),
        genre_ids={genre.code: genre.pk for genre in genres},
        article_genre_ids=[genre.pk for genre in genres if genre.for_articles],
        benefit_type_ids=dict(BenefitType.objects.values_list("code", "pk")),
        facility_ids=dict(Facility.objects.values_list("code", "pk")),
        area_ids=list(Area.objects.order_by("sort_order").values_list("pk", flat=True)),
        maido_id=Programme.objects.get(code="maido").pk,
        enjoy_id=Programme.objects.get(code="enjoy").pk,
    )


def _batches(items: Sequence, size: int = BATCH_SIZE) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _missing(model: type[models.Model], wanted: int) -> list[int]:
    """Indices below `wanted` whose demo row (legacy_id = base + index) is absent."""
    existing = set(
        model.objects.filter(legacy_id__gte=DEMO_LEGACY_BASE,
                             legacy_id__lt=DEMO_LEGACY_BASE + wanted)
        .values_list("legacy_id", flat=True)
    )
    return [index for index in range(wanted) if DEMO_LEGACY_BASE + index not in existing]


def _demo_rows(model: type[models.Model]) -> models.QuerySet:
    return model.objects.filter(legacy_id__gte=DEMO_LEGACY_BASE,
                                legacy_id__lt=DEMO_LEGACY_BASE + MAX_SHOPS)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while building hundreds of thousands of rows:
    they hold no reference cycles, and the collector's repeated passes cost up to
    a fifth of a 100,000-shop run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _through(model: type[models.Model], field: str) -> type[models.Model]:
    return model._meta.get_field(field).remote_field.through


def _rows_insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """Insert plain tuples (values for `fields`, in order) into the model's table.

    For link and child rows whose primary keys nobody needs back: COPY on
    PostgreSQL, executemany elsewhere; no model instances, no signals."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            # Table and column names come from the models, never from input.
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


# --- shops ------------------------------------------------------------------------------

def _chain_head_of(index: int) -> int | None:
    """The chain head index of a branch, or None for a head or an ordinary shop."""
    head = index - index % CHAIN_PERIOD + CHAIN_HEAD_OFFSET
    branches = 2 + (head // CHAIN_PERIOD) % 4
    if head < index <= head + branches:
        return head
    return None


def _is_chain_head(index: int) -> bool:
    return index % CHAIN_PERIOD == CHAIN_HEAD_OFFSET


def _chain_brand(seed: int, head: int) -> tuple[str, str, tuple[str, str, str]]:
    rng = random.Random(f"{seed}:chain:{head}")
    brand, brand_kana = rng.choice(BRANDS)
    kind = rng.choice(KINDS)
    return f"{brand}{kind[0]}", f"{brand_kana}{kind[1]}", kind


@dataclass
class _ShopDraft:
    shop: Shop
    benefits: list[tuple[int, str, str]]  # programme id, title, detail
    genre_ids: list[int]
    benefit_type_ids: list[int]
    facility_ids: list[int]
    parent_index: int | None


def _shop_draft(index: int, *, seed: int, masters: _Masters, now) -> _ShopDraft:
    rng = random.Random(f"{seed}:shop:{index}")
    places = masters.places
    place = places[index] if index < len(places) else masters.weighted_place(rng)
    town, town_kana = rng.choice(TOWNS)
    if rng.random() < 0.5:
        word, word_kana = place.stem, place.stem_kana
    else:
        word, word_kana = town, town_kana

    parent_index = _chain_head_of(index)
    if parent_index is not None or _is_chain_head(index):
        brand, brand_kana, kind = _chain_brand(seed, parent_index or index)
        suffix, suffix_kana = ("店", "てん") if parent_index is not None else ("本店", "ほんてん")
        name = f"{brand} {word}{suffix}"
        name_kana = f"{brand_kana} {word_kana}{suffix_kana}"
    else:
        kind = rng.choice(CAFE_KINDS) if index % 10 == 3 else rng.choice(KINDS)
        brand, brand_kana = rng.choice(BRANDS)
        pattern = rng.randrange(4)
        if pattern == 0:
            name, name_kana = f"{brand}{kind[0]}", f"{brand_kana}{kind[1]}"
        elif pattern == 1:
            name, name_kana = f"{kind[0]} {brand}", f"{kind[1]} {brand_kana}"
        elif pattern == 2:
            name, name_kana = f"{word}{kind[0]}", f"{word_kana}{kind[1]}"
        else:
            name = f"{brand}{kind[0]} {word}店"
            name_kana = f"{brand_kana}{kind[1]} {word_kana}てん"

    ward = rng.choice(WARDS[place.code]) if place.code in WARDS else ""
    address = (f"{ward}{town}{rng.randint(1, 5)}丁目"
               f"{rng.randint(1, 30)}-{rng.randint(1, 20)}")
    building = ""
    if rng.random() < 0.3:
        building = f"{rng.choice(BUILDINGS)}ビル{rng.randint(1, 8)}F"
    if place.code in AREA_CODE_06:
        phone = f"06-{rng.randint(6000, 6999)}-{rng.randint(0, 9999):04d}"
    else:
        phone = f"072-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"

    roll = rng.random()
    programmes = ([masters.maido_id] if roll < 0.55 else [masters.enjoy_id] if roll < 0.75
                  else [masters.maido_id, masters.enjoy_id])
    benefits, benefit_type_codes = [], []
    for programme_id in programmes:
        choices = MAIDO_BENEFITS if programme_id == masters.maido_id else ENJOY_BENEFITS
        type_code, title, detail = rng.choice(choices)
        benefits.append((programme_id, title, detail))
        if type_code not in benefit_type_codes:
            benefit_type_codes.append(type_code)

    genre_codes = [kind[2]]
    if rng.random() < 0.2:
        extra = rng.choice(KINDS)[2]
        if extra not in genre_codes:
            genre_codes.append(extra)
    facility_codes = rng.sample(list(masters.facility_ids), rng.randint(0, 4))
    if kind[2] in ("restaurant", "cafe") and "kids-menu" not in facility_codes \
            and rng.random() < 0.5:
        facility_codes.append("kids-menu")

    benefit_text = " ".join(f"{title} {detail}" for _programme, title, detail in benefits)
    search_text = normalise(" ".join([name, name_kana, place.name, address, building,
                                      benefit_text]))
    shop = Shop(
        legacy_id=DEMO_LEGACY_BASE + index,
        name=name,
        name_kana=name_kana,
        is_chain_head=_is_chain_head(index),
        postcode=f"{rng.randint(530, 599)}-{rng.randint(0, 9999):04d}",
        municipality_id=place.pk,
        address=address,
        building=building,
        latitude=round(place.latitude + rng.uniform(-JITTER, JITTER), 6),
        longitude=round(place.longitude + rng.uniform(-JITTER, JITTER), 6),
        phone=phone,
        opening_hours=rng.choice(OPENING_HOURS),
        regular_holidays=rng.choice(HOLIDAYS),
        url=f"https://example.jp/shops/{index + 1}" if rng.random() < 0.2 else "",
        comment=f"{place.name}の{kind[0]}です。お子さま連れも、ご夫婦でも、お気軽にどうぞ。",
        nationwide_mutual_use=rng.random() < 0.25,
        search_text=search_text,
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
    )
    return _ShopDraft(
        shop=shop,
        benefits=benefits,
        genre_ids=[masters.genre_ids[code] for code in genre_codes if code in masters.genre_ids],
        benefit_type_ids=[masters.benefit_type_ids[code] for code in benefit_type_codes
                          if code in masters.benefit_type_ids],
        facility_ids=[masters.facility_ids[code] for code in facility_codes],
        parent_index=parent_index,
    )


def _shops_create(indices: list[int], *, seed: int, masters: _Masters) -> dict[str, int]:
    now = timezone.now()
    # Chain heads first, so every branch can point at its head's primary key.
    heads = [index for index in indices if _is_chain_head(index)]
    others = [index for index in indices if not _is_chain_head(index)]
    head_pks = dict(_demo_rows(Shop).filter(is_chain_head=True).values_list("legacy_id", "pk"))
    genre_through = _through(Shop, "genres")
    type_through = _through(Shop, "benefit_types")
    facility_through = _through(Shop, "facilities")
    counts = {"shops": 0, "benefits": 0}
    for batch in [*_batches(heads), *_batches(others)]:
        drafts = [_shop_draft(index, seed=seed, masters=masters, now=now) for index in batch]
        for draft in drafts:
            if draft.parent_index is not None:
                draft.shop.parent_id = head_pks.get(DEMO_LEGACY_BASE + draft.parent_index)
        Shop.objects.bulk_create([draft.shop for draft in drafts], batch_size=BATCH_SIZE)
        for draft in drafts:
            if draft.shop.is_chain_head:
                head_pks[draft.shop.legacy_id] = draft.shop.pk
        benefits, genres, types, facilities = [], [], [], []
        for draft in drafts:
            shop_id = draft.shop.pk
            benefits.extend((shop_id, programme_id, title, detail, order)
                            for order, (programme_id, title, detail) in enumerate(draft.benefits))
            genres.extend((shop_id, pk) for pk in draft.genre_ids)
            types.extend((shop_id, pk) for pk in draft.benefit_type_ids)
            facilities.extend((shop_id, pk) for pk in draft.facility_ids)
        _rows_insert(ShopBenefit, ["shop", "programme", "title", "detail", "sort_order"],
                     benefits)
        _rows_insert(genre_through, ["shop", "genre"], genres)
        _rows_insert(type_through, ["shop", "benefittype"], types)
        _rows_insert(facility_through, ["shop", "facility"], facilities)
        counts["shops"] += len(drafts)
        counts["benefits"] += len(benefits)
    return counts


# --- events and ふぁみなび ---------------------------------------------------------------

def _events_create(indices: list[int], *, seed: int, masters: _Masters) -> int:
    today = timezone.localdate()
    now = timezone.now()
    shop_sample = list(_demo_rows(Shop).order_by("legacy_id").values_list("pk", "name")[:500])
    genre_through = _through(Event, "genres")
    locale_id = Locale.get_default().pk  # bulk_create sends no pre_save to set it
    created = 0
    for batch in _batches(indices):
        events, genre_rows = [], []
        for index in batch:
            rng = random.Random(f"{seed}:event:{index}")
            places = masters.places
            place = places[index % len(places)] if index < 2 * len(places) \
                else masters.weighted_place(rng)
            title, genre_code = rng.choice(EVENT_KINDS)
            length = rng.choice([0, 0, 0, 1, 2, 6, 13, 29])
            if index % 2 == 0:  # half finished already, half ongoing or to come
                ends_on = today - timedelta(days=rng.randint(1, 180))
            else:
                ends_on = today + timedelta(days=rng.randint(0, 180))
            starts_on = ends_on - timedelta(days=length)
            venue = f"{place.name}{rng.choice(VENUES)}"
            shop = rng.choice(shop_sample) if shop_sample and rng.random() < 0.3 else None
            summary = f"{place.name}で「{title}」を開催します。どなたでもご参加いただけます。"
            events.append(Event(
                legacy_id=DEMO_LEGACY_BASE + index,
                locale_id=locale_id,
                title=f"{title}（{place.stem}）",
                summary=summary,
                body=(f"<p>{summary}</p><p>会場: {venue}</p>"
                      "<p>参加費は無料です。当日はパスポートをお持ちください。</p>"),
                starts_on=starts_on,
                ends_on=ends_on,
                time_note=rng.choice(["10:00〜12:00", "13:30〜15:30", "10:00〜16:00", ""]),
                venue=venue,
                municipality_id=place.pk,
                shop_id=shop[0] if shop else None,
                organiser=shop[1] if shop else f"{place.name} 子育て支援課",
                url=f"https://example.jp/events/{index + 1}" if rng.random() < 0.3 else "",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            ))
            genre_ids = {masters.genre_ids[genre_code]} if genre_code in masters.genre_ids \
                else set()
            if rng.random() < 0.3 and masters.article_genre_ids:
                genre_ids.add(rng.choice(masters.article_genre_ids))
            genre_rows.append(sorted(genre_ids))
        Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
        _rows_insert(genre_through, ["event", "genre"],
                     [(event.pk, genre_id)
                      for event, genre_ids in zip(events, genre_rows, strict=True)
                      for genre_id in genre_ids])
        created += len(events)
    return created


def _articles_create(indices: list[int], *, seed: int, masters: _Masters) -> int:
    now = timezone.now()
    genre_through = _through(Article, "genres")
    area_through = _through(Article, "areas")
    locale_id = Locale.get_default().pk  # bulk_create sends no pre_save to set it
    created = 0
    for batch in _batches(indices):
        articles, genre_rows, area_rows = [], [], []
        for index in batch:
            rng = random.Random(f"{seed}:article:{index}")
            topic, genre_code = rng.choice(ARTICLE_TOPICS)
            place = masters.weighted_place(rng) if rng.random() < 0.6 else None
            where = place.name if place else "大阪府"
            summary = f"{where}の子育て・結婚に役立つ情報「{topic}」をまとめました。"
            articles.append(Article(
                legacy_id=DEMO_LEGACY_BASE + index,
                locale_id=locale_id,
                title=f"{topic}（{where}）",
                summary=summary,
                body=(f"<p>{summary}</p>"
                      f"<h2>対象となる方</h2><p>{where}にお住まいのご家庭が対象です。</p>"
                      "<p>詳しくはお住まいの市区町村の窓口にお問い合わせください。</p>"),
                municipality_id=place.pk if place else None,
                url=f"https://example.jp/faminavi/{index + 1}" if rng.random() < 0.3 else "",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            ))
            genre_ids = {masters.genre_ids[genre_code]} if genre_code in masters.genre_ids \
                else set()
            if rng.random() < 0.4 and masters.article_genre_ids:
                genre_ids.add(rng.choice(masters.article_genre_ids))
            genre_rows.append(sorted(genre_ids))
            if place:
                area_rows.append([place.area_id])
            else:
                area_rows.append(sorted(set(rng.sample(masters.area_ids,
                                                       min(3, len(masters.area_ids))))))
        Article.objects.bulk_create(articles, batch_size=BATCH_SIZE)
        _rows_insert(genre_through, ["article", "genre"],
                     [(article.pk, genre_id)
                      for article, genre_ids in zip(articles, genre_rows, strict=True)
                      for genre_id in genre_ids])
        _rows_insert(area_through, ["article", "area"],
                     [(article.pk, area_id)
                      for article, area_ids in zip(articles, area_rows, strict=True)
                      for area_id in area_ids])
        created += len(articles)
    return created


# --- members ------------------------------------------------------------------------------

def _member_number(index: int) -> str:
    return f"27{DEMO_MEMBER_BASE + index:08d}"


def _demo_members() -> models.QuerySet:
    return Member.objects.filter(member_number__gte=_member_number(0),
                                 member_number__lte=_member_number(9_999_999))


def _members_create(wanted: int, *, seed: int, masters: _Masters,
                    password_hash: str) -> dict[str, int]:
    existing = set(_demo_members().values_list("member_number", flat=True))
    indices = [index for index in range(wanted) if _member_number(index) not in existing]
    today = timezone.localdate()
    genre_through = Member.preferred_genres.through
    counts = {"members": 0, "children": 0}
    for batch in _batches(indices):
        users, members, children, genre_rows = [], [], [], []
        for index in batch:
            rng = random.Random(f"{seed}:member:{index}")
            family, family_kana = rng.choice(FAMILY_NAMES)
            given, given_kana = rng.choice(GIVEN_NAMES)
            users.append(User(email=f"demo-member{index + 1:05d}@example.jp",
                              password=password_hash, last_name=family, first_name=given))
            member = Member(
                member_number=_member_number(index), family_name=family, given_name=given,
                family_name_kana=family_kana, given_name_kana=given_kana,
                municipality_id=masters.weighted_place(rng).pk,
                notify_by_email=rng.random() < 0.3, notify_by_push=rng.random() < 0.7,
            )
            births: list[date] = []
            roll = rng.random()
            if roll < 0.55:  # raising children, sometimes expecting another
                births = [today - timedelta(days=rng.randint(0, 17 * 365))
                          for _child in range(rng.randint(1, 3))]
                if rng.random() < 0.1:
                    member.due_date = today + timedelta(days=rng.randint(20, 270))
                if rng.random() < 0.5:
                    member.marriage_date = min(births) - timedelta(days=rng.randint(200, 2000))
            elif roll < 0.65:  # expecting a first child
                member.due_date = today + timedelta(days=rng.randint(20, 270))
            elif roll < 0.85:  # married within the year
                member.marriage_date = today - timedelta(days=rng.randint(0, 330))
            else:  # planning to marry
                member.planned_marriage_date = today + timedelta(days=rng.randint(30, 330))
            members.append(member)
            children.append([(birth, rng.choice(CHILD_NICKNAMES)) for birth in sorted(births)])
            genre_rows.append(sorted(set(rng.sample(list(masters.genre_ids.values()),
                                                    rng.randint(0, 3)))))
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        for user, member in zip(users, members, strict=True):
            member.user_id = user.pk
        Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
        child_rows = [(member.pk, birth, nickname)
                      for member, kids in zip(members, children, strict=True)
                      for birth, nickname in kids]
        _rows_insert(Child, ["member", "birth_date", "nickname"], child_rows)
        _rows_insert(genre_through, ["member", "genre"],
                     [(member.pk, genre_id)
                      for member, genre_ids in zip(members, genre_rows, strict=True)
                      for genre_id in genre_ids])
        counts["members"] += len(members)
        counts["children"] += len(child_rows)
    return counts


# --- back-office accounts -----------------------------------------------------------------

def _staff_ensure(*, password_hash: str) -> int:
    roles_sync()
    groups = {group.name: group for group in Group.objects.filter(
        name__in=[role for _email, role, *_rest in DEMO_STAFF])}
    created = 0
    for email, role, last_name, first_name, municipality_code in DEMO_STAFF:
        municipality = (Municipality.objects.get(code=municipality_code)
                        if municipality_code else None)
        user, was_created = User.objects.get_or_create(email=email, defaults={
            "password": password_hash, "last_name": last_name, "first_name": first_name,
            "municipality": municipality, "is_staff": False, "is_superuser": False,
        })
        created += was_created
        user.groups.add(groups[role])
        if role == SHOP_OWNER:
            owner, _owner_created = Owner.objects.get_or_create(
                user=user, defaults={"name": f"{last_name} {first_name}",
                                     "phone": "06-6941-0351"})
            for shop in _demo_rows(Shop).filter(legacy_id__lt=DEMO_LEGACY_BASE + 2):
                OwnerShop.objects.get_or_create(owner=owner, shop=shop)
    return created


def demo_staff_enrolment_links() -> list[tuple[str, str]]:
    """(e-mail, link) for each demo account that must use a second factor and has no
    authenticator yet: an authenticator is registered only through such a link
    (staffauth), so `make run` prints them for the developer. Empty when the second
    factor is switched off (STAFF_TWO_FACTOR_REQUIRED=false)."""
    from staffauth.services import device_for, enrolment_link_send, two_factor_required

    links = []
    for user in User.objects.filter(email__in=[row[0] for row in DEMO_STAFF]).order_by("pk"):
        if two_factor_required(user) and device_for(user) is None:
            links.append((user.email, enrolment_link_send(user)))
    return links


# --- the service ------------------------------------------------------------------------------

@transaction.atomic
def demo_seed(*, shops: int, seed: int = 42) -> dict:
    """Load the masters and top the demo data up to `shops` shops (idempotent).

    Returns counts: totals of demo rows (`shops`, `events`, …) and what this run
    created (`shops_created`, …)."""
    shops = shops_count_parse(shops)
    masters_load()
    masters = _masters_read()
    # One hash for every demo account: PBKDF2 per row would take minutes.
    password_hash = make_password(DEMO_PASSWORD)

    with _gc_paused():
        shop_counts = _shops_create(_missing(Shop, shops), seed=seed, masters=masters)
        events_created = _events_create(_missing(Event, event_count(shops)), seed=seed,
                                        masters=masters)
        articles_created = _articles_create(_missing(Article, article_count(shops)),
                                            seed=seed, masters=masters)
        member_counts = _members_create(member_count(shops), seed=seed, masters=masters,
                                        password_hash=password_hash)
    staff_created = _staff_ensure(password_hash=password_hash)
    return {
        "shops": _demo_rows(Shop).count(),
        "shops_created": shop_counts["shops"],
        "benefits_created": shop_counts["benefits"],
        "events": _demo_rows(Event).count(),
        "events_created": events_created,
        "articles": _demo_rows(Article).count(),
        "articles_created": articles_created,
        "members": _demo_members().count(),
        "members_created": member_counts["members"],
        "children_created": member_counts["children"],
        "staff": User.objects.filter(email__in=[row[0] for row in DEMO_STAFF]).count(),
        "staff_created": staff_created,
    }
