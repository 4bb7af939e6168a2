"""Reads every public page needs: the site settings and the links to the
editorial pages (header, footer, consent banner).

The settings row is matched on the request's host name, falling back to the
default site's, and read with its linked pages and the site's root page joined,
so the Site lookup and a settings row creation never happen on a page view
(the row is created by migration 0007; a site without one gets the defaults).
What is read is kept per process and host in `site_cache` (config/versioned_cache.py),
dropped whenever the settings, a site, a locale or any page is saved, published,
unpublished, moved or deleted (cms_pages/apps.py): a page view costs one shared-cache
read instead of a twelve-table join, whose planning alone took ≈ 5 ms of database CPU.
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy

from config.versioned_cache import VersionedCache

_UNSET = object()
site_cache = VersionedCache("site:version")


def site_changed(sender, instance=None, **kwargs) -> None:
    """post_save / post_delete receiver: drops `site_cache` when a page, a site, a locale
    or the settings change (every other model is ignored)."""
    from wagtail.models import Locale, Page, Site

    from cms_pages.models import PortalSettings

    if isinstance(instance, (Page, Site, Locale, PortalSettings)):
        site_cache.changed()


def _host(request) -> str:
    return request.get_host().rsplit(":", 1)[0].lower()


def portal_settings_for(request):
    """The PortalSettings for the request (cached on it); never None once asked
    with a request: an unsaved instance with the defaults when there is no row."""
    from cms_pages.models import PortalSettings

    if request is None:
        return None
    cached = getattr(request, "_cms_portal_settings", _UNSET)
    if cached is not _UNSET:
        return cached
    host = _host(request)

    def read():
        return (
            PortalSettings.objects.select_related(
                "site__root_page", *PortalSettings.LINKED_PAGES.values())
            .filter(Q(site__hostname=host) | Q(site__is_default_site=True))
            .order_by(Case(When(site__hostname=host, then=Value(0)), default=Value(1),
                           output_field=IntegerField()))
            .first()
        ) or PortalSettings()

    # Shared by the requests of this process: read only, never changed in place.
    portal_settings = site_cache.get(f"portal_settings:{host}", read)
    request._cms_portal_settings = portal_settings
    return portal_settings


# The header's and footer's labels of the linked pages in a language other than
# Japanese, where the page itself has no translation yet.
CHROME_LABELS = {
    "maido": gettext_lazy("About the child-raising support card"),
    "enjoy": gettext_lazy("About the marriage support pass"),
    "news": gettext_lazy("News"),
    "faq": gettext_lazy("Frequently asked questions"),
    "contact": gettext_lazy("Contact us"),
    "accessibility": gettext_lazy("Accessibility"),
    "privacy": gettext_lazy("Privacy policy"),
    "terms": gettext_lazy("Terms of use"),
    "shop_terms": gettext_lazy("Sponsor shop terms"),
}


def linked_pages_for(request) -> dict[str, dict]:
    """The header and footer links; in another language than Japanese, to the
    pages' live translations where there are some (one more query)."""
    from django.conf import settings
    from django.utils.translation import get_language

    portal_settings = portal_settings_for(request)
    links = portal_settings.linked_pages() if portal_settings is not None else {}
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if not links or language == settings.LANGUAGE_CODE:
        return links
    from wagtail.models import Page

    def read():
        keys = {}
        for key, field in portal_settings.LINKED_PAGES.items():
            page = getattr(portal_settings, field)
            if key in links and page is not None:
                keys[page.translation_key] = key
        translations = Page.objects.filter(translation_key__in=keys, live=True,
                                           locale__language_code=language)
        # Until a page is translated the link goes to the Japanese page, but the
        # menu itself (site chrome) is in the visitor's language.
        for key in list(links):
            if key in CHROME_LABELS:
                links[key] = {**links[key], "title": str(CHROME_LABELS[key])}
        for page in translations:
            url = page.get_url(request)
            if url:
                links[keys[page.translation_key]] = {"url": url, "title": page.title}
        return links

    return site_cache.get(f"linked_pages:{_host(request)}:{language}", read)


def home_url_for(request) -> str:
    """The home page in the active language ("/en/" once translated), else "/"."""
    from django.conf import settings
    from django.utils.translation import get_language
    from wagtail.models import Page

    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    portal_settings = portal_settings_for(request)
    if language == settings.LANGUAGE_CODE or portal_settings is None or not portal_settings.site_id:
        return "/"

    def read():
        home = (Page.objects.filter(
            translation_key=portal_settings.site.root_page.translation_key,
            live=True, locale__language_code=language).first())
        return (home.get_url(request) if home is not None else None) or "/"

    return site_cache.get(f"home_url:{_host(request)}:{language}", read)


def terms_url_for(request, key: str = "terms") -> str:
    """The terms a sign-up form asks to agree to: PORTAL["TERMS_URL"] when set (an
    outside page), else the CMS page linked in the site settings ("terms" for
    members, "shop_terms" for sponsor shops), else ""."""
    from django.conf import settings

    if key == "terms" and settings.PORTAL.get("TERMS_URL"):
        return settings.PORTAL["TERMS_URL"]
    link = linked_pages_for(request).get(key)
    return link["url"] if link else ""
