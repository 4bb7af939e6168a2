"""Translating content into English in tests, through wagtail-localize's own API (what
its translation editor does): a TranslationSource for the object, a StringTranslation
per segment, then the translated object created or updated (and published)."""

from django.test import TestCase
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, TranslationSource


def english() -> Locale:
    return Locale.objects.get(language_code="en")


def translate(instance, strings: dict[str, str], *, publish: bool = True):
    """``instance`` (a page or a translatable snippet) in English: each segment from
    ``strings`` (Japanese → English), the others left as they are. wagtail-localize
    publishes once the transaction commits (run here at once). Returns the English row."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        source, _created = TranslationSource.get_or_create_from_instance(instance)
        if not _created:
            source.update_from_db()
        for segment in source.stringsegment_set.select_related("string"):
            text = segment.string.data
            StringTranslation.objects.update_or_create(
                translation_of=segment.string, locale=english(), context=segment.context,
                defaults={"data": strings.get(text, text)},
            )
        translated, _created = source.create_or_update_translation(
            english(), publish=publish, copy_parent_pages=True, fallback=True)
    model = getattr(translated, "specific_class", None) or type(translated)
    return model.objects.get(pk=translated.pk)
