"""Languages of CMS pages in templates: hreflang links, the content's own language
when it differs from the interface's (the Japanese fallback), and the link to a
translation (cms_pages/i18n.py)."""

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from wagtail.models import Page

from cms_pages import i18n

register = template.Library()


def _translations(context, page) -> dict:
    """{language: page}, computed once per request and page."""
    request = context.get("request")
    cache = getattr(request, "_cms_page_translations", None) if request is not None else None
    if cache is not None and cache[0] == page.pk:
        return cache[1]
    translations = i18n.page_translations(page)
    if request is not None:
        request._cms_page_translations = (page.pk, translations)
    return translations


@register.simple_tag(takes_context=True)
def page_alternates(context) -> str:
    """<link rel="alternate" hreflang> for a page with live translations (ja, en and
    x-default, the Japanese page); nothing for a page in one language only."""
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or request is None or not page.pk or not page.live:
        return ""
    translations = _translations(context, page)
    if len(translations) < 2:
        return ""
    links = []
    for code, _name in settings.LANGUAGES:
        if code in translations:
            url = translations[code].get_url(request)
            if url:
                links.append((code, request.build_absolute_uri(url)))
    default = translations.get(settings.LANGUAGE_CODE)
    if default is not None and default.get_url(request):
        links.append(("x-default", request.build_absolute_uri(default.get_url(request))))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', links)


@register.simple_tag(takes_context=True)
def page_language(context) -> dict | None:
    """For a CMS page shown in another language than the interface's:
    {"lang": the page's language, "translation_url": the page in the interface's
    language, if there is one}; None otherwise."""
    page = context.get("page")
    if not isinstance(page, Page) or not page.pk:
        return None
    interface = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    translations = _translations(context, page) if page.live else {}
    page_lang = next((code for code, item in translations.items() if item.pk == page.pk),
                     None) or page.locale.language_code
    if page_lang == interface:
        return None
    translation = translations.get(interface)
    url = translation.get_url(context.get("request")) if translation is not None else ""
    return {"lang": page_lang, "translation_url": url or "",
            # The Japanese fallback for a page not translated yet (not, say, the
            # preview of an English page to a Japanese-speaking editor).
            "fallback": page_lang == settings.LANGUAGE_CODE}


@register.simple_tag
def lang_attribute(info) -> str:
    return format_html(' lang="{}"', info["lang"]) if info else ""
