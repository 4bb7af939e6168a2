"""The 試験結果 of the アクセシビリティ方針 page, from the e2e sweep's results.

Input
    * the results file written by the accessibility sweep (accessibility/sweep.py
      ``write_results``; settings.ACCESSIBILITY_RESULTS_FILE): pages tested, when,
      axe-core's version, every rule's outcome on every page and the WCAG success
      criteria each rule tests;
    * accessibility/manual_checks.toml: the criteria checked by people (目視),
      with their result, since axe-core cannot decide most of them.

Output
    In the form Japanese public bodies publish their test results (総務省「みんなの
    公共サイト運用ガイドライン」, ウェブアクセシビリティ基盤委員会「試験結果の表記」):
    the standard and target level (JIS X 8341-3:2016, AA), the 対応度 (準拠 / 一部準拠
    / 配慮), the pages tested and the date, and a table per level listing each
    success criterion with 自動/目視, and 適合 / 不適合 / 該当なし (未確認 when no test
    covers it yet).

The section is StreamField blocks (heading, paragraph, table) with ids starting
with ``a11y-results-``; ``statement_publish`` replaces those blocks on the page
with new ones, saves a revision and publishes it, leaving the rest of the page as
the editors wrote it.
"""

from __future__ import annotations

import datetime
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.utils.html import escape

MANUAL_CHECKS_FILE = Path(__file__).resolve().parent / "manual_checks.toml"
# The results of the last sweep checked in with the code (used when the settings'
# file, written by `make e2e`, does not exist on this machine).
BUNDLED_RESULTS_FILE = Path(__file__).resolve().parent / "data" / "results.json"
BLOCK_ID_PREFIX = "a11y-results-"

PASS, FAIL, NOT_APPLICABLE, UNVERIFIED = "適合", "不適合", "該当なし", "未確認"
AUTOMATED, MANUAL = "自動", "目視"
STATUSES = (PASS, FAIL, NOT_APPLICABLE)

# JIS X 8341-3:2016 (= WCAG 2.0) success criteria of levels A and AA, with their
# Japanese names from the JIS (ウェブアクセシビリティ基盤委員会's translation).
CRITERIA: list[tuple[str, str, str]] = [
    ("1.1.1", "A", "非テキストコンテンツ"),
    ("1.2.1", "A", "音声のみ及び映像のみ（収録済み）"),
    ("1.2.2", "A", "キャプション（収録済み）"),
    ("1.2.3", "A", "音声解説、又はメディアに対する代替（収録済み）"),
    ("1.2.4", "AA", "キャプション（ライブ）"),
    ("1.2.5", "AA", "音声解説（収録済み）"),
    ("1.3.1", "A", "情報及び関係性"),
    ("1.3.2", "A", "意味のある順序"),
    ("1.3.3", "A", "感覚的な特徴"),
    ("1.4.1", "A", "色の使用"),
    ("1.4.2", "A", "音声の制御"),
    ("1.4.3", "AA", "コントラスト（最低限レベル）"),
    ("1.4.4", "AA", "テキストのサイズ変更"),
    ("1.4.5", "AA", "文字画像"),
    ("2.1.1", "A", "キーボード"),
    ("2.1.2", "A", "キーボードトラップなし"),
    ("2.2.1", "A", "タイミング調整可能"),
    ("2.2.2", "A", "一時停止、停止及び非表示"),
    ("2.3.1", "A", "3回の閃光、又は閾値以下"),
    ("2.4.1", "A", "ブロックスキップ"),
    ("2.4.2", "A", "ページタイトル"),
    ("2.4.3", "A", "フォーカス順序"),
    ("2.4.4", "A", "リンクの目的（コンテキスト内）"),
    ("2.4.5", "AA", "複数の手段"),
    ("2.4.6", "AA", "見出し及びラベル"),
    ("2.4.7", "AA", "フォーカスの可視化"),
    ("3.1.1", "A", "ページの言語"),
    ("3.1.2", "AA", "一部分の言語"),
    ("3.2.1", "A", "フォーカス時"),
    ("3.2.2", "A", "入力時"),
    ("3.2.3", "AA", "一貫したナビゲーション"),
    ("3.2.4", "AA", "一貫した識別性"),
    ("3.3.1", "A", "エラーの特定"),
    ("3.3.2", "A", "ラベル又は説明"),
    ("3.3.3", "AA", "エラー修正の提案"),
    ("3.3.4", "AA", "エラー回避（法的、金融及びデータ）"),
    ("4.1.1", "A", "構文解析"),
    ("4.1.2", "A", "名前（name）・役割（role）及び値（value）"),
]
CRITERION_IDS = [criterion for criterion, _level, _name in CRITERIA]


