from django.conf import settings
from django.utils.functional import SimpleLazyObject

ENGLISH_CHROME = ("SITE_NAME", "SECRETARIAT_NAME", "PREFECTURE_NAME")


def portal(request):
    """Programme names and the site name for every template, and (computed only
    when a template reads them) the site settings, the links to the editorial
    pages and the analytics consent state."""
    from django.utils.translation import get_language

    from cms_pages.consent import analytics_for_request
    from cms_pages.selectors import home_url_for, linked_pages_for, portal_settings_for

    portal = settings.PORTAL
    if (get_language() or "").startswith("en"):
        # The names in the header and footer are chrome: English on the English side.
        portal = {**portal, **{key: portal[f"{key}_EN"] for key in ENGLISH_CHROME
                               if portal.get(f"{key}_EN")}}
    return {
        "portal": portal,
        "portal_settings": SimpleLazyObject(lambda: portal_settings_for(request)),
        "portal_pages": SimpleLazyObject(lambda: linked_pages_for(request)),
        # "/", or the English home page's URL in English (cms_pages/i18n.py).
        "portal_home_url": SimpleLazyObject(lambda: home_url_for(request)),
        "analytics": SimpleLazyObject(lambda: analytics_for_request(request)),
    }
