"""The 試験結果 of the アクセシビリティ方針 page from the sweep's results
(accessibility/statement.py, manage.py accessibility_statement)."""

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from accessibility import statement
from accessibility.statement import FAIL, NOT_APPLICABLE, PASS, UNVERIFIED
from accessibility.sweep import PageOutcome, SweepResult, criteria_for_tags, results_data

FIXTURE = Path(__file__).parent / "fixtures" / "results.json"


@pytest.fixture
def results():
    return statement.load_results(FIXTURE)


@pytest.fixture
def manual_file(tmp_path):
    path = tmp_path / "manual.toml"
    path.write_text('checked_on = "2026-11-21"\n'
                    '[criteria."1.2.2"]\nstatus = "該当なし"\nnote = "動画はありません。"\n'
                    '[criteria."2.1.1"]\nstatus = "不適合"\nnote = "地図をキーボードで動かせません。"\n'
                    '[criteria."2.4.5"]\nstatus = "適合"\n', encoding="utf-8")
    return path


def by_criterion(result):
    return {row.criterion: row for row in result.results}


def test_axe_tags_map_to_success_criteria():
    assert criteria_for_tags(["cat.color", "wcag2aa", "wcag143"]) == ["1.4.3"]
    assert criteria_for_tags(["wcag21aa", "wcag1410"]) == ["1.4.10"]
    assert criteria_for_tags(["wcag2a", "wcag244", "wcag412", "best-practice"]) == ["2.4.4", "4.1.2"]
    assert criteria_for_tags(["wcag22aa", "wcag2411"]) == ["2.4.11"]


def test_sweep_result_becomes_results_data():
    import datetime

    result = SweepResult(base_url="http://127.0.0.1:8000/")
    result.outcomes = [PageOutcome("http://127.0.0.1:8000/shops/?p=2", {"image-alt": "pass"})]
    result.rules = {"image-alt": {"help": "x", "tags": ["wcag111"], "criteria": ["1.1.1"]}}
    result.axe_version = "4.8.2"
    data = results_data(result, tested_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC))
    assert data["pages"] == [{"path": "/shops/?p=2", "rules": {"image-alt": "pass"}}]
    assert data["tested_at"] == "2026-11-20T00:00:00+00:00"
    assert data["axe_version"] == "4.8.2"
    assert data["rules"]["image-alt"]["criteria"] == ["1.1.1"]


def test_automated_outcomes_per_criterion(results):
    outcomes = statement.automated_outcomes(results)
    assert outcomes["1.1.1"] == PASS
    assert outcomes["1.4.3"] == FAIL  # failed on /shops/, passed on /
    assert "1.2.2" not in outcomes  # no video anywhere: for people to say 該当なし
    assert outcomes["2.4.4"] == PASS and outcomes["4.1.2"] == PASS
    assert "2.1.1" not in outcomes  # only "needs review": for people to decide
    assert outcomes["1.4.10"] == PASS


def test_statement_combines_automated_and_manual(results, manual_file):
    result = statement.build_statement(results, statement.load_manual_checks(manual_file))
    rows = by_criterion(result)
    assert len(result.results) == 38  # JIS X 8341-3:2016 levels A and AA
    assert [row.criterion for row in result.results] == statement.CRITERION_IDS
    assert rows["1.1.1"].status == PASS and rows["1.1.1"].methods == ("自動",)
    assert rows["1.4.3"].status == FAIL
    assert rows["1.2.2"].status == NOT_APPLICABLE
    assert rows["1.2.2"].methods == ("目視",) and rows["1.2.2"].note == "動画はありません。"
    assert rows["2.1.1"].status == FAIL and rows["2.1.1"].methods == ("目視",)
    assert rows["2.4.5"].status == PASS and rows["2.4.5"].methods == ("目視",)
    assert rows["1.3.3"].status == UNVERIFIED and rows["1.3.3"].methods == ()
    assert rows["1.4.3"].level == "AA" and rows["1.4.3"].name == "コントラスト（最低限レベル）"
    assert result.pages == ["/", "/shops/"]
    assert str(result.tested_on) == "2026-11-20"
    assert result.conformance == "配慮"  # failures and unverified criteria


def test_conformance_is_partial_when_everything_is_met(results):
    for page in results["pages"]:
        page["rules"]["color-contrast"] = "pass"
    manual = {"criteria": {criterion: {"status": PASS} for criterion in statement.CRITERION_IDS}}
    result = statement.build_statement(results, manual)
    assert {row.status for row in result.results} == {PASS}
    assert result.conformance == "一部準拠"


def test_blocks_show_the_results_table(results, manual_file):
    result = statement.build_statement(results, statement.load_manual_checks(manual_file))
    blocks = statement.statement_blocks(result)
    assert all(block["id"].startswith("a11y-results-") for block in blocks)
    assert blocks[0] == {"type": "heading", "value": {"text": "試験結果", "level": "h2"},
                         "id": "a11y-results-1"}
    tables = [block["value"] for block in blocks if block["type"] == "table"]
    summary = dict(tables[0]["data"])
    assert summary["規格"] == "JIS X 8341-3:2016"
    assert summary["目標とする適合レベル"] == "AA"
    assert summary["対応度"] == "配慮"
    assert summary["試験日"] == "2026年11月20日（目視確認：2026-11-21）"
    assert "axe-core 4.8.2" in summary["試験の方法"]
    assert summary["試験したページ"].startswith("2ページ")
    level_a = tables[1]
    assert level_a["table_caption"] == "達成基準チェックリスト（適合レベルA）"
    assert level_a["data"][0] == ["達成基準", "適合レベル", "試験の方法", "結果", "備考"]
    assert ["1.1.1 非テキストコンテンツ", "A", "自動", "適合", ""] in level_a["data"]
    assert ["2.1.1 キーボード", "A", "目視", "不適合", "地図をキーボードで動かせません。"] in level_a["data"]
    level_aa = tables[2]
    assert ["1.4.3 コントラスト（最低限レベル）", "AA", "自動", "不適合", ""] in level_aa["data"]
    assert blocks[-1]["value"] == "<ul><li>/</li><li>/shops/</li></ul>"


