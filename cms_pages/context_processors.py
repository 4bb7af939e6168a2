from django.conf import settings
from django.utils.functional import SimpleLazyObject


def portal(request):
    """Programme names and the site name for every template, and (computed only
    when a template reads them) the site settings, the links to the editorial
    pages and the analytics consent state."""
    from cms_pages.consent import analytics_for_request
    from cms_pages.selectors import home_url_for, linked_pages_for, portal_settings_for

    return {
        "portal": settings.PORTAL,
        "portal_settings": SimpleLazyObject(lambda: portal_settings_for(request)),
        "portal_pages": SimpleLazyObject(lambda: linked_pages_for(request)),
        # "/", or the English home page's URL in English (cms_pages/i18n.py).
        "portal_home_url": SimpleLazyObject(lambda: home_url_for(request)),
        "analytics": SimpleLazyObject(lambda: analytics_for_request(request)),
    }
