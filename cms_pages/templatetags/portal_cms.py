"""Template tags for the head of every page: canonical URL, Open Graph and JSON-LD."""

import re
from html import unescape

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from wagtail.models import Page

from cms_pages import seo

register = template.Library()


def _site_name(context) -> str:
    portal_settings = context.get("portal_settings")
    name = getattr(portal_settings, "display_site_name", "") if portal_settings else ""
    return name or settings.PORTAL["SITE_NAME"]


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if url else ""


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's address without filters or tracking parameters (a page
    number of a paginated list is kept)."""
    request = context.get("request")
    if request is None:
        return ""
    page = context.get("page")
    path = (page.get_url(request) if isinstance(page, Page) else None) or request.path
    page_number = request.GET.get("page", "")
    if page_number.isdigit() and page_number != "1":
        path += "?" + urlencode({"page": page_number})
    return request.build_absolute_uri(path)


def _subject(context):
    """(og type, title, description, image) of what the page shows."""
    page = context.get("page")
    if isinstance(page, Page):
        # The intro may be rich text (HTML): tags are dropped, entities unescaped.
        description = unescape(strip_tags(
            str(page.search_description or getattr(page, "intro", "") or "")))
        og_type = "article" if type(page).__name__ == "NewsPage" else "website"
        return og_type, page.seo_title or page.title, str(description), None
    for name in ("event", "article", "shop"):
        obj = context.get(name)
        if obj is not None and hasattr(obj, "_meta") and not isinstance(obj, Page):
            title = getattr(obj, "title", None) or getattr(obj, "name", "")
            description = getattr(obj, "summary", "") or getattr(obj, "comment", "") or ""
            return "article", title, description, getattr(obj, "image", None)
    return "website", "", "", None


@register.simple_tag(takes_context=True)
def social_meta(context) -> str:
    """<link rel="canonical">, Open Graph and Twitter card tags."""
    request = context.get("request")
    if request is None:
        return ""
    site_name = _site_name(context)
    og_type, title, description, image = _subject(context)
    url = canonical_url(context)
    image_url = ""
    if image is not None:
        try:
            image_url = _absolute(request, image.get_rendition("fill-1200x630").url)
        except (OSError, ValueError):  # a missing image file must not break the page
            image_url = ""
    tags = [
        ("og:type", og_type),
        ("og:site_name", site_name),
        ("og:title", title or site_name),
        ("og:url", url),
        ("og:locale", "ja_JP"),
    ]
    if description:
        tags.append(("og:description", description.strip()[:300]))
    if image_url:
        tags.append(("og:image", image_url))
    return format_html(
        '<link rel="canonical" href="{}">\n  {}\n  <meta name="twitter:card" content="{}">',
        url,
        format_html_join("\n  ", '<meta property="{}" content="{}">', tags),
        "summary_large_image" if image_url else "summary",
    )


@register.simple_tag(takes_context=True)
def organization_json_ld(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    return seo.json_ld_script(seo.organization_data(
        request, context.get("portal_settings") or None,
        site_name=_site_name(context),
        logo_url=request.build_absolute_uri(static("icons/logo.svg")),
    ))


@register.simple_tag(takes_context=True)
def event_json_ld(context, event) -> str:
    request = context.get("request")
    if request is None or event is None or not getattr(event, "pk", None):
        return ""
    image_url = ""
    if event.image_id:
        try:
            image_url = _absolute(request, event.image.get_rendition("width-960").url)
        except (OSError, ValueError):  # a missing image file must not break the page
            image_url = ""
    return seo.json_ld_script(seo.event_data(
        request, event, prefecture=settings.PORTAL["PREFECTURE_NAME"], image_url=image_url))


@register.simple_tag(takes_context=True)
def news_json_ld(context, page) -> str:
    request = context.get("request")
    if request is None:
        return ""
    return seo.json_ld_script(seo.news_article_data(
        request, page, publisher=settings.PORTAL["SECRETARIAT_NAME"]))


@register.simple_tag
def faq_json_ld(groups) -> str:
    return seo.json_ld_script(seo.faq_data(groups)) if groups else ""


_IFRAME_WITHOUT_TITLE = re.compile(r"<iframe(?![^>]*\btitle=)", re.IGNORECASE)


@register.filter
def iframe_title(html, title) -> str:
    """Give an embedded player's <iframe> a title (WCAG 4.1.2) when the provider did not."""
    if not html:
        return ""
    opening = format_html('<iframe title="{}"', title)
    return mark_safe(_IFRAME_WITHOUT_TITLE.sub(  # noqa: S308 - embed HTML from Wagtail's finders
        lambda _match: opening, str(html), count=1))
