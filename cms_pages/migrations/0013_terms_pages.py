"""Draft 利用規約 (members), 協賛店の規約 and their links in the site settings, so
both sign-up forms link to terms that can be read (issue 19). The text is a draft
for the secretariat to approve and edit in the CMS; like migration 0004, pages
whose slug already exists under the home page are left alone, and settings that
already link a page keep it.
"""

import importlib
import json

from django.conf import settings
from django.db import migrations

demo_tree = importlib.import_module("cms_pages.migrations.0004_demo_tree")

DRAFT_NOTE = "（この規約は案です。事務局の確認・承認を経て確定します。）"


def _member_terms(portal):
    secretariat = portal["SECRETARIAT_NAME"]
    return [
        demo_tree._paragraph(DRAFT_NOTE),
        demo_tree._heading("第1条（目的）"),
        demo_tree._paragraph(
            f"この規約は、{portal['PREFECTURE_NAME']}の{portal['CHILD_PROGRAMME_NAME']}および"
            f"{portal['MARRIAGE_PROGRAMME_NAME']}（以下「カード」）をこのサイトで利用するための"
            "条件を定めます。"),
        demo_tree._heading("第2条（会員登録）"),
        demo_tree._paragraph(
            "会員登録は、ご本人が正しい情報で行ってください。お子さまの生年月日や結婚日など、"
            "カードの対象かどうかを決める情報が変わったときは、マイページで更新してください。",
            "カードは1つのアカウントで家族分をまとめて表示できます。お子さまが何人いても"
            "アカウントは1つで足ります。"),
        demo_tree._heading("第3条（カードの利用）"),
        demo_tree._paragraph(
            "協賛店でお会計の前にカードの画面を見せてください。特典の内容と条件は協賛店ごとに"
            "異なり、予告なく変わることがあります。",
            "カードの画面やQRコードを他の人に譲ったり、見せるために貸したりしないでください。"),
        demo_tree._heading("第4条（禁止事項）"),
        demo_tree._paragraph(
            "偽りの情報での登録、他人になりすましての利用、このサイトの運営を妨げる行為を"
            "禁止します。"),
        demo_tree._heading("第5条（個人情報）"),
        demo_tree._paragraph("お預かりする個人情報は、プライバシーポリシーに従って取り扱います。"),
        demo_tree._heading("第6条（退会）"),
        demo_tree._paragraph("マイページからいつでも退会できます。退会するとカードは表示できなくなります。"),
        demo_tree._heading("第7条（規約の変更）"),
        demo_tree._paragraph(
            f"{secretariat}は、必要に応じてこの規約を変更することがあります。"
            "変更はこのページでお知らせします。"),
    ]


def _shop_terms(portal):
    secretariat = portal["SECRETARIAT_NAME"]
    return [
        demo_tree._paragraph(DRAFT_NOTE),
        demo_tree._heading("第1条（目的）"),
        demo_tree._paragraph(
            f"この規約は、{portal['CHILD_PROGRAMME_NAME']}および{portal['MARRIAGE_PROGRAMME_NAME']}の"
            "協賛店として登録し、特典を提供するための条件を定めます。"),
        demo_tree._heading("第2条（登録）"),
        demo_tree._paragraph(
            "協賛店の登録は無料です。お申し込みの内容を事務局が確認し、承認したときに"
            "協賛店として公開されます。"),
        demo_tree._heading("第3条（特典の提供）"),
        demo_tree._paragraph(
            "特典の内容、対象、条件はお店ごとに決めて登録してください。カードを見せた会員に、"
            "登録した内容どおりの特典を提供してください。",
            "カードの確認は、画面の有効期限とQRコードの読み取り（確認ページで「有効」と表示）で"
            "行えます。"),
        demo_tree._heading("第4条（情報の更新）"),
        demo_tree._paragraph(
            "店舗情報や特典を変えるときは、協賛店用の管理画面から変更を申請してください。"
            "事務局の承認後に公開されます。"),
        demo_tree._heading("第5条（会員の情報）"),
        demo_tree._paragraph(
            "確認ページで分かるのはカードが有効かどうかだけです。会員の個人情報を求めたり、"
            "記録したりしないでください。"),
        demo_tree._heading("第6条（登録の取消し）"),
        demo_tree._paragraph(
            f"{secretariat}は、特典が提供されない、公序良俗に反するなど協賛店としてふさわしくない"
            "と判断したときは、登録を取り消すことがあります。"),
        demo_tree._heading("第7条（規約の変更）"),
        demo_tree._paragraph("必要に応じてこの規約を変更することがあります。変更はこのページでお知らせします。"),
    ]


def create_terms_pages(apps, schema_editor):
    Site = apps.get_model("wagtailcore.Site")
    PortalSettings = apps.get_model("cms_pages.PortalSettings")
    portal = settings.PORTAL
    tree = demo_tree.Tree(apps)
    for site in Site.objects.filter(is_default_site=True).select_related("root_page"):
        home = tree.Page.objects.get(pk=site.root_page_id)
        pages = {
            "terms_page": ("terms", "利用規約", "会員登録とカードの利用についての規約です。",
                           _member_terms(portal)),
            "shop_terms_page": ("shop-terms", "協賛店の規約", "協賛店の登録と特典の提供についての規約です。",
                                _shop_terms(portal)),
        }
        portal_settings, _ = PortalSettings.objects.get_or_create(site=site)
        changed = False
        for field, (slug, title, intro, body) in pages.items():
            tree.child(home, "StandardPage", title=title, slug=slug, intro=intro,
                       search_description=intro,
                       body=json.dumps(body, ensure_ascii=False))
            page = tree.Page.objects.filter(depth=home.depth + 1, path__startswith=home.path,
                                            slug=slug).first()
            if page is not None and getattr(portal_settings, f"{field}_id") is None:
                setattr(portal_settings, field, page)
                changed = True
        if changed:
            portal_settings.save()


class Migration(migrations.Migration):
    dependencies = [
        ("cms_pages", "0012_portalsettings_terms_pages"),
    ]

    operations = [migrations.RunPython(create_terms_pages, migrations.RunPython.noop)]
