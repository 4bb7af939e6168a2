"""The legacy import against the faults a real hand-over brings (issue 17): each test
writes a small CP932 export of its own, in the legacy style, and imports it as a new
user would, adapting only the mapping. One test per class of fault, then a mixed
export with all of them (operations/legacy/sample_export.py)."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils.timezone import localtime

from directory.events.models import Event
from directory.faminavi.models import Article
from directory.members.models import Favourite, Member
from directory.shops.models import Owner, OwnerShop, Shop
from directory.text import typed
from operations.legacy.importer import EMPTIED, KEPT_FIRST, KEPT_LAST, REJECTED, legacy_import
from operations.legacy.mapping import DEFAULT_MAPPING
from operations.legacy.sample_export import export_write
from operations.models import LegacyImportRun

pytestmark = pytest.mark.django_db

SHOP_HEADER = ["SHOPID", "SHOPNAME", "SHOPKANA", "JUSHO", "YUBINNO", "TOKUTENTITLE", "GROUP"]
USER_HEADER = ["USERID", "MAIL", "SEI", "SEIKANA", "KEKKONBI", "KODOMO1", "KODOMO2"]


def _write(folder, name, header, rows, *, encoding="cp932", raw_tail=""):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes((buffer.getvalue() + raw_tail).encode(encoding))


def _shop(shop_id, name="ひまわり食堂", group="1", kana="ヒマワリショクドウ"):
    return [shop_id, name, kana, "大阪府大阪市中央区大手前2丁目1", "5408570", "5%引き", group]


def _export(folder, shops=None, users=None, **extra):
    _write(folder, "shop.csv", SHOP_HEADER, shops if shops is not None else [
        _shop(1), _shop(2, "さくら書店")])
    _write(folder, "users.csv", USER_HEADER, users if users is not None else [
        [1, "hanako@example.jp", "大阪", "オオサカ", "", "", ""]])
    for name, (header, rows) in extra.items():
        _write(folder, f"{name}.csv", header, rows)
    return folder


def _mapping(tmp_path, *replacements, name="mapping.toml"):
    """The shipped mapping with a few edits, as a new user adapts it."""
    text = DEFAULT_MAPPING.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _issues(report, file, line=None):
    return [issue for issue in report.issues
            if issue.file == file and (line is None or issue.line == line)]


def _counts():
    """Row counts of the tables an import writes, and every id sequence's position."""
    from django.apps import apps

    counts = {model._meta.db_table: model.objects.count() for model in apps.get_models()
              if model._meta.app_label in ("shops", "members", "accounts", "events",
                                           "faminavi", "operations", "masters", "wagtailcore")}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename FROM pg_sequences "
                           "WHERE schemaname = current_schema()")
            for (name,) in cursor.fetchall():
                cursor.execute(f'SELECT last_value, is_called FROM "{name}"')  # noqa: S608
                counts[f"sequence {name}"] = cursor.fetchone()
        else:
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            counts.update({f"sequence {name}": seq for name, seq in cursor.fetchall()})
    return counts


