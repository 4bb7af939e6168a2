"""A realistic legacy export, with every class of fault a real hand-over brings, for the
tests and the import benchmark (benchmarks/legacy_export_make.py).

Every file is CP932 with CRLF line ends, as the old vendor's Windows tools write them,
in the columns of default_mapping.toml. Mixed in, at fixed intervals (so any size has
them all):

- shops in both programmes as one row with GROUP "1,2" (a list column), others as one
  row per GROUP (the legacy public API's shape);
- withdrawn shops (KOKAIFLG 0), registration dates in Western and Japanese eras;
- unreadable optional values (a latitude "不明", a registration date "不明") and
  impossible member dates (令和6年13月1日, 2020/02/30);
- repeated keys (a SHOPID and GROUP row twice, a USERID twice);
- half-width kana in shop names and member kana (ｶﾌｪ);
- a shop outside the prefecture, an invalid e-mail, favourites of unknown shops;
- article genres whose legacy codes collide with shop genre codes (one master table with
  two kinds), and an article linked to a shop genre;
- with delta=True, the later export: shops deleted at the source, favourites moved.

`export_write` returns what the import must make of it (`ExportTruth`), so a test can
check that nothing is lost silently, nothing hidden is published, and every row that
needs a decision is named in the report.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

MUNICIPALITIES = ["大阪市中央区", "大阪市北区", "堺市堺区", "豊中市", "吹田市", "高槻市",
                  "枚方市", "東大阪市", "八尾市", "岸和田市", "茨木市", "寝屋川市"]
DJANGO_HASH = ("pbkdf2_sha256$1000000$benchsalt$"
               "I6nJ7Ns7cjz3WlXy3OZ4mTcN0dYq8Gp0y6c7xQkSP3E=")
SHOP_GENRES = {"01": "飲食", "02": "カフェ・喫茶", "03": "衣料品・ファッション", "04": "レジャー・娯楽"}
# The same codes, another kind: article genres are a list of their own.
ARTICLE_GENRES = {"01": "お金・手当", "02": "子育て", "03": "相談窓口"}
SHOP_HEADER = ["SHOPID", "SHOPNAME", "SHOPKANA", "JUSHO", "TEL", "YUBINNO", "TOKUTENTITLE",
               "TOKUTENDETAIL", "COMMENT", "IDO", "KEDO", "CHAINFLG", "GROUP", "KOKAIFLG",
               "TOUROKUBI"]
USER_HEADER = ["USERID", "MAIL", "PASSWORD", "SEI", "MEI", "SEIKANA", "MEIKANA", "CITYCODE",
               "SHUSSANYOTEIBI", "KEKKONBI", "KEKKONYOTEIBI", "KODOMO1", "KODOMO2", "MAILFLG",
               "TOUROKUBI", "GROUP"]


@dataclass
class ExportTruth:
    """What a correct import makes of the export."""

    shops: set[int] = field(default_factory=set)  # every SHOPID in shop.csv
    hidden: set[int] = field(default_factory=set)  # KOKAIFLG 0: must not be published
    both_programmes: set[int] = field(default_factory=set)  # GROUP "1,2"
    halfwidth: set[int] = field(default_factory=set)  # names written in half-width kana
    rejected_shops: set[int] = field(default_factory=set)  # genuine faults: not imported
    users: set[int] = field(default_factory=set)
    rejected_users: set[int] = field(default_factory=set)
    deleted_shops: set[int] = field(default_factory=set)  # delta: gone from the export
    favourites: dict[int, set[int]] = field(default_factory=dict)  # USERID → SHOPIDs
    # (file, line, legacy id) of every row the report must name.
    decisions: list[tuple[str, int, str]] = field(default_factory=list)


class _File:
    def __init__(self, folder: Path, name: str, header: list[str]):
        self.name = name
        self.handle = (folder / name).open("w", encoding="cp932", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(header)
        self.line = 1

    def row(self, values) -> int:
        self.writer.writerow(values)
        self.line += 1
        return self.line

    def close(self):
        self.handle.close()


def _era(day: int, month: int, year: int) -> str:
    if year >= 2020:
        return f"令和{year - 2018}年{month}月{day}日"
    return f"{year}/{month}/{day}"


def export_write(folder: Path | str, *, shops: int = 100, users: int = 300, seed: int = 42,
                 delta: bool = False) -> ExportTruth:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    truth = ExportTruth()
    decide = truth.decisions.append

    shop_file = _File(folder, "shop.csv", SHOP_HEADER)
    chains = []
    for shop_id in range(1, shops + 1):
        if delta and shop_id % 97 == 0:
            truth.deleted_shops.add(shop_id)  # deleted in the legacy system meanwhile
            continue
        place = MUNICIPALITIES[shop_id % len(MUNICIPALITIES)]
        name, kana = f"ベンチ商店{shop_id}", f"ベンチショウテン{shop_id}"
        if shop_id % 19 == 0:
            name, kana = f"ｶﾌｪ ﾍﾞﾝﾁ{shop_id}号店", f"ｶﾌｪﾍﾞﾝﾁ{shop_id}ｺﾞｳﾃﾝ"
            truth.halfwidth.add(shop_id)
        address = f"大阪府{place}本町{shop_id % 50 + 1}-1"
        if shop_id % 29 == 0:
            address = f"東京都千代田区丸の内{shop_id % 3 + 1}-1"  # not in the prefecture
            truth.rejected_shops.add(shop_id)
        published = "0" if shop_id % 11 == 0 else "1"
        if published == "0":
            truth.hidden.add(shop_id)
        latitude = f"{34.5 + rng.random() * 0.3:.6f}"
        bad_latitude = shop_id % 13 == 0
        if bad_latitude:
            latitude = "不明"
        registered = _era(shop_id % 28 + 1, shop_id % 12 + 1, 2010 + shop_id % 15)
        bad_registered = shop_id % 31 == 0
        if bad_registered:
            registered = "不明"
        groups = "1,2" if shop_id % 7 == 0 else str(rng.choice([1, 1, 2]))
        if groups == "1,2":
            truth.both_programmes.add(shop_id)
        row = [shop_id, name, kana, address, f"06-{6000 + shop_id % 1000}-{shop_id % 10000:04d}",
               f"5{rng.randint(30, 99)}{rng.randint(0, 9999):04d}", "お会計から5%引き",
               "カードをご提示ください", "お子さま連れ歓迎", latitude,
               f"{135.4 + rng.random() * 0.2:.6f}", 1 if shop_id % 10 == 1 else 0, groups,
               published, registered]
        line = shop_file.row(row)
        truth.shops.add(shop_id)
        if shop_id in truth.rejected_shops:
            decide(("shop.csv", line, str(shop_id)))
        if bad_latitude or bad_registered:
            decide(("shop.csv", line, str(shop_id)))
        if shop_id % 5 == 0 and groups != "1,2":
            # The legacy shape: one more row for the other programme.
            other = "2" if groups == "1" else "1"
            shop_file.row([*row[:6], "ドリンク1杯無料", "", *row[8:12], other, *row[13:]])
            truth.both_programmes.add(shop_id)
        if shop_id % 17 == 0:
            line = shop_file.row(row)  # the same SHOPID and GROUP again
            decide(("shop.csv", line, str(shop_id)))
        if shop_id % 10 in (2, 3) and shop_id - shop_id % 10 + 1 in truth.shops:
            chains.append([shop_id - shop_id % 10 + 1, shop_id])
    shop_file.close()
    imported_shops = truth.shops - truth.rejected_shops
    _simple(folder, "shop_chain.csv", ["PARENTSHOPID", "SHOPID"],
            [pair for pair in chains if set(pair) <= imported_shops])
    _simple(folder, "shop_genre.csv", ["SHOPID", "GENRE"],
            [[shop_id, f"0{shop_id % 4 + 1}"] for shop_id in sorted(truth.shops)])
    _simple(folder, "master.csv", ["KBN", "CODE", "NAME"],
            [["GENRE", code, name] for code, name in SHOP_GENRES.items()]
            + [["FAMINAVIGENRE", code, name] for code, name in ARTICLE_GENRES.items()]
            + [["TOKUTEN", "1", "割引"], ["TOKUTEN", "2", "プレゼント"]])
    owners = [[owner_id, f"owner{owner_id}@example.jp", DJANGO_HASH, f"店主{owner_id}", ""]
              for owner_id in range(1, shops // 10 + 2)]
    _simple(folder, "owner.csv", ["OWNERID", "MAIL", "PASSWORD", "NAME", "TEL"], owners)
    _simple(folder, "owner_shop.csv", ["OWNERID", "SHOPID"],
            [[shop_id // 10 + 1, shop_id] for shop_id in sorted(imported_shops)
             if shop_id % 10 == 1])

    user_file = _File(folder, "users.csv", USER_HEADER)
    favourites = []
    favourite_file = "users_favorite.csv"
    shop_list = sorted(imported_shops)
    for user_id in range(1, users + 1):
        kana = ("ｵｵｻｶ", "ﾊﾅｺ") if user_id % 8 == 0 else ("オオサカ", "ハナコ")
        kids = [_era(rng.randint(1, 28), rng.randint(1, 12), rng.randint(2016, 2024))
                for _ in range(rng.randint(0, 2))] + ["", ""]
        decision = False
        if user_id % 9 == 0:
            kids[0], decision = "令和6年13月1日", True  # an impossible child birth date
        marriage = ""
        if user_id % 10 == 0:
            marriage, decision = "2020/02/30", True
        email = f"bench{user_id}@example.jp"
        if user_id % 41 == 0:
            email = f"bench{user_id}-at-example.jp"  # not an e-mail address
            truth.rejected_users.add(user_id)
            decision = True
        # The legacy member's programmes: 子育て with children, both for some (a member
        # without a marriage date the portal will not admit to 結婚: listed).
        programme = ("1" if kids[0] and user_id % 9 else "") + (",2" if user_id % 12 == 0
                                                                 else "")
        programme = programme.strip(",")
        row = [user_id, email, DJANGO_HASH if user_id % 10 else "legacy-md5-hash",
               "大阪", "花子", *kana, "271004", "", marriage, "", kids[0], kids[1],
               user_id % 2, _era(user_id % 28 + 1, user_id % 12 + 1, 2015 + user_id % 9),
               programme]
        line = user_file.row(row)
        truth.users.add(user_id)
        if decision:
            decide(("users.csv", line, str(user_id)))
        if user_id % 37 == 0:
            line = user_file.row([user_id, f"again{user_id}@example.jp", *row[2:]])
            decide(("users.csv", line, str(user_id)))
        if user_id in truth.rejected_users or not shop_list:
            continue
        shop = shop_list[(user_id * 7 + (3 if delta and user_id % 5 == 0 else 0))
                         % len(shop_list)]
        chosen = {shop}
        if user_id % 3 == 0 and not (delta and user_id % 6 == 0):
            chosen.add(shop_list[(user_id * 13) % len(shop_list)])
        truth.favourites[user_id] = chosen
        favourites.extend([user_id, shop_id] for shop_id in sorted(chosen))
        if user_id % 43 == 0:
            favourites.append([user_id, shops + 10_000 + user_id])  # no such shop
    user_file.close()
    favourite_lines = _simple(folder, favourite_file, ["USERID", "SHOPID"], favourites)
    for (user_id, shop_id), line in zip(favourites, favourite_lines, strict=True):
        if shop_id > shops:
            decide((favourite_file, line, str(user_id)))

    articles = max(3, shops // 50)
    _simple(folder, "faminavi.csv", ["FAMINAVIID", "TITLE", "NAIYO", "KOKAIFLG"],
            [[article, f"子育て情報{article}", f"<p>本文{article}</p>",
              "0" if article % 4 == 0 else "1"] for article in range(1, articles + 1)])
    genre_rows = [[article, f"0{article % 3 + 1}"] for article in range(1, articles + 1)]
    genre_rows.append([1, "飲食"])  # a shop genre given to an article: rejected, listed
    genre_lines = _simple(folder, "faminavi_genre.csv", ["FAMINAVIID", "GENRE"], genre_rows)
    decide(("faminavi_genre.csv", genre_lines[-1], "1"))
    _simple(folder, "event.csv", ["EVENTID", "TITLE", "KAISHIBI", "CITYCODE", "KOKAIFLG"],
            [[event, f"親子イベント{event}", "令和7年8月1日", "271004",
              "0" if event % 2 == 0 else "1"] for event in range(1, 5)])
    for table, value in (("shop_counter", shops + 3), ("users_counter", users + 5),
                         ("owner_counter", len(owners)), ("event_counter", 4),
                         ("faminavi_counter", articles)):
        _simple(folder, f"{table}.csv", ["COUNTER"], [[value]])
    return truth


def _simple(folder: Path, name: str, header, rows) -> list[int]:
    """Write one file; the line of each row."""
    handle = _File(folder, name, header)
    lines = [handle.row(row) for row in rows]
    handle.close()
    return lines
