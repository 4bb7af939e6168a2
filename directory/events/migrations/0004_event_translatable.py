"""Events become translatable (wagtail-localize): ``locale`` and ``translation_key``.

The usual recipe for making existing rows translatable: nullable ``locale`` and
``translation_key``, every existing row getting the default locale (Japanese) and a fresh
uuid4 of its own, then both made required and unique together."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def bootstrap(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Model = apps.get_model("events", "Event")
    rows = Model.objects.filter(translation_key__isnull=True)
    if not rows.exists():
        return
    # Wagtail's wagtailcore migrations create the default locale; be safe anyway.
    default, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for pk in rows.values_list("pk", flat=True).iterator():
        Model.objects.filter(pk=pk).update(locale=default, translation_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_alter_event_options"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="locale",
            field=models.ForeignKey(editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="wagtailcore.locale",
                                    verbose_name="locale"),
        ),
        migrations.AddField(
            model_name="event",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(bootstrap, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="locale",
            field=models.ForeignKey(editable=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="wagtailcore.locale",
                                    verbose_name="locale"),
        ),
        migrations.AlterField(
            model_name="event",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterUniqueTogether(
            name="event",
            unique_together={("translation_key", "locale")},
        ),
    ]