class StatementError(ValueError):
    """A results or manual-check file that cannot be used (message in Japanese)."""


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    level: str
    name: str
    methods: tuple[str, ...]  # 自動, 目視
    status: str  # 適合, 不適合, 該当なし, 未確認
    note: str = ""


@dataclass(frozen=True)
class Statement:
    tested_on: datetime.date
    axe_version: str
    pages: list[str]
    results: list[CriterionResult]
    manual_checked_on: str

    @property
    def conformance(self) -> str:
        """対応度: 一部準拠 when every criterion is met (or not applicable) on the pages
        tested (a sample: the crawl is capped and people check the main screens),
        配慮 otherwise (ウェブアクセシビリティ基盤委員会's 対応度表記ガイドライン)."""
        if all(result.status in (PASS, NOT_APPLICABLE) for result in self.results):
            return "一部準拠"
        return "配慮"

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)


# --- Reading ------------------------------------------------------------------------


def load_results(path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StatementError(f"試験結果のファイルがありません: {path}") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StatementError(f"試験結果のファイルを読めません: {path} ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list) \
            or not isinstance(data.get("rules"), dict) or not data.get("tested_at"):
        raise StatementError(f"試験結果のファイルの形式が違います（pages, rules, tested_at が必要）: {path}")
    if not data["pages"]:
        raise StatementError(f"試験結果に試験したページがありません: {path}")
    try:
        datetime.datetime.fromisoformat(data["tested_at"])
    except (TypeError, ValueError) as error:
        raise StatementError(f"試験日（tested_at）が日時ではありません: {data['tested_at']!r}") from error
    return data


def load_manual_checks(path=MANUAL_CHECKS_FILE) -> dict:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StatementError(f"目視確認のファイルがありません: {path}") from error
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise StatementError(f"目視確認のファイルを読めません: {path} ({error})") from error
    criteria = data.get("criteria", {})
    for criterion, entry in criteria.items():
        if criterion not in CRITERION_IDS:
            raise StatementError(f"目視確認のファイルに JIS X 8341-3:2016 にない達成基準があります: {criterion}")
        if entry.get("status") not in STATUSES:
            raise StatementError(
                f"達成基準 {criterion} の status は {'、'.join(STATUSES)} のどれかにしてください")
    return data


# --- Deciding -----------------------------------------------------------------------


def automated_outcomes(results: dict) -> dict[str, str]:
    """{criterion: 適合 | 不適合} from the rules that test it: 不適合 when a rule failed
    on any page, 適合 when rules passed and none failed. Criteria whose rules found
    nothing to test (an axe rule not applying does not make the criterion not
    applicable: no scrollable region is no evidence about keyboard use) or only
    asked for a review are left out, for people to decide (目視)."""
    outcomes: dict[str, set[str]] = {}
    for page in results["pages"]:
        for rule, outcome in (page.get("rules") or {}).items():
            for criterion in (results["rules"].get(rule) or {}).get("criteria", []):
                outcomes.setdefault(criterion, set()).add(outcome)
    decided = {}
    for criterion, seen in outcomes.items():
        if "fail" in seen:
            decided[criterion] = FAIL
        elif "pass" in seen:
            decided[criterion] = PASS
    return decided


def _combine(automated: str | None, manual: str | None) -> str:
    if FAIL in (automated, manual):
        return FAIL
    if automated is None and manual is None:
        return UNVERIFIED
    if PASS in (automated, manual):
        return PASS
    return NOT_APPLICABLE


def build_statement(results: dict, manual: dict) -> Statement:
    automated = automated_outcomes(results)
    manual_criteria = manual.get("criteria", {})
    rows = []
    for criterion, level, name in CRITERIA:
        entry = manual_criteria.get(criterion)
        methods = tuple(method for method, present in (
            (AUTOMATED, criterion in automated), (MANUAL, entry is not None)) if present)
        status = _combine(automated.get(criterion), entry["status"] if entry else None)
        rows.append(CriterionResult(criterion, level, name, methods, status,
                                    (entry or {}).get("note", "")))
    tested_at = datetime.datetime.fromisoformat(results["tested_at"])
    return Statement(
        tested_on=tested_at.date(),
        axe_version=results.get("axe_version", ""),
        pages=[page["path"] for page in results["pages"]],
        results=rows,
        manual_checked_on=str(manual.get("checked_on", "")),
    )


# --- Rendering (StreamField blocks of cms_pages.blocks.BodyStreamBlock) ----------------


def _date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def statement_blocks(statement: Statement) -> list[dict]:
    counter = iter(range(1, 1000))

    def block(block_type, value):
        return {"type": block_type, "value": value, "id": f"{BLOCK_ID_PREFIX}{next(counter)}"}

    def paragraph(*texts):
        return block("paragraph", "".join(f"<p>{escape(text)}</p>" for text in texts))

    manual_date = f"（目視確認：{statement.manual_checked_on}）" if statement.manual_checked_on else ""
    blocks = [
        block("heading", {"text": "試験結果", "level": "h2"}),
        block("table", {
            "data": [
                ["項目", "内容"],
                ["規格", "JIS X 8341-3:2016"],
                ["目標とする適合レベル", "AA"],
                ["対応度", statement.conformance],
                ["試験日", _date(statement.tested_on) + manual_date],
                ["試験の方法", "自動試験（axe-core " + (statement.axe_version or "")
                 + "、WCAG 2.2 の A・AA の規則と、幅320CSSピクセルでのリフロー）と目視確認"],
                ["試験したページ", f"{len(statement.pages)}ページ（トップページからリンクをたどって"
                                  "到達したページ）"],
                ["結果", f"適合 {statement.count(PASS)}、不適合 {statement.count(FAIL)}、"
                        f"該当なし {statement.count(NOT_APPLICABLE)}、"
                        f"未確認 {statement.count(UNVERIFIED)}（達成基準 {len(statement.results)} 項目）"],
            ],
            "table_caption": "試験の概要",
            "table_header_choice": "column",
            "first_row_is_table_header": False,
            "first_col_is_header": True,
            "cell": [],
            "mergeCells": [],
        }),
        paragraph("「対応度」は、ウェブアクセシビリティ基盤委員会の「対応度表記ガイドライン」に"
                  "従って記載しています。「自動」は axe-core による試験、「目視」は担当者が"
                  "キーボード操作・スクリーンリーダー・表示の確認で行った試験です。"
                  "自動試験で「適合」とした達成基準も、確認できたのは自動で検査できる範囲です。"
                  "「未確認」の達成基準は、目視での確認が済みしだい更新します。"),
    ]
    for level in ("A", "AA"):
        data = [["達成基準", "適合レベル", "試験の方法", "結果", "備考"]]
        for result in statement.results:
            if result.level == level:
                data.append([f"{result.criterion} {result.name}", result.level,
                             "・".join(result.methods) or "－", result.status, result.note])
        blocks.append(block("table", {
            "data": data,
            "table_caption": f"達成基準チェックリスト（適合レベル{level}）",
            "table_header_choice": "row",
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "cell": [],
            "mergeCells": [],
        }))
    blocks.append(block("heading", {"text": "試験したページ", "level": "h3"}))
    items = "".join(f"<li>{escape(path)}</li>" for path in statement.pages)
    blocks.append(block("paragraph", f"<ul>{items}</ul>"))
    return blocks


def is_generated(block_id: str | None) -> bool:
    return bool(block_id) and str(block_id).startswith(BLOCK_ID_PREFIX)


def merged_body(existing: list[dict], generated: list[dict],
                before_heading: str = "問題を見つけたときは") -> list[dict]:
    """The page's blocks with the generated ones replaced: placed where the previous
    generated section was, else before the heading ``before_heading``, else at the end."""
    kept = []
    position = None
    for item in existing:
        if is_generated(item.get("id")):
            if position is None:
                position = len(kept)
            continue
        kept.append(item)
    if position is None:
        position = next(
            (index for index, item in enumerate(kept)
             if item.get("type") == "heading"
             and (item.get("value") or {}).get("text") == before_heading),
            len(kept))
    return kept[:position] + generated + kept[position:]


# --- Publishing -------------------------------------------------------------------------


def statement_page():
    """The アクセシビリティ方針 page: the one linked from the site settings, else the
    page with the slug "accessibility" under the default site's home page."""
    from wagtail.models import Page, Site

    from cms_pages.models import PortalSettings, StandardPage

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise StatementError("既定のサイトがありません")
    portal_settings = PortalSettings.objects.filter(site=site).first()
    page = portal_settings.accessibility_page if portal_settings else None
    if page is None:
        page = Page.objects.child_of(site.root_page).filter(slug="accessibility").first()
    if page is None:
        raise StatementError("アクセシビリティ方針のページが見つかりません")
    page = page.specific
    if not isinstance(page, StandardPage):
        raise StatementError(f"アクセシビリティ方針のページが標準ページではありません: {page}")
    return page


def statement_publish(results_path, manual_path=MANUAL_CHECKS_FILE, *, user=None,
                      publish=True) -> tuple[Statement, object]:
    """Write the 試験結果 into the page as a new revision (published unless
    ``publish`` is false); returns the statement and the revision."""
    statement = build_statement(load_results(results_path), load_manual_checks(manual_path))
    page = statement_page().get_latest_revision_as_object()
    page.body = merged_body(list(page.body.get_prep_value()), statement_blocks(statement))
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return statement, revision
