"""English pages next to the Japanese ones (wagtail-localize), with Japanese as the
fallback.

URLs
    Japanese pages keep their addresses ("/", "/news/…"); English translations
    live under "/en/" ("/en/", "/en/news/…"). Pages are routed on the tree of the
    URL's language; when "/en/<path>" has no live English page, the Japanese page
    at "<path>" is shown instead (with a note and ``lang="ja"`` on its content,
    its canonical URL being the Japanese one), never a 404 for a page that exists.

Language of the rest of the page (header, footer, the apps' own views)
    As before: Japanese, unless the visitor chose another language with the
    language switch (a cookie); Accept-Language is ignored
    (config.middleware.JapaneseByDefaultMiddleware). An "/en/" URL is English
    whatever the cookie says. Django's LocaleMiddleware would instead force
    Japanese on every URL without a prefix once ``i18n_patterns`` is used, which
    would make the switch a no-op on /shops/ and the other app pages:
    ``PortalLocaleMiddleware`` keeps the cookie there, and ``page_patterns``
    (instead of ``i18n_patterns``) resolves unprefixed page URLs whatever the
    active language.

The language switch (``set_language``) keeps the page: on a CMS page it goes to
the page's live translation in the chosen language, or to the Japanese page when
there is none.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.views.i18n import set_language as django_set_language
from wagtail import hooks
from wagtail.models import Page, Site


def _prefixed_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def url_language(path: str) -> str:
    """The language a URL path is in: its prefix ("/en/…"), else the default (ja)."""
    for code in _prefixed_languages():
        if path == f"/{code}" or path.startswith(f"/{code}/"):
            return code
    return settings.LANGUAGE_CODE


class PagePrefixPattern(LocalePrefixPattern):
    """Like ``i18n_patterns(..., prefix_default_language=False)`` for reversing
    (English pages get "/en/"), but matching both prefixed and unprefixed paths
    whatever the active language, so the cookie may choose English on a Japanese URL."""

    def __init__(self):
        super().__init__(prefix_default_language=False)

    def match(self, path):
        for code in _prefixed_languages():
            if path.startswith(f"{code}/"):
                return path[len(code) + 1:], (), {}
        return path, (), {}


def page_patterns(*urls):
    return [URLResolver(PagePrefixPattern(), list(urls))]


class PortalLocaleMiddleware(LocaleMiddleware):
    """The language of a prefixed URL, else the language cookie, else Japanese."""

    def process_request(self, request):
        language = translation.get_language_from_request(request, check_path=True)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# --- Routing ----------------------------------------------------------------------


def live_translation(page: Page, language: str) -> Page | None:
    """The live translation of ``page`` in ``language`` (the page itself if it is in it)."""
    if page.locale.language_code == language:
        return page if page.live else None
    return (page.get_translations().filter(locale__language_code=language, live=True)
            .order_by("pk").first())


def _roots(site: Site, language: str) -> list[Page]:
    """The trees to look in for a URL in ``language``: its own, then the default one."""
    default_root = site.root_page  # in the default language
    roots = []
    if language != settings.LANGUAGE_CODE:
        localized_root = live_translation(default_root, language)
        if localized_root is not None:
            roots.append(localized_root)
    return roots + [default_root]


def route_for_request(request, path: str):
    """(page, args, kwargs) for ``path`` on the tree of the URL's language, falling
    back to the default language's tree; None when neither has a page there."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [component for component in path.split("/") if component]
    for root in _roots(site, url_language(request.path_info)):
        try:
            return root.specific.route(request, components)
        except Http404:
            continue
    return None


def serve(request, path):
    """Wagtail's ``serve`` view, routing on the URL's language with the fallback."""
    result = route_for_request(request, path)
    request._wagtail_route_for_request = result
    if result is None:
        raise Http404
    page, args, kwargs = result

    def serve_chain(page, request, args, kwargs):
        return page.serve(request, *args, **kwargs)

    on_serve_chain = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)
    for fn in hooks.get_hooks("before_serve_page"):
        response = fn(page, request, args, kwargs)
        if isinstance(response, HttpResponse):
            return response
    return on_serve_chain(page, request, args, kwargs)


# --- Translations of a page (hreflang, the notice, the switch) --------------------------


def page_translations(page: Page) -> dict[str, Page]:
    """{language: live page} for the page and its translations in LANGUAGES."""
    languages = [code for code, _name in settings.LANGUAGES]
    pages = Page.objects.filter(translation_key=page.translation_key, live=True,
                                locale__language_code__in=languages).select_related("locale")
    return {item.locale.language_code: item for item in pages.order_by("pk")}


def translated_page_url(page: Page, language: str, request=None) -> str | None:
    """Where the language switch goes from ``page``: its live translation in
    ``language``, else the page in the default language (the fallback)."""
    translations = page_translations(page)
    target = translations.get(language) or translations.get(settings.LANGUAGE_CODE)
    if target is None:
        return None
    return target.get_url(request)


def page_for_path(request, path: str) -> Page | None:
    """The live page a URL path shows (with the fallback), without serving it."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.func is not serve:
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    slugs = [slug for slug in (match.args[0] if match.args else "").split("/") if slug]
    for root in _roots(site, url_language(path)):
        url_path = root.url_path + "".join(f"{slug}/" for slug in slugs)
        page = Page.objects.filter(url_path=url_path, live=True).first()
        if page is not None:
            return page
    return None


def set_language(request):
    """Django's set_language, then, when ``next`` is a CMS page, the page's
    translation in the chosen language (or its Japanese original)."""
    response = django_set_language(request)
    if request.method != "POST" or not isinstance(response, HttpResponseRedirect):
        return response
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return response
    next_url = request.POST.get("next", "")
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return response
    page = page_for_path(request, parts.path)
    if page is None:
        return response
    target = translated_page_url(page, language, request)
    if target:
        response["Location"] = urlunsplit(("", "", target, parts.query, ""))
    return response


# --- Editing translations -------------------------------------------------------------


def translated_home_permissions(sender, instance, created, raw=False, **kwargs):
    """When a home page is translated (a new top-level page in another locale, beside
    the Japanese home), give it the Japanese home's page permissions and workflow, so
    editors and the secretariat edit the English tree as they do the Japanese one
    (cms_pages/migrations/0005)."""
    from wagtail.models import GroupPagePermission, WorkflowPage

    if raw or not created or instance.depth != 2:
        return
    source = (Page.objects.filter(translation_key=instance.translation_key, depth=2)
              .exclude(pk=instance.pk).filter(locale__language_code=settings.LANGUAGE_CODE)
              .first())
    if source is None:
        return
    for permission in GroupPagePermission.objects.filter(page=source):
        GroupPagePermission.objects.get_or_create(
            group_id=permission.group_id, page=instance, permission_id=permission.permission_id)
    workflow_page = WorkflowPage.objects.filter(page=source).first()
    if workflow_page is not None:
        WorkflowPage.objects.get_or_create(page=instance,
                                           defaults={"workflow": workflow_page.workflow})
