"""Reads every public page needs: the site settings and the links to the
editorial pages (header, footer, consent banner), in one query per request.

The settings row is matched on the request's host name, falling back to the
default site's, and read with its linked pages and the site's root page joined,
so the Site lookup and a settings row creation never happen on a page view
(the row is created by migration 0007; a site without one gets the defaults).
"""

from django.db.models import Case, IntegerField, Q, Value, When

_UNSET = object()


def portal_settings_for(request):
    """The PortalSettings for the request (cached on it); never None once asked
    with a request: an unsaved instance with the defaults when there is no row."""
    from cms_pages.models import PortalSettings

    if request is None:
        return None
    cached = getattr(request, "_cms_portal_settings", _UNSET)
    if cached is not _UNSET:
        return cached
    host = request.get_host().rsplit(":", 1)[0].lower()
    portal_settings = (
        PortalSettings.objects.select_related(
            "site__root_page", *PortalSettings.LINKED_PAGES.values())
        .filter(Q(site__hostname=host) | Q(site__is_default_site=True))
        .order_by(Case(When(site__hostname=host, then=Value(0)), default=Value(1),
                       output_field=IntegerField()))
        .first()
    ) or PortalSettings()
    request._cms_portal_settings = portal_settings
    return portal_settings


def linked_pages_for(request) -> dict[str, dict]:
    portal_settings = portal_settings_for(request)
    return portal_settings.linked_pages() if portal_settings is not None else {}