def test_merging_replaces_the_previous_results_only():
    heading = {"type": "heading", "value": {"text": "問題を見つけたときは", "level": "h2"}, "id": "x2"}
    existing = [{"type": "paragraph", "value": "<p>方針</p>", "id": "x1"}, heading]
    first = statement.merged_body(existing, [{"type": "paragraph", "value": "A", "id": "a11y-results-1"}])
    assert [block["id"] for block in first] == ["x1", "a11y-results-1", "x2"]
    again = statement.merged_body(first, [{"type": "paragraph", "value": "B", "id": "a11y-results-1"},
                                          {"type": "paragraph", "value": "C", "id": "a11y-results-2"}])
    assert [block["value"] for block in again] == ["<p>方針</p>", "B", "C", heading["value"]]


# --- Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("content, message", [
    ("{not json", "読めません"),
    ('{"pages": [], "rules": {}, "tested_at": "2026-11-20"}', "試験したページがありません"),
    ('{"rules": {}, "tested_at": "2026-11-20"}', "形式が違います"),
    ('{"pages": [{"path": "/"}], "rules": {}, "tested_at": "yesterday"}', "日時ではありません"),
])
def test_bad_results_files_are_refused_in_japanese(tmp_path, content, message):
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(statement.StatementError, match=message):
        statement.load_results(path)


def test_missing_results_file(tmp_path):
    with pytest.raises(statement.StatementError, match="ファイルがありません"):
        statement.load_results(tmp_path / "none.json")


@pytest.mark.parametrize("content, message", [
    ('[criteria."9.9.9"]\nstatus = "適合"\n', "達成基準があります: 9.9.9"),
    ('[criteria."1.3.3"]\nstatus = "たぶん"\n', "1.3.3 の status"),
    ("criteria = [", "読めません"),
])
def test_bad_manual_checks_are_refused(tmp_path, content, message):
    path = tmp_path / "manual.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(statement.StatementError, match=message):
        statement.load_manual_checks(path)


def test_checked_in_files_are_valid():
    manual = statement.load_manual_checks()
    assert manual["criteria"]
    bundled = statement.load_results(statement.BUNDLED_RESULTS_FILE)
    assert bundled["pages"] and bundled["axe_version"]


# --- The page ------------------------------------------------------------------------------


def accessibility_page():
    return Page.objects.get(depth=3, slug="accessibility").specific


@pytest.mark.django_db
def test_command_publishes_the_results_on_the_policy_page(client, masters, manual_file):
    before = accessibility_page()
    revisions = before.revisions.count()
    out = io.StringIO()
    call_command("accessibility_statement", results=str(FIXTURE), manual=str(manual_file),
                 stdout=out)
    assert "published" in out.getvalue() and "対応度 配慮" in out.getvalue()
    page = accessibility_page()
    assert page.revisions.count() == revisions + 1
    assert page.live and page.live_revision_id == page.latest_revision_id
    ids = [block.id for block in page.body]
    # The editors' text stays, the results go before "問題を見つけたときは".
    assert ids[0] == before.body[0].id
    headings = [block.value["text"] for block in page.body if block.block_type == "heading"]
    assert headings.index("試験結果") < headings.index("問題を見つけたときは")

    html = client.get("/accessibility/").content.decode()
    assert "試験結果</h2>" in html
    assert "達成基準チェックリスト（適合レベルA）</caption>" in html
    assert "JIS X 8341-3:2016" in html
    assert "コントラスト（最低限レベル）" in html
    assert "<li>/shops/</li>" in html

    # Again with newer results: replaced, not added.
    newer = json.loads(FIXTURE.read_text(encoding="utf-8"))
    newer["tested_at"] = "2026-11-25T00:00:00+00:00"
    path = manual_file.parent / "newer.json"
    path.write_text(json.dumps(newer), encoding="utf-8")
    call_command("accessibility_statement", results=str(path), manual=str(manual_file),
                 stdout=io.StringIO())
    page = accessibility_page()
    assert sum(1 for block in page.body if block.block_type == "heading"
               and block.value["text"] == "試験結果") == 1
    html = client.get("/accessibility/").content.decode()
    assert "2026年11月25日" in html and "2026年11月20日" not in html


@pytest.mark.django_db
def test_command_draft_leaves_the_live_page(masters, manual_file):
    live_revision = accessibility_page().live_revision_id
    call_command("accessibility_statement", results=str(FIXTURE), manual=str(manual_file),
                 draft=True, stdout=io.StringIO())
    page = accessibility_page()
    assert page.live_revision_id == live_revision
    assert page.has_unpublished_changes


@pytest.mark.django_db
def test_command_with_a_bad_file_changes_nothing(tmp_path, masters):
    revisions = accessibility_page().revisions.count()
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="読めません"):
        call_command("accessibility_statement", results=str(bad), stdout=io.StringIO())
    assert accessibility_page().revisions.count() == revisions


@pytest.mark.django_db
def test_command_defaults_to_the_settings_file(settings, tmp_path, masters):
    target = tmp_path / "a11y" / "results.json"
    target.parent.mkdir()
    shutil.copy(FIXTURE, target)
    settings.ACCESSIBILITY_RESULTS_FILE = target
    out = io.StringIO()
    call_command("accessibility_statement", stdout=out)
    assert "2 pages tested on 2026-11-20" in out.getvalue()
