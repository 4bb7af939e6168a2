"""FAQ items become translatable, so wagtail-localize translates them with their page.

The usual recipe for making existing rows translatable: nullable ``locale`` and
``translation_key``, every existing row getting its page's locale (the default one when
in doubt) and a fresh
uuid4 of its own, then both made required and unique together."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def bootstrap(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Model = apps.get_model("cms_pages", "FaqItem")
    rows = Model.objects.filter(translation_key__isnull=True)
    if not rows.exists():
        return
    default, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for pk, page_locale_id in rows.values_list("pk", "page__locale_id").iterator():
        Model.objects.filter(pk=pk).update(locale_id=page_locale_id or default.pk,
                                           translation_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("cms_pages", "0009_english_locale"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="faqitem",
            name="locale",
            field=models.ForeignKey(editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="wagtailcore.locale",
                                    verbose_name="locale"),
        ),
        migrations.AddField(
            model_name="faqitem",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(bootstrap, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="faqitem",
            name="locale",
            field=models.ForeignKey(editable=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="wagtailcore.locale",
                                    verbose_name="locale"),
        ),
        migrations.AlterField(
            model_name="faqitem",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterUniqueTogether(
            name="faqitem",
            unique_together={("translation_key", "locale")},
        ),
    ]
