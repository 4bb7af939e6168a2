"""The demo page tree under the home page, so every fresh install has every page type:

ニュース (3 news pages), よくある質問 (the 32 FAQs of cms_pages/data/faq-ja.csv),
まいど子でもカードとは / 縁ジョイパスとは (programme pages), お問い合わせ (contact
form), アクセシビリティ方針 and プライバシーポリシー (standard pages).

Historical models cannot use treebeard's add_child, so paths, depth, numchild
and url_path are set here as Wagtail would. Pages whose slug already exists
under the home page are left alone, so the migration is safe on a site that
already has them.
"""

import csv
import datetime
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.html import escape

FAQ_CSV = Path(__file__).resolve().parent.parent / "data" / "faq-ja.csv"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def _encode(number):
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEPLEN, "0")


def _block(block_type, value):
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def _heading(text, level="h2"):
    return _block("heading", {"text": text, "level": level})


def _paragraph(*paragraphs):
    return _block("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))


class Tree:
    def __init__(self, apps):
        self.apps = apps
        self.Page = apps.get_model("wagtailcore.Page")
        self.ContentType = apps.get_model("contenttypes.ContentType")
        self.now = timezone.now()

    def child(self, parent, model_name, *, title, slug, **fields):
        existing = self.Page.objects.filter(
            depth=parent.depth + 1, path__startswith=parent.path, slug=slug
        ).first()
        if existing is not None:
            return None
        Model = self.apps.get_model("cms_pages", model_name)
        # Wagtail's FormMixin (a base of ContactPage, kept in the historical model)
        # reads the template name the page metaclass would have set.
        if not hasattr(Model, "template"):
            Model.template = f"cms_pages/{model_name.lower()}.html"
        content_type, _ = self.ContentType.objects.get_or_create(
            app_label="cms_pages", model=model_name.lower()
        )
        last = (
            self.Page.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)
            .order_by("-path")
            .first()
        )
        index = int(last.path[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
        page = Model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=parent.path + _encode(index),
            depth=parent.depth + 1,
            numchild=0,
            url_path=f"{parent.url_path}{slug}/",
            locale_id=parent.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=self.now,
            last_published_at=self.now,
            show_in_menus=fields.pop("show_in_menus", False),
            **fields,
        )
        self.Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
        parent.numchild += 1
        return page


NEWS = [
    ("site-renewal", "ポータルサイトをリニューアルしました", "notice", 0,
     "会員登録からカードの表示、協賛店さがしまで、スマートフォンで使いやすくなりました。",
     ["子育て・結婚応援パスポートのポータルサイトをリニューアルしました。",
      "スマートフォンのホーム画面に追加すると、アプリのようにカードを表示できます。"
      "文字の大きさを変えても読みやすく、音声読み上げにも配慮しています。"]),
    ("sponsor-shops-wanted", "協賛店を募集しています", "shops", 7,
     "子育て家庭や結婚を控えたカップルを応援してくださるお店を募集しています。",
     ["割引やプレゼントなど、お店ごとに決めた特典でご家庭やカップルを応援してください。",
      "登録は無料です。協賛店用のページからお申し込みいただけます。"]),
    ("maintenance", "システムメンテナンスのお知らせ", "system", 14,
     "メンテナンスの間、会員登録とカードの表示ができなくなります。",
     ["メンテナンスの日時は決まり次第このページでお知らせします。",
      "ご不便をおかけしますが、ご理解とご協力をお願いします。"]),
]


def _read_faq():
    with FAQ_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def create_demo_tree(apps, schema_editor):
    Site = apps.get_model("wagtailcore.Site")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return
    tree = Tree(apps)
    home = tree.Page.objects.get(pk=site.root_page_id)
    today = timezone.localdate()
    portal = settings.PORTAL

    # ニュース
    news_index = tree.child(
        home, "NewsIndexPage", title="ニュース", slug="news", show_in_menus=True,
        intro="<p>事務局からのお知らせです。制度の変更、キャンペーン、メンテナンスなどをお知らせします。</p>",
    )
    if news_index is not None:
        for slug, title, category, days_ago, intro, paragraphs in NEWS:
            tree.child(
                news_index, "NewsPage", title=title, slug=slug,
                date=today - datetime.timedelta(days=days_ago), category=category,
                intro=intro, send_push=False,
                body=json.dumps([_paragraph(*paragraphs)], ensure_ascii=False),
            )

    # よくある質問
    faq = tree.child(
        home, "FaqPage", title="よくある質問", slug="faq", show_in_menus=True,
        intro="<p>会員登録、カード、協賛店などについて、よくいただく質問にお答えします。"
              "解決しない場合はお問い合わせください。</p>",
    )
    if faq is not None:
        FaqItem = apps.get_model("cms_pages", "FaqItem")
        FaqItem.objects.bulk_create([
            FaqItem(page_id=faq.pk, sort_order=order, category=row["category"],
                    question=row["question"], answer=f"<p>{escape(row['answer'])}</p>")
            for order, row in enumerate(_read_faq())
        ])

    # 制度のご案内
    tree.child(
        home, "ProgrammePage", title=f"{portal['CHILD_PROGRAMME_NAME']}とは", slug="maido",
        programme_id="maido", show_in_menus=True,
        intro="子育て家庭を応援するカードです。スマートフォンに表示して協賛店で見せると、"
              "割引などの特典が受けられます。",
        body=json.dumps([
            _heading("使い方"),
            _paragraph("会員登録をすると、マイページでカードを表示できます。"
                       "お店でお会計の前にカードを見せてください。"),
        ], ensure_ascii=False),
    )
    tree.child(
        home, "ProgrammePage", title=f"{portal['MARRIAGE_PROGRAMME_NAME']}とは", slug="enjoy",
        programme_id="enjoy", show_in_menus=True,
        intro="結婚を控えたカップルと新婚のご夫婦を応援するパスです。協賛店で見せると、"
              "特典が受けられます。",
        body=json.dumps([
            _heading("使い方"),
            _paragraph("会員登録で結婚日または結婚予定日を登録すると、マイページでパスを表示できます。"),
        ], ensure_ascii=False),
    )

    # お問い合わせ
    contact = tree.child(
        home, "ContactPage", title="お問い合わせ", slug="contact", show_in_menus=True,
        intro="<p>制度やこのサイトについてのご質問は、このフォームからお送りください。"
              "返信まで3営業日ほどいただくことがあります。</p>",
        thank_you_text="<p>お問い合わせを受け付けました。確認のメールをお送りしましたので、"
                       "ご確認ください。</p>",
        to_address="", from_address="", subject="ポータルサイトへのお問い合わせ",
        confirmation_subject="お問い合わせを受け付けました",
        confirmation_text="お問い合わせありがとうございます。内容を確認のうえ、担当者からご連絡します。\n"
                          "このメールに心当たりがない場合は、お手数ですが破棄してください。",
    )
    if contact is not None:
        ContactFormField = apps.get_model("cms_pages", "ContactFormField")
        fields = [
            ("name", "お名前", "singleline", True, "", ""),
            ("email", "メールアドレス", "email", True, "", "返信をお送りするアドレスです。"),
            ("topic", "お問い合わせの種類", "radio", True,
             "会員登録・カードについて\n協賛店について\nこのサイトについて\nその他", ""),
            ("message", "お問い合わせ内容", "multiline", True, "", ""),
        ]
        ContactFormField.objects.bulk_create([
            ContactFormField(page_id=contact.pk, sort_order=order, clean_name=clean_name,
                             label=label, field_type=field_type, required=required,
                             choices=choices, default_value="", help_text=help_text)
            for order, (clean_name, label, field_type, required, choices, help_text)
            in enumerate(fields)
        ])

    # アクセシビリティ方針
    decided = f"{today.year}年{today.month}月{today.day}日"
    accessibility_body = [
        _heading("目標とする適合レベル"),
        _paragraph("このサイトは、日本産業規格 JIS X 8341-3:2016「高齢者・障害者等配慮設計指針"
                   "－情報通信における機器，ソフトウェア及びサービス－第3部：ウェブコンテンツ」の"
                   "適合レベルAAに準拠することを目標とします。"
                   "あわせて、WCAG 2.2 の適合レベルAAにも対応するよう努めます。"),
        _heading("方針を定めた日"),
        _paragraph(decided),
        _heading("対象範囲"),
        _paragraph("このサイトのすべてのページ（協賛店・イベント・ふぁみなびの各ページ、"
                   "会員のページ、協賛店用のページを含みます）。",
                   "地図の背景画像や埋め込み動画など、外部のサービスが提供する部分は対象外です。"),
        _heading("試験の方法"),
        _block("table", {
            "data": [
                ["試験", "対象", "時期"],
                ["自動試験（axe-core、WCAG 2.2 AA の達成基準）", "公開しているすべてのページ",
                 "サイトを変更するたび"],
                ["リフロー（幅320CSSピクセルで横スクロールしないこと）",
                 "公開しているすべてのページ", "サイトを変更するたび"],
                ["キーボード操作とスクリーンリーダーでの確認", "主な画面", "年1回"],
            ],
            "table_caption": "アクセシビリティの試験",
            "table_header_choice": "row",
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "cell": [],
            "mergeCells": [],
        }),
        _heading("問題を見つけたときは"),
        _paragraph("使いにくい点や読み取れない情報に気づかれたら、お問い合わせフォームまたは"
                   "お電話でお知らせください。どのページのどの部分か、お使いの機器や支援技術を"
                   "教えていただけると、早く直せます。"),
    ]
    if contact is not None:
        accessibility_body.append(_block("call_to_action", {
            "title": "問題を報告する",
            "text": "お問い合わせの種類は「このサイトについて」を選んでください。",
            "link_text": "お問い合わせフォームへ",
            "page": contact.pk,
            "url": "",
        }))
    tree.child(
        home, "StandardPage", title="アクセシビリティ方針", slug="accessibility",
        intro="誰もが使えるサイトを目指して、次の方針で作成・点検しています。",
        body=json.dumps(accessibility_body, ensure_ascii=False),
    )

    # プライバシーポリシー
    tree.child(
        home, "StandardPage", title="プライバシーポリシー", slug="privacy",
        intro=f"{portal['SECRETARIAT_NAME']}は、このサイトでお預かりする個人情報を次のとおり取り扱います。",
        body=json.dumps([
            _heading("お預かりする情報"),
            _paragraph("会員登録でいただくメールアドレス、お名前、お住まいの市町村、お子さまの生年月日、"
                       "結婚日または結婚予定日。お問い合わせフォームでいただくお名前、メールアドレス、"
                       "お問い合わせの内容。"),
            _heading("利用の目的"),
            _paragraph("カードの発行と有効期限の計算、お知らせの送信、お問い合わせへの回答のために"
                       "使います。法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。"),
            _heading("アクセス解析（Google アナリティクス）"),
            _paragraph("サイトを改善するため、同意していただいた方に限り、Google アナリティクス"
                       "（Google タグマネージャーを含みます）で閲覧の状況を集計します。"
                       "同意していただくまで、解析のためのプログラムは読み込みません。",
                       "集計には Cookie を使いますが、お名前やメールアドレスなど個人を特定する情報は"
                       "送りません。Google によるデータの扱いは"
                       '<a href="https://policies.google.com/technologies/partner-sites">Google のサイト'
                       "（外部サイト）</a>をご覧ください。",
                       '同意はいつでも<a href="/consent/">アクセス解析の設定</a>で変更・撤回できます。'
                       "ページの下のリンクからも開けます。"),
            _heading("Cookie について"),
            _paragraph("ログインの状態、言語の設定、アクセス解析への同意の有無（約180日間）を"
                       "覚えておくために Cookie を使います。"),
            _heading("お問い合わせ窓口"),
            _paragraph(f"{portal['SECRETARIAT_NAME']}。お問い合わせフォームからご連絡ください。"),
        ], ensure_ascii=False),
    )


def remove_demo_tree(apps, schema_editor):
    """Reversing leaves the pages: they may have been edited since."""


class Migration(migrations.Migration):
    dependencies = [
        ("cms_pages", "0003_pages_settings_and_blocks"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_demo_tree, remove_demo_tree)]
