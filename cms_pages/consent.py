"""Consent to analytics (GA4 / Google Tag Manager).

Nothing from an analytics host loads until the visitor agrees. The choice is
a cookie written by a plain POST form (the banner and the settings page), so
it works without JavaScript; the footer links to the settings page to change
it. With consent and an ID set in PortalSettings, the tags are rendered (with
the request's CSP nonce when one is set); without an ID, nothing loads and no
banner is shown, since there is nothing to agree to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

COOKIE_NAME = "portal_analytics_consent"
GRANTED = "granted"
DENIED = "denied"
CHOICES = (GRANTED, DENIED)
COOKIE_MAX_AGE = 180 * 24 * 60 * 60  # ask again after about six months
# Cookies GA4 sets on the site's domain; removed when consent is withdrawn.
ANALYTICS_COOKIE_PREFIXES = ("_ga", "_gid", "_gat", "_gcl")


def consent_state(request) -> str | None:
    """"granted", "denied" or None (not asked yet, or an unreadable cookie)."""
    value = request.COOKIES.get(COOKIE_NAME)
    return value if value in CHOICES else None


def consent_store(response, request, value: str) -> None:
    if value not in CHOICES:
        raise ValueError(f"consent must be one of {CHOICES}, not {value!r}")
    response.set_cookie(
        COOKIE_NAME, value, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )
    if value == DENIED:
        for name in request.COOKIES:
            if name.startswith(ANALYTICS_COOKIE_PREFIXES):
                response.delete_cookie(name)


@dataclass(frozen=True)
class Analytics:
    consent: str | None
    ga4_id: str = ""
    gtm_id: str = ""
    nonce: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.ga4_id or self.gtm_id)

    @property
    def show_banner(self) -> bool:
        return self.configured and self.consent is None

    @property
    def load_tags(self) -> bool:
        return self.configured and self.consent == GRANTED


def analytics_for_request(request) -> Analytics:
    from cms_pages.selectors import portal_settings_for

    consent = consent_state(request)
    portal_settings = portal_settings_for(request)
    if portal_settings is None:
        return Analytics(consent=consent)
    return Analytics(
        consent=consent,
        ga4_id=portal_settings.ga4_measurement_id,
        gtm_id=portal_settings.gtm_container_id,
        nonce=getattr(request, "csp_nonce", "") or "",
    )
