"""The English locale, so editors can translate pages into English with
wagtail-localize (Japanese, created by 0002, stays the default). Kept on reverse:
a locale with translated pages cannot be deleted anyway."""

from django.db import migrations


def create_english_locale(apps, schema_editor):
    Locale = apps.get_model("wagtailcore.Locale")
    Locale.objects.get_or_create(language_code="en")


class Migration(migrations.Migration):
    dependencies = [
        ("cms_pages", "0008_faqitem_alternatives_links"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_english_locale, migrations.RunPython.noop)]