def _next_id(model):
    """The id the next row of the model will get."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            name = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {name}")  # noqa: S608
            last_value, is_called = cursor.fetchone()
            return last_value + 1 if is_called else last_value
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return max(row[0] if row else 0, top) + 1


# 1. Multi-valued codes -----------------------------------------------------------------

def test_group_list_column_gives_one_shop_in_both_programmes(masters, tmp_path):
    folder = _export(tmp_path / "e", shops=[_shop(1, group="1,2"), _shop(2, group="2")],
                     users_favorite=(["USERID", "SHOPID"], [[1, 1]]))
    report = legacy_import(directory=folder)
    assert not report.errors, report.as_text()
    shop = Shop.objects.get(legacy_id=1)
    assert sorted(shop.benefits.values_list("programme__legacy_group", flat=True)) == [1, 2]
    assert Favourite.objects.filter(member__legacy_id=1, shop=shop).exists()

    # A mapping without the separator says so, instead of reading "1,2" as 12.
    plain = _mapping(tmp_path, ('GROUP = { field = "programme_group", separator = "," }',
                                'GROUP = "programme_group"'))
    again = legacy_import(directory=folder, mapping_path=plain, dry_run=True)
    [issue] = _issues(again, "shop.csv", 2)
    assert "separator" in issue.message and issue.field == "programme_group"
    assert "12" not in issue.message.split(":")[0]


# 2. Visibility flags and dates ---------------------------------------------------------

def test_publish_flag_hides_shops_and_dates_are_kept(masters, tmp_path):
    header = [*SHOP_HEADER, "KOKAIFLG", "TOUROKUBI"]
    folder = tmp_path / "e"
    _write(folder, "shop.csv", header, [
        [*_shop(1), "1", "平成30年4月1日"], [*_shop(2, "撤退した店"), "0", "2015/06/01"],
        [*_shop(3, "謎の店"), "?", ""]])
    _write(folder, "users.csv", [*USER_HEADER, "TOUROKUBI", "GROUP"], [
        [1, "hanako@example.jp", "大阪", "", "", "", "", "R2.1.15", "2"]])
    report = legacy_import(directory=folder)
    assert Shop.objects.get(legacy_id=1).live
    assert str(localtime(Shop.objects.get(legacy_id=1).created_at).date()) == "2018-04-01"
    hidden = Shop.objects.get(legacy_id=2)
    assert not hidden.live and not Shop.objects.public().filter(legacy_id=2).exists()
    # A flag that cannot be read never publishes: hidden, and listed.
    assert not Shop.objects.get(legacy_id=3).live
    assert [issue.field for issue in _issues(report, "shop.csv", 4)] == ["published"]
    member = Member.objects.get(legacy_id=1)
    assert str(localtime(member.created_at).date()) == "2020-01-15"
    assert str(localtime(member.user.date_joined).date()) == "2020-01-15"
    # In 結婚 in the old system, but no marriage date: the portal would not admit them.
    assert any(issue.field == "programme" for issue in _issues(report, "users.csv", 2))

    # The secretariat withdraws shop 1 at the source: the delta unpublishes it.
    _write(folder, "shop.csv", header, [[*_shop(1), "0", "平成30年4月1日"],
                                        [*_shop(2, "撤退した店"), "0", "2015/06/01"]])
    legacy_import(directory=folder)
    assert not Shop.objects.get(legacy_id=1).live


# 3. One bad optional value -------------------------------------------------------------

def test_bad_optional_value_empties_the_field_not_the_record(masters, tmp_path):
    folder = _export(tmp_path / "e", users=[
        [1, "hanako@example.jp", "大阪", "", "2020/02/30", "令和6年13月1日", "令和2年5月5日"]],
        users_favorite=(["USERID", "SHOPID"], [[1, 1]]))
    _write(folder, "shop.csv", [*SHOP_HEADER, "IDO", "KEDO", "TEL"], [
        [*_shop(1), "不明", "135.52", "06-6941-0351"], [*_shop(2), "34.69", "135.52", "abc"]])
    report = legacy_import(directory=folder)
    member = Member.objects.get(legacy_id=1)
    assert member.user.email == "hanako@example.jp" and member.marriage_date is None
    assert [str(child.birth_date) for child in member.children.all()] == ["2020-05-05"]
    assert Favourite.objects.filter(member=member).count() == 1
    listed = {(issue.field, issue.action, issue.legacy_id)
              for issue in _issues(report, "users.csv", 2)}
    assert listed == {("marriage_date", EMPTIED, "1"), ("child_birth_date", EMPTIED, "1")}
    assert Shop.objects.get(legacy_id=1).latitude is None
    assert Shop.objects.get(legacy_id=2).phone == ""
    assert {issue.field for issue in _issues(report, "shop.csv", 3)} == {"phone"}
    assert not report.errors


# 4. Duplicate keys -------------------------------------------------------------------------

def test_repeated_key_keeps_one_row_and_lists_the_other(masters, tmp_path):
    folder = _export(tmp_path / "e", shops=[_shop(1, "先の行"), _shop(1, "後の行")], users=[
        [1, "first@example.jp", "", "", "", "", ""], [1, "second@example.jp", "", "", "", "", ""]])
    report = legacy_import(directory=folder)
    assert Shop.objects.get(legacy_id=1).name == "先の行"
    assert Member.objects.get(legacy_id=1).user.email == "first@example.jp"
    assert [(i.legacy_id, i.action) for i in _issues(report, "shop.csv", 3)] == [
        ("1", KEPT_FIRST)]
    assert [(i.legacy_id, i.action) for i in _issues(report, "users.csv", 3)] == [
        ("1", KEPT_FIRST)]

    last = _mapping(tmp_path, ('required_file = true\nrequired = ["legacy_id", "name", '
                               '"address"]', 'required_file = true\non_duplicate = "last"\n'
                               'required = ["legacy_id", "name", "address"]'))
    report = legacy_import(directory=folder, mapping_path=last)
    assert Shop.objects.get(legacy_id=1).name == "後の行"
    assert [i.action for i in _issues(report, "shop.csv", 2)] == [KEPT_LAST]


# 5. All or nothing ---------------------------------------------------------------------

@pytest.mark.parametrize("cut", ["mid-quoted-field", "mid-row", "missing-required-file"])
def test_unusable_file_leaves_the_database_untouched(masters, tmp_path, cut):
    folder = _export(tmp_path / "e", event=(["EVENTID", "TITLE", "KAISHIBI", "CITYCODE"], [
        [1, "親子クッキング", "令和7年8月1日", "271004"]]))
    users = [[n, f"u{n}@example.jp", "", "", "", "", ""] for n in range(1, 6)]
    if cut == "mid-quoted-field":
        _write(folder, "users.csv", USER_HEADER, users, raw_tail='6,"u6@exam')
    elif cut == "mid-row":
        _write(folder, "users.csv", USER_HEADER, users, raw_tail="6,u6@example.jp,大阪")
    else:
        (folder / "shop.csv").unlink()
    before = _counts()
    report = legacy_import(directory=folder)
    assert report.fatal
    assert _counts() == before
    assert not Member.objects.exists() and not Event.objects.exists()
    assert any(issue.action.startswith("実行を中止") for issue in report.errors)
    with pytest.raises(CommandError):
        call_command("import_legacy", str(folder))
    assert _counts() == before


def test_row_faults_never_abort_the_run(masters, tmp_path):
    folder = _export(tmp_path / "e", shops=[_shop(1), _shop(2, group="9"),
                                            [3, "列が足りない"]])
    report = legacy_import(directory=folder)
    assert not report.fatal
    assert set(Shop.objects.values_list("legacy_id", flat=True)) == {1}
    assert {issue.line for issue in report.errors if issue.file == "shop.csv"} == {3, 4}


# 6. A typo in a column name --------------------------------------------------------------

def test_mapped_column_missing_from_header_stops_unless_optional(masters, tmp_path):
    folder = _export(tmp_path / "e")
    legacy_import(directory=folder)
    typo = _mapping(tmp_path, ('SHOPKANA = "name_kana"', 'SHOPKANAA = "name_kana"'),
                    ('"SHOPKANA",', '"BUILDING",'))  # the typo is not marked optional
    report = legacy_import(directory=folder, mapping_path=typo)
    assert report.fatal and "SHOPKANAA" in str(report.errors[0])
    assert Shop.objects.get(legacy_id=1).name_kana == "ヒマワリショクドウ"

    optional = _mapping(tmp_path, ('SHOPKANA = "name_kana"', 'SHOPKANAA = "name_kana"'),
                        ('"SHOPKANA",', '"SHOPKANAA",'), name="optional.toml")
    report = legacy_import(directory=folder, mapping_path=optional)
    assert not report.fatal
    # An absent optional column never overwrites: the kana stays.
    assert Shop.objects.get(legacy_id=1).name_kana == "ヒマワリショクドウ"
    assert any("SHOPKANAA" in issue.message for issue in _issues(report, "shop.csv", 1))


# 7. Link tables on a delta and deletions -----------------------------------------------

def test_link_tables_become_what_the_export_says(masters, tmp_path):
    links = {
        "users_favorite": (["USERID", "SHOPID"], [[1, 8]]),
        "shop_genre": (["SHOPID", "GENRE"], [[1, "restaurant"], [8, "cafe"]]),
        "owner": (["OWNERID", "MAIL"], [[1, "owner@example.jp"]]),
        "owner_shop": (["OWNERID", "SHOPID"], [[1, 8]]),
    }
    shops = [_shop(1), _shop(8, "閉店する店")]
    legacy_import(directory=_export(tmp_path / "e1", shops=shops, **links))
    links["users_favorite"] = (["USERID", "SHOPID"], [[1, 1]])
    links["shop_genre"] = (["SHOPID", "GENRE"], [[1, "cafe"]])
    links["owner_shop"] = (["OWNERID", "SHOPID"], [[1, 1]])
    folder = _export(tmp_path / "e2", shops=[_shop(1)], **links)
    report = legacy_import(directory=folder)
    assert list(Favourite.objects.values_list("shop__legacy_id", flat=True)) == [1]
    assert list(Shop.objects.get(legacy_id=1).genres.values_list("code", flat=True)) == ["cafe"]
    assert list(OwnerShop.objects.values_list("shop__legacy_id", flat=True)) == [1]
    # Shop 8, deleted at the source: listed, still live until asked.
    assert report.missing == {"shop": [8]}
    assert any(issue.legacy_id == "8" for issue in report.warnings)
    assert Shop.objects.get(legacy_id=8).live
    call_command("import_legacy", str(folder), "--unpublish-missing")
    assert not Shop.objects.get(legacy_id=8).live
    assert LegacyImportRun.objects.first().unpublished == {"shop": [8]}
    assert Owner.objects.count() == 1


# 8. Values normalised as typed text ----------------------------------------------------------

def test_imported_text_is_normalised_as_typed_text(masters, tmp_path):
    folder = _export(tmp_path / "e", shops=[_shop(1, "ｶﾌｪ ﾋﾏﾜﾘ１号店", kana="ｶﾌｪﾋﾏﾜﾘ")], users=[
        [1, "hanako@example.jp", "大阪", "ｵｵｻｶ", "", "", ""]])
    legacy_import(directory=folder)
    shop = Shop.objects.get(legacy_id=1)
    assert shop.name == typed("ｶﾌｪ ﾋﾏﾜﾘ１号店") == "カフェ ヒマワリ1号店"
    assert shop.name_kana == "カフェヒマワリ"
    assert Member.objects.get(legacy_id=1).family_name_kana == "オオサカ"
    # The back office stores the same typing the same way (the admin form's full_clean).
    typed_in = Shop(name="ｶﾌｪ ﾋﾏﾜﾘ１号店", name_kana="ｶﾌｪﾋﾏﾜﾘ", postcode="540-0001",
                    address="大手前2丁目1", municipality=shop.municipality)
    typed_in.full_clean(exclude=["search_text"])
    assert (typed_in.name, typed_in.name_kana) == (shop.name, shop.name_kana)


# 9. Article genres have their own code list ---------------------------------------------------

def test_article_genres_are_mapped_apart_from_shop_genres(masters, tmp_path):
    folder = _export(tmp_path / "e", **{
        "master": (["KBN", "CODE", "NAME"], [["GENRE", "01", "飲食"],
                                             ["FAMINAVIGENRE", "01", "お金・手当"]]),
        "shop_genre": (["SHOPID", "GENRE"], [[1, "01"]]),
        "faminavi": (["FAMINAVIID", "TITLE", "NAIYO"], [[21, "手当", "本文"], [22, "相談", "本文"]]),
        "faminavi_genre": (["FAMINAVIID", "GENRE"], [[21, "01"], [22, "飲食"], [22, "7"]]),
    })
    pinned = _mapping(tmp_path, ("[values.genre]\n", '[values.genre]\n"01" = "restaurant"\n'),
                      ("[values.article_genre]\n", '[values.article_genre]\n"7" = "consultation"\n'))
    report = legacy_import(directory=folder, mapping_path=pinned)
    assert list(Shop.objects.get(legacy_id=1).genres.values_list("code", flat=True)) == [
        "restaurant"]
    assert list(Article.objects.get(legacy_id=21).genres.values_list("code", flat=True)) == [
        "money"]
    assert list(Article.objects.get(legacy_id=22).genres.values_list("code", flat=True)) == [
        "consultation"]
    [wrong] = _issues(report, "faminavi_genre.csv", 3)
    assert "記事のジャンルではありません" in wrong.message and wrong.action == REJECTED


# 10. The report names every row, and refuses another mapping --------------------------------

def test_migration_report_lists_rows_and_checks_the_mapping(masters, tmp_path):
    folder = _export(tmp_path / "e", shops=[_shop(1), _shop(1), _shop(2, group="9")], users=[
        [1, "hanako@example.jp", "", "", "R6.13.1", "", ""]])
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="import_legacy"):
        call_command("migration_report", "--source", str(folder), "--output", str(out))
    mapping = _mapping(tmp_path, ("[values.genre]\n", '[values.genre]\n"X" = "cafe"\n'))
    legacy_import(directory=folder, mapping_path=mapping)
    # As step 6 of the procedure: no --mapping, the import's own mapping is used.
    call_command("migration_report", "--source", str(folder), "--output", str(out))
    with (out / "migration-rows.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["ファイル", "行", "旧ID", "項目", "理由", "対応", "区分"]
    named = {(row[0], row[1], row[2], row[3], row[5]) for row in rows[1:]}
    assert ("shop.csv", "3", "1", "programme_group", KEPT_FIRST) in named
    assert ("shop.csv", "4", "2", "programme_group", REJECTED) in named
    assert ("users.csv", "2", "1", "marriage_date", EMPTIED) in named
    markdown = (out / "migration-report.md").read_text(encoding="utf-8")
    assert str(mapping) in markdown and "消えた行）: 0 件" in markdown
    # The default mapping is not the one the import used: refused, exit status 1.
    with pytest.raises(CommandError, match="対応表が取り込み時と違います") as raised:
        call_command("migration_report", "--mapping", str(DEFAULT_MAPPING), "--output", str(out))
    assert raised.value.returncode == 1
    call_command("migration_report", "--mapping", str(mapping), "--output", str(out))


# 11. A dry run leaves the database exactly as it was ------------------------------------------

def test_dry_run_leaves_rows_and_sequences_as_they_were(masters, tmp_path):
    folder = tmp_path / "e"
    export_write(folder, shops=40, users=60)
    before = _counts()
    next_shop_id = _next_id(Shop)
    for _ in range(2):
        report = legacy_import(directory=folder, dry_run=True)
        assert report.tables["shop"].created and report.rolled_back
        assert _counts() == before
    legacy_import(directory=folder)
    # The real run's shops take the very next ids, as if no dry run had happened.
    assert Shop.objects.order_by("pk").first().pk == next_shop_id
    shop = Shop.objects.create(name="新しい店", postcode="540-0001", address="1",
                               municipality=Shop.objects.first().municipality)
    # New portal ids start past the legacy ids and counter (shop_counter 43).
    assert shop.pk > max(43, *Shop.objects.exclude(pk=shop.pk).values_list("pk", flat=True))


# The mixed export ---------------------------------------------------------------------------

def test_mixed_fault_export_loses_nothing_and_publishes_nothing_hidden(masters, tmp_path):
    folder = tmp_path / "e1"
    truth = export_write(folder, shops=120, users=200)
    report = legacy_import(directory=folder)
    assert not report.fatal
    issues = {(issue.file, issue.line) for issue in report.issues}
    named = {(issue.file, issue.legacy_id) for issue in report.issues}
    # Every row that needs a decision is named, with its line and legacy id.
    missing = [d for d in truth.decisions if (d[0], d[1]) not in issues
               or (d[0], d[2]) not in named]
    assert not missing
    # Nothing lost silently: each SHOPID / USERID is in the portal or listed as rejected.
    shops = set(Shop.objects.values_list("legacy_id", flat=True))
    rejected = {int(issue.legacy_id) for issue in report.errors
                if issue.file == "shop.csv" and issue.action == REJECTED}
    assert truth.shops - shops <= rejected and truth.shops - shops == truth.rejected_shops
    members = set(Member.objects.values_list("legacy_id", flat=True))
    assert truth.users - members == truth.rejected_users
    assert all(any(i.file == "users.csv" and i.legacy_id == str(user) and i.action == REJECTED
                   for i in report.errors) for user in truth.rejected_users)
    # Nothing published that was hidden; the list columns gave both programmes.
    assert not Shop.objects.filter(legacy_id__in=truth.hidden, live=True).exists()
    assert Shop.objects.filter(live=True).count() == len(shops - truth.hidden)
    for shop in Shop.objects.filter(legacy_id__in=truth.both_programmes & shops):
        assert shop.benefits.count() == 2
    assert not Shop.objects.filter(name__regex=r"[\uff61-\uff9f]").exists()
    assert not Member.objects.filter(family_name_kana__regex=r"[\uff61-\uff9f]").exists()
    favourites = {(m, s) for m, s in Favourite.objects.values_list("member__legacy_id",
                                                                   "shop__legacy_id")}
    assert favourites == {(user, shop) for user, chosen in truth.favourites.items()
                          for shop in chosen if shop in shops}
    out = tmp_path / "report1"
    call_command("migration_report", "--source", str(folder), "--output", str(out))
    assert "消えた行）: 0 件" in (out / "migration-report.md").read_text(encoding="utf-8")

    # The later export: favourites moved, shops deleted at the source.
    later = tmp_path / "e2"
    truth2 = export_write(later, shops=120, users=200, delta=True)
    report = legacy_import(directory=later, unpublish_missing=True)
    favourites = {(m, s) for m, s in Favourite.objects.values_list("member__legacy_id",
                                                                   "shop__legacy_id")}
    assert favourites == {(user, shop) for user, chosen in truth2.favourites.items()
                          for shop in chosen}
    assert set(report.missing["shop"]) == truth2.deleted_shops - truth.rejected_shops
    assert not Shop.objects.filter(legacy_id__in=truth2.deleted_shops, live=True).exists()

    # A bad file in a later export leaves the database as it was.
    text = (later / "users.csv").read_bytes()
    (later / "users.csv").write_bytes(text[: len(text) - 25])
    before = _counts()
    assert legacy_import(directory=later).fatal
    assert _counts() == before
