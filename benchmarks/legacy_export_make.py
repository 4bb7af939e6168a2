"""Write a synthetic legacy export (one CSV per legacy table) for the import benchmark.

    python benchmarks/legacy_export_make.py DIR --shops 100000 --users 300000

The shop table is CP932 (as the old vendor's Excel would write it), the others
UTF-8. Every user has 0–2 children, a favourite shop and a genre; every tenth
shop is a chain head with two branches; one in ten legacy passwords is not a
Django hash (so the password set-up path is exercised too). Shop genres are legacy
master codes (master.csv maps them); 3 % of the shops have a shop_temp (two in three
awaiting approval, with their genres and chain); faminavi_area / faminavi_city and the
*_counter tables are written too."""

import argparse
import csv
import random
from pathlib import Path

MUNICIPALITIES = ["大阪市中央区", "大阪市北区", "堺市堺区", "豊中市", "吹田市", "高槻市",
                  "枚方市", "東大阪市", "八尾市", "岸和田市", "茨木市", "寝屋川市"]
DJANGO_HASH = ("pbkdf2_sha256$1000000$benchsalt$"
               "I6nJ7Ns7cjz3WlXy3OZ4mTcN0dYq8Gp0y6c7xQkSP3E=")


def _write(path: Path, header, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--shops", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=300_000)
    options = parser.parse_args()
    folder = options.directory
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)
    shops, chains = [], []
    for shop_id in range(1, options.shops + 1):
        place = rng.choice(MUNICIPALITIES)
        group = rng.choice([1, 1, 2])
        shops.append([shop_id, f"ベンチ商店{shop_id}", f"大阪府{place}本町{shop_id % 50 + 1}-1",
                      f"06-{6000 + shop_id % 1000}-{shop_id % 10000:04d}",
                      f"5{rng.randint(30, 99)}{rng.randint(0, 9999):04d}",
                      "お会計から5%引き", "カードをご提示ください", "お子さま連れ歓迎",
                      f"{34.5 + rng.random() * 0.3:.6f}", f"{135.4 + rng.random() * 0.2:.6f}",
                      1 if shop_id % 10 in (1, 2, 3) else 0, group])
        if shop_id % 10 in (2, 3):
            chains.append([shop_id - shop_id % 10 + 1, shop_id])
    _write(folder / "shop.csv", ["SHOPID", "SHOPNAME", "JUSHO", "TEL", "YUBINNO",
                                 "TOKUTENTITLE", "TOKUTENDETAIL", "COMMENT", "IDO", "KEDO",
                                 "CHAINFLG", "GROUP"], shops, "cp932")
    _write(folder / "shop_chain.csv", ["PARENTSHOPID", "SHOPID"], chains)
    genres = {"01": "飲食", "02": "カフェ・喫茶", "03": "衣料品・ファッション", "04": "レジャー・娯楽"}
    shop_genres = [[shop_id, rng.choice(list(genres))] for shop_id in range(1, options.shops + 1)]
    _write(folder / "shop_genre.csv", ["SHOPID", "GENRE"], shop_genres)
    _write(folder / "master.csv", ["KBN", "CODE", "NAME"],
           [["GENRE", code, name] for code, name in genres.items()]
           + [["TOKUTEN", "1", "割引"], ["TOKUTEN", "2", "プレゼント"]])
    _write(folder / "faminavi_area.csv", ["AREAID", "AREANAME"],
           [[1, "大阪市"], [2, "堺市"], [3, "豊能"], [4, "三島"]])
    _write(folder / "faminavi_city.csv", ["CITYID", "CITYNAME", "AREAID", "JISCODE"],
           [[1, "大阪市", 1, "27100"], [2, "堺市", 2, "27140"], [3, "豊中市", 3, ""],
            [4, "高槻市", 4, ""]])
    # shop_temp: the editable copy of 3 % of the shops, two in three awaiting approval.
    temps, temp_genres, temp_chains = [], [], []
    parent_of = {child: parent for parent, child in chains}
    for row in shops:
        shop_id = row[0]
        if rng.random() >= 0.03:
            continue
        temps.append([shop_id, f"{row[1]}（改装）", *row[2:], 1 if rng.random() < 2 / 3 else 0])
        temp_genres.append([shop_id, rng.choice(list(genres))])
        if shop_id in parent_of:
            temp_chains.append((parent_of[shop_id], shop_id))
        temp_chains.extend((parent, child) for parent, child in chains if parent == shop_id)
    temp_chains = sorted(set(temp_chains))
    header = ["SHOPID", "SHOPNAME", "JUSHO", "TEL", "YUBINNO", "TOKUTENTITLE", "TOKUTENDETAIL",
              "COMMENT", "IDO", "KEDO", "CHAINFLG", "GROUP"]
    _write(folder / "shop_temp.csv", [*header, "SHINSEIFLG"], temps, "cp932")
    _write(folder / "shop_temp_genre.csv", ["SHOPID", "GENRE"], temp_genres)
    _write(folder / "shop_temp_chain.csv", ["PARENTSHOPID", "SHOPID"], temp_chains)
    for table, value in (("shop_counter", options.shops + 3), ("users_counter", options.users + 5),
                         ("owner_counter", 0), ("event_counter", 0), ("faminavi_counter", 0)):
        _write(folder / f"{table}.csv", ["COUNTER"], [[value]])
    users, favourites = [], []
    for user_id in range(1, options.users + 1):
        kids = [f"令和{rng.randint(2, 6)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
                for _ in range(rng.randint(0, 2))] + ["", ""]
        users.append([user_id, f"bench{user_id}@example.jp",
                      DJANGO_HASH if user_id % 10 else "legacy-md5-hash",
                      "大阪", "花子", "271004", "", "", "", kids[0], kids[1], user_id % 2])
        favourites.append([user_id, rng.randint(1, options.shops)])
    _write(folder / "users.csv", ["USERID", "MAIL", "PASSWORD", "SEI", "MEI", "CITYCODE",
                                  "SHUSSANYOTEIBI", "KEKKONBI", "KEKKONYOTEIBI", "KODOMO1",
                                  "KODOMO2", "MAILFLG"], users)
    _write(folder / "users_favorite.csv", ["USERID", "SHOPID"], favourites)
    print(f"wrote {len(shops)} shops ({len(temps)} with a shop_temp), {len(users)} users to "
          f"{folder}")


if __name__ == "__main__":
    main()
