"""The member side: the digital card, its verification by shop staff, favourites.

Views stay thin: selectors read, `eligibility` and `cards` compute, the
`favourites` services write. A member is always the signed-in user's own
record (`selectors.member_for_user`); no member id ever appears in a URL.
"""

import re
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from directory.members import cards, favourites, selectors
from directory.members.eligibility import eligibility_for, member_eligibility

LOGIN_URL = "/accounts/login/"
FAVOURITES_PAGE_SIZE = 50
DEFAULT_COLOUR = "#0017c1"
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --- helpers -----------------------------------------------------------------------


def _relative_luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def programme_colours(colour: str) -> tuple[str, str]:
    """The programme colour (a safe hex value) and black or white text, whichever contrasts more."""
    colour = colour if colour and _HEX_COLOUR.match(colour) else DEFAULT_COLOUR
    luminance = _relative_luminance(colour)
    on_white = 1.05 / (luminance + 0.05)
    on_black = (luminance + 0.05) / 0.05
    return colour, "#ffffff" if on_white >= on_black else "#000000"


def _no_store(response):
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response


def _card_code(member, eligibility, kind=cards.KIND_TIMED):
    return cards.card_code_make(
        member=member, eligibility=eligibility, kind=kind,
        title=_("QR code for shop staff: %(programme)s") % {"programme": eligibility.programme.name},
    )


# --- the card ----------------------------------------------------------------------


@require_safe
@login_required(login_url=LOGIN_URL)
def card(request):
    member = selectors.member_for_user(request.user)
    now = timezone.localtime()
    results = member_eligibility(member, today=now.date())
    member_cards, not_eligible = [], []
    for result in results:
        if result.eligible:
            colour, on_colour = programme_colours(result.programme.colour)
            member_cards.append({
                "eligibility": result, "programme": result.programme,
                "code": _card_code(member, result), "colour": colour, "on_colour": on_colour,
                # Kept with the page in the service worker's cache: the code shown when
                # the card is opened offline, good until the end of today.
                "day_code": _card_code(member, result, cards.KIND_DAY),
            })
        else:
            not_eligible.append(result)
    response = render(request, "members/card.html", {
        "member": member,
        "cards": member_cards,
        "not_eligible": not_eligible,
        "now": now,
        "token_max_minutes": max(cards.token_max_age() // 60, 1),
        "time_zone": settings.TIME_ZONE,
        "refresh_interval": max(cards.token_max_age() // 2, 10),
    })
    return _no_store(response)


@require_safe
@never_cache
def card_code(request, programme_code: str):
    """A fresh QR code for one card, as JSON, for card.js to swap in."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login_required"}, status=403)
    member = selectors.member_for_user(request.user)
    now = timezone.localtime()
    result = eligibility_for(member, programme_code, today=now.date())
    if result is None or not result.eligible:
        return _no_store(JsonResponse({"error": "not_eligible"}, status=404))
    code = _card_code(member, result)
    expires_at = timezone.localtime(code.expires_at)
    return _no_store(JsonResponse({
        "svg": code.svg,
        "url": code.url,
        "expires_at": expires_at.isoformat(),
        "expires_display": time_format(expires_at, "H:i"),
        "valid_until": result.valid_until.isoformat(),
        "server_time": now.isoformat(),
    }))


class VerifyForm(forms.Form):
    t = forms.CharField(
        label=gettext_lazy("Card code"), required=False, strip=True,
        help_text=gettext_lazy("Paste the code or the whole address read from the QR code."),
        widget=forms.TextInput(attrs={
            "class": "p-form__control", "autocomplete": "off", "autocapitalize": "off",
            "spellcheck": "false", "inputmode": "url",
        }),
    )


def _token_from(value: str) -> str:
    """Accept the bare token or the whole verify URL a QR reader shows."""
    value = value.strip()
    if "t=" in value and ("?" in value or value.startswith("t=")):
        try:
            query = urlsplit(value).query if "?" in value else value
            tokens = parse_qs(query).get("t")
        except ValueError:
            return value
        if tokens:
            return tokens[0].strip()
    return value


@require_safe
def card_verify(request):
    raw = request.GET.get("t", "")
    submitted = "t" in request.GET
    verification = None
    if submitted:
        verification = cards.card_token_verify(_token_from(raw))
    # Echo back only what could be a real code, never 10,000 characters of garbage.
    initial = raw if len(raw) <= cards.MAX_TOKEN_LENGTH * 2 else ""
    form = VerifyForm(initial={"t": initial})
    result = None
    if verification is not None:
        result = {"verification": verification}
        if verification.programme is not None:
            colour, on_colour = programme_colours(verification.programme.colour)
            result.update(colour=colour, on_colour=on_colour)
    response = render(request, "members/card_verify.html", {
        "form": form,
        "result": result,
        "checked_at": timezone.localtime(),
        "token_max_minutes": max(cards.token_max_age() // 60, 1),
    })
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return _no_store(response)


# --- favourites -------------------------------------------------------------------


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_POST
def favourite_toggle(request, shop_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(
            _safe_next(request, reverse("shops:detail", args=[shop_id])), LOGIN_URL
        )
    member = selectors.member_for_user(request.user)
    shop = selectors.live_shop(shop_id=shop_id)
    action = request.POST.get("action", "")
    if action == "add":
        state = favourites.favourite_set(member=member, shop=shop, favourite=True)
    elif action == "remove":
        state = favourites.favourite_set(member=member, shop=shop, favourite=False)
    elif action == "":
        state = favourites.favourite_toggle(member=member, shop=shop)
    else:
        raise Http404("Unknown action")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"shop": shop.pk, "is_favourite": state})
    return redirect(_safe_next(request, shop.get_absolute_url()))


@require_safe
@login_required(login_url=LOGIN_URL)
def favourite_list(request):
    member = selectors.member_for_user(request.user)
    paginator = Paginator(selectors.favourite_list(member), FAVOURITES_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    response = render(request, "members/favourite_list.html", {
        "member": member,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "favourites": page_obj.object_list,
    })
    response["Cache-Control"] = "private, no-cache"
    return response

