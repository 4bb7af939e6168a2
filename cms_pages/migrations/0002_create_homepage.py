from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms_pages.HomePage")

    # Replace Wagtail's welcome page with our home page.
    Page.objects.filter(depth=2, slug="home").delete()
    homepage_content_type, _ = ContentType.objects.get_or_create(
        model="homepage", app_label="cms_pages"
    )
    locale, _ = Locale.objects.get_or_create(language_code="ja")
    homepage = HomePage.objects.create(
        title="ホーム",
        draft_title="ホーム",
        slug="home",
        content_type=homepage_content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        hero_title="子育て家庭と結婚を応援するお店が、府内にたくさんあります。",
    )
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=homepage, is_default_site=True,
                        site_name="大阪府子育て・結婚応援パスポート")


def remove_homepage(apps, schema_editor):
    apps.get_model("cms_pages.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("cms_pages", "0001_initial")]
    operations = [migrations.RunPython(create_homepage, remove_homepage)]
