"""Search engines and sharing: the sitemaps, robots.txt, canonical URLs,
Open Graph data and JSON-LD structured data.

/sitemap.xml is a sitemap *index* of four sections (Wagtail pages, live
shops, live events, live ふぁみなび articles): with 100,000 shops one file
would pass the 50,000-URL limit of the protocol, and Django paginates each
section on its own (``?p=2``) under the index.

Events and articles are listed once each, at their Japanese original's address: their
pages have no English address of their own (the site's own views, unlike CMS pages,
take their language from the language switch, cms_pages/i18n.py), so an English
translation has no URL to list or to link with hreflang.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from directory.i18n import localized


class _ModelSitemap(DjangoSitemap):
    limit = 10_000

    def __init__(self, request=None):
        self.request = request

    def get_protocol(self, protocol=None):
        if self.request is not None:
            return self.request.scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if self.request is not None:
            return self.request.get_host()
        return super().get_domain(site)

    def lastmod(self, obj):
        return obj.updated_at


class ShopSitemap(_ModelSitemap):
    changefreq = "weekly"

    def items(self):
        from directory.shops.models import Shop

        return Shop.objects.public().only("pk", "updated_at").order_by("pk")


class EventSitemap(_ModelSitemap):
    changefreq = "weekly"

    def items(self):
        from directory.events.models import Event

        return localized(Event.objects.public().only("pk", "updated_at").order_by("pk"),
                         language=settings.LANGUAGE_CODE)


class ArticleSitemap(_ModelSitemap):
    changefreq = "monthly"

    def items(self):
        from directory.faminavi.models import Article

        return localized(Article.objects.public().only("pk", "updated_at").order_by("pk"),
                         language=settings.LANGUAGE_CODE)


class PageSitemap(WagtailSitemap):
    """Wagtail's page sitemap, with URLs on the request's host like the other
    sections (Wagtail would use the Site record's hostname and port), and the
    pages of every language tree (the English pages under /en/, cms_pages/i18n.py)."""

    def items(self):
        from django.db.models import Q
        from wagtail.models import Page

        root = self.get_wagtail_site().root_page
        trees = Q()
        for translated_root in root.get_translations(inclusive=True):
            trees |= Q(path__startswith=translated_root.path)
        return (Page.objects.filter(trees).live().public().order_by("path")
                .defer_streamfields().specific())

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        if self.request is not None:
            for url_info in urls:
                parts = urlsplit(url_info["location"])
                url_info["location"] = urlunsplit((
                    self.request.scheme, self.request.get_host(), parts.path, parts.query, ""))
        return urls


SITEMAPS = {
    "pages": PageSitemap,
    "shops": ShopSitemap,
    "events": EventSitemap,
    "faminavi": ArticleSitemap,
}


def sitemaps_for(request) -> dict:
    return {name: sitemap_class(request) for name, sitemap_class in SITEMAPS.items()}


# --- JSON-LD --------------------------------------------------------------------------

_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> str:
    """A <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(
        _JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def organization_data(request, portal_settings, *, site_name: str, logo_url: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": site_name,
        "url": request.build_absolute_uri("/"),
        "logo": logo_url,
    }
    if portal_settings is not None:
        contact = {"@type": "ContactPoint", "contactType": "customer support",
                   "areaServed": "JP", "availableLanguage": ["Japanese"]}
        if portal_settings.phone:
            contact["telephone"] = portal_settings.phone
        if portal_settings.email:
            contact["email"] = portal_settings.email
        if portal_settings.hours:
            contact["hoursAvailable"] = portal_settings.hours
        if len(contact) > 4:
            data["contactPoint"] = contact
        same_as = [url for _name, url in portal_settings.social_links]
        if same_as:
            data["sameAs"] = same_as
    return data


def event_data(request, event, *, prefecture: str, image_url: str = "") -> dict:
    place_name = event.venue or (event.municipality.name if event.municipality_id else prefecture)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": event.starts_on.isoformat(),
        "endDate": event.ends_on.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "location": {
            "@type": "Place",
            "name": place_name,
            "address": {
                "@type": "PostalAddress",
                "addressCountry": "JP",
                "addressRegion": prefecture,
                "addressLocality": event.municipality.name if event.municipality_id else "",
            },
        },
    }
    if event.summary:
        data["description"] = event.summary
    organiser = event.organiser or (event.shop.name if event.shop_id and event.shop else "")
    if organiser:
        data["organizer"] = {"@type": "Organization", "name": organiser}
    if image_url:
        data["image"] = [image_url]
    return data


def news_article_data(request, page, *, publisher: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title[:110],
        "datePublished": (page.first_published_at.isoformat() if page.first_published_at
                          else page.date.isoformat()),
        "mainEntityOfPage": request.build_absolute_uri(page.get_url(request) or "/"),
        "publisher": {"@type": "Organization", "name": publisher},
    }
    if page.last_published_at:
        data["dateModified"] = page.last_published_at.isoformat()
    if page.intro:
        data["description"] = page.intro
    return data


def faq_data(groups) -> dict:
    from django.utils.html import strip_tags

    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": item.question,
                "acceptedAnswer": {"@type": "Answer", "text": strip_tags(item.answer).strip()},
            }
            for group in groups for item in group["items"]
        ],
    }
