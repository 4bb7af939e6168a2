"""Public views of the CMS app: sitemaps, robots.txt, analytics consent and
the shared preview links."""

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import Page

from cms_pages import consent, preview_links
from cms_pages.seo import sitemaps_for
from config.security import same_origin_post

NOINDEX = "noindex, nofollow, noarchive"


@require_GET
def sitemap_index(request):
    return sitemap_views.index(request, sitemaps_for(request),
                               sitemap_url_name="cms_pages:sitemap_section")


@require_GET
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, sitemaps_for(request), section=section)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /consent/",
        "Disallow: /accounts/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('cms_pages:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _safe_next(request, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


@same_origin_post
@require_http_methods(["GET", "POST"])
def consent_settings(request):
    """The analytics consent page (linked from the footer); the banner posts here too."""
    error = False
    if request.method == "POST":
        choice = request.POST.get("consent")
        if choice in consent.CHOICES:
            target = _safe_next(request, request.POST.get("next")) or (
                reverse("cms_pages:consent") + "?saved=1")
            response = HttpResponseRedirect(target)
            consent.consent_store(response, request, choice)
            return response
        error = True
    response = render(request, "cms_pages/consent.html", {
        "consent_choice": consent.consent_state(request),
        "saved": request.GET.get("saved") == "1",
        "consent_error": error,
        "next_url": _safe_next(request, request.GET.get("next")) or "",
        "hide_consent_banner": True,
    }, status=400 if error else 200)
    response["X-Robots-Tag"] = NOINDEX
    return response


@require_GET
def shared_preview(request, token):
    """A reviewer's view of a page's latest revision, through a signed link."""
    try:
        page_id = preview_links.preview_link_page_id(token)
    except preview_links.PreviewLinkExpired:
        response = render(request, "cms_pages/preview_link_expired.html", status=410)
        response["X-Robots-Tag"] = NOINDEX
        patch_cache_control(response, private=True, no_store=True)
        return response
    except preview_links.PreviewLinkInvalid as error:
        raise Http404 from error
    page = Page.objects.filter(pk=page_id).first()
    if page is None or page.depth < 2:
        raise Http404
    latest = page.specific.get_latest_revision_as_object()
    request.is_preview = True
    request.preview_mode = latest.default_preview_mode
    request.shared_preview = {"expires_at": preview_links.preview_link_expires_at(token)}
    response = latest.serve_preview(request, latest.default_preview_mode)
    response["X-Robots-Tag"] = NOINDEX
    # The token is in the URL: never send it on to other sites.
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, no_store=True)
    return response
