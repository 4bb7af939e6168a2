"""The digital card and its verification by shop staff, through the HTTP interface."""

import base64
import datetime
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from directory.members import cards
from directory.members.models import Member
from tests.factories import ChildFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

VERIFY = "/card/verify"


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def family(masters):
    """Eligible for both programmes: a young child and married last month."""
    member = MemberFactory(family_name="鰻谷", given_name="ミツル", member_number="2799990001",
                           marriage_date=today() - datetime.timedelta(days=30))
    ChildFactory(member=member, birth_date=today() - datetime.timedelta(days=400))
    return member


@pytest.fixture
def couple(masters):
    """Eligible for the marriage pass only."""
    return MemberFactory(family_name="雲雀丘", given_name="ナツメ", member_number="2799990002",
                         marriage_date=today() - datetime.timedelta(days=10))


def token_from_url(url: str) -> str:
    return parse_qs(urlsplit(url).query)["t"][0]


def verify(client, token):
    response = client.get(VERIFY, {"t": token})
    assert response.status_code == 200
    return response, response.context["result"]["verification"]


# --- the card page ----------------------------------------------------------------

def test_anonymous_is_sent_to_login(client, masters):
    response = client.get("/card/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/card/"


def test_user_without_member_record_gets_404(client, masters):
    client.force_login(UserFactory())
    assert client.get("/card/").status_code == 404


def test_one_card_per_eligible_programme(client, family):
    client.force_login(family.user)
    response = client.get("/card/")
    assert response.status_code == 200
    html = response.content.decode()
    assert h1_count(html) == 1
    assert html.count('class="p-member-card"') == 2
    assert html.count("<svg") == 4  # each card: its live code and its offline (day) code
    assert "まいど子でもカード" in html and "縁ジョイパス" in html
    assert "鰻谷 ミツル" in html
    assert "2799990001" in html
    assert 'src="/static/js/card.js"' in html
    assert "data-card-clock" in html
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_card_shows_valid_until_and_colour(client, family):
    client.force_login(family.user)
    response = client.get("/card/")
    html = response.content.decode()
    (maido, enjoy) = response.context["cards"]
    assert maido["programme"].code == "maido"
    assert f'datetime="{maido["eligibility"].valid_until.isoformat()}"' in html
    assert "--p-programme-colour: #c2185b" in html
    assert "--p-programme-colour: #1565c0" in html


def test_not_eligible_programme_says_why_and_what_to_do(client, couple):
    client.force_login(couple.user)
    response = client.get("/card/")
    html = response.content.decode()
    assert html.count('class="p-member-card"') == 1
    assert html.count("<svg") == 2  # the live code and the offline (day) code
    [not_eligible] = response.context["not_eligible"]
    assert not_eligible.programme.code == "maido"
    assert not_eligible.reasons[0].message in html
    assert 'href="/accounts/mypage/profile/"' in html


def test_nobody_eligible_sees_no_card(client, masters):
    member = MemberFactory(marriage_date=None)
    client.force_login(member.user)
    response = client.get("/card/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" not in html
    assert 'class="p-member-card"' not in html
    assert len(response.context["not_eligible"]) == 2
    assert html.count('href="/accounts/mypage/profile/"') == 2


def test_the_qr_code_carries_a_verify_url_that_verifies(client, family):
    client.force_login(family.user)
    response = client.get("/card/")
    html = response.content.decode()
    for item in response.context["cards"]:
        code = item["code"]
        assert code.url.startswith("http://testserver/card/verify?t=")
        # The inline SVG is the QR code of exactly that URL.
        assert code.svg in html
        title = f"お店の方向けのQRコード：{item['programme'].name}"
        assert code.svg == cards.qr_svg(code.url, title=title)
        client.logout()
        page, result = verify(client, token_from_url(code.url))
        assert result.status == cards.Status.VALID
        assert result.programme.code == item["programme"].code
        assert result.valid_until == item["eligibility"].valid_until
        body = page.content.decode()
        assert item["programme"].name in body
        client.force_login(family.user)


def test_members_see_only_their_own_card(client, family, couple):
    client.force_login(couple.user)
    html = client.get("/card/").content.decode()
    assert couple.member_number in html
    assert family.member_number not in html
    assert "鰻谷" not in html
    data = client.get("/card/code/enjoy/").json()
    assert cards._payload(token_from_url(data["url"]), time.time())[:2] == (couple.pk, "enjoy")


def test_post_to_card_is_not_allowed(client, family):
    client.force_login(family.user)
    assert client.post("/card/").status_code == 405


# --- the refresh endpoint ---------------------------------------------------------

def test_code_endpoint_gives_a_fresh_valid_code(client, family):
    client.force_login(family.user)
    response = client.get("/card/code/maido/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["svg"].startswith("<svg")
    assert data["valid_until"]
    _, result = verify(client, token_from_url(data["url"]))
    assert result.status == cards.Status.VALID


def test_code_endpoint_refuses_strangers_and_other_programmes(client, couple):
    assert client.get("/card/code/enjoy/").status_code == 403
    client.force_login(couple.user)
    assert client.get("/card/code/maido/").status_code == 404  # not eligible
    assert client.get("/card/code/nope/").status_code == 404


# --- verification -----------------------------------------------------------------

def make_token(member, code="enjoy", not_after=None, kind=cards.KIND_TIMED):
    return cards.card_token_make(member_id=member.pk, programme_code=code, kind=kind,
                                 not_after=not_after or int(time.time()) + 300)


def test_verify_reveals_no_personal_data(client, family):
    token = make_token(family, "maido")
    response, result = verify(client, token)
    assert result.status == cards.Status.VALID
    html = response.content.decode()
    for secret in ("鰻谷", "ミツル", family.member_number, family.user.email):
        assert secret not in html
    assert "有効" in html
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert h1_count(html) == 1


def test_expired_token(client, couple):
    token = make_token(couple, not_after=int(time.time()) - 1)
    response, result = verify(client, token)
    assert result.status == cards.Status.EXPIRED
    assert "期限切れ" in response.content.decode()


def _code_at(member, now, kind=cards.KIND_TIMED):
    from directory.members.eligibility import eligibility_for

    result = eligibility_for(member, "enjoy", today=today())
    return cards.card_code_make(member=member, eligibility=result, kind=kind, now=now)


def test_a_timed_code_works_for_at_least_half_the_max_age_and_at_most_the_max_age(
        client, couple, settings):
    settings.CARD_TOKEN_MAX_AGE = 300
    made = time.time()
    code = _code_at(couple, made)
    lifetime = code.expires_at.timestamp() - made
    assert 150 <= lifetime <= 300
    assert cards.card_token_verify(code.token, now=made + lifetime - 1).is_valid
    assert cards.card_token_verify(code.token, now=made + lifetime).status == cards.Status.EXPIRED


def test_max_age_is_a_setting(client, couple, settings):
    settings.CARD_TOKEN_MAX_AGE = 30
    made = time.time()
    code = _code_at(couple, made)
    assert cards.card_token_verify(code.token, now=made + 31).status == cards.Status.EXPIRED


def test_the_day_code_works_all_day_and_not_the_next(client, couple):
    """The offline card's code: made in the morning, still good late at night (the
    clerk's verify page says it is the offline code), refused the next day."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    day = today()
    morning = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=tz).timestamp()
    late = datetime.datetime.combine(day, datetime.time(23, 59, 30), tzinfo=tz).timestamp()
    code = _code_at(couple, morning, kind=cards.KIND_DAY)
    assert code.kind == cards.KIND_DAY
    result = cards.card_token_verify(code.token, now=morning + 3 * 3600)
    assert result.is_valid and result.day_code
    assert cards.card_token_verify(code.token, now=late).is_valid
    assert cards.card_token_verify(code.token, now=late + 60).status == cards.Status.EXPIRED
    response, verification = verify(client, code.token)
    assert verification.is_valid
    assert "オフライン用コード" in response.content.decode()


def test_the_card_page_carries_the_day_code_for_offline_use(client, couple):
    client.force_login(couple.user)
    response = client.get("/card/")
    html = response.content.decode()
    (item,) = response.context["cards"]
    assert item["day_code"].kind == cards.KIND_DAY
    assert item["day_code"].svg in html
    assert f'data-card-day data-verify-url="{item["day_code"].url}" hidden' in html
    assert "オフライン表示（最終更新" in html  # hidden until shown offline
    assert cards.card_token_verify(item["day_code"].token).is_valid


def test_the_token_carries_no_member_id_in_the_clear(couple):
    """Opaque: not base64 of the id (the old format), different each time it is made,
    and nothing inside is readable without the key."""
    first, second = make_token(couple), make_token(couple)
    assert first != second
    for token in (first, second):
        body = token[len(cards.TOKEN_PREFIX):]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        assert str(couple.pk).encode() + b"|" not in raw
        assert b"enjoy" not in raw
        assert len(token) < 120


def test_the_qr_image_is_made_once_per_window(client, couple, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    calls = []
    real = cards.qr_svg
    monkeypatch.setattr(cards, "qr_svg", lambda *a, **k: calls.append(1) or real(*a, **k))
    client.force_login(couple.user)
    first = client.get("/card/").context["cards"][0]
    second = client.get("/card/").context["cards"][0]
    assert first["code"] == second["code"] and first["day_code"] == second["day_code"]
    assert len(calls) == 2  # one timed code and one day code, for both views


def test_tampered_token(client, couple, family):
    token = make_token(couple)
    body = token[len(cards.TOKEN_PREFIX):]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    response, result = verify(client, cards.TOKEN_PREFIX + flipped)
    assert result.status == cards.Status.INVALID
    assert "無効" in response.content.decode()
    # The old signed-but-readable format is no longer accepted.
    from django.core import signing

    old = signing.dumps([couple.pk, "enjoy", "2099-12-31"], salt="portal.card", compress=True)
    assert verify(client, old)[1].status == cards.Status.INVALID
    # A token sealed with another key is refused.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cards, "KEY_SALT", "something.else")
        other = make_token(family)
    assert verify(client, other)[1].status == cards.Status.INVALID


def test_token_of_a_deleted_member_is_invalid(client, couple):
    token = make_token(couple)
    couple.user.delete()
    assert not Member.objects.filter(pk=couple.pk).exists()
    response, result = verify(client, token)
    assert result.status == cards.Status.ACCOUNT_DELETED
    html = response.content.decode()
    assert "無効" in html
    assert "雲雀丘" not in html


def test_token_of_a_deactivated_account_is_invalid(client, couple):
    token = make_token(couple)
    couple.user.is_active = False
    couple.user.save()
    assert verify(client, token)[1].status == cards.Status.ACCOUNT_DELETED


def test_token_of_a_member_no_longer_eligible(client, couple):
    token = make_token(couple)
    couple.marriage_date = today() - datetime.timedelta(days=800)
    couple.save()
    response, result = verify(client, token)
    assert result.status == cards.Status.NOT_ELIGIBLE
    html = response.content.decode()
    assert "縁ジョイパス" in html
    assert "雲雀丘" not in html and couple.member_number not in html


def test_pasting_the_whole_url_works(client, couple):
    url = cards.card_verify_url(make_token(couple))
    _, result = verify(client, url)
    assert result.status == cards.Status.VALID


def test_verify_page_without_token_shows_the_form(client, masters):
    response = client.get(VERIFY)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["result"] is None
    assert '<label class="p-form__label" for="id_t">' in html
    assert h1_count(html) == 1


@pytest.mark.parametrize("garbage", [
    "",
    " ",
    "x" * 10_000,
    "あ" * 10_000,
    "有効なカード:です:よ",
    "::::",
    "a:b:c",
    "\u202e\u0000abc",
    "eyJhIjoxfQ:1:2",
    "http://testserver/card/verify?t=",
    "http://testserver/card/verify?t=%ZZ",
    "t=" + "%" * 100,
    "🎴" * 500,
])
def test_garbage_never_breaks_the_page(client, masters, garbage):
    response = client.get(VERIFY, {"t": garbage})
    assert response.status_code == 200
    status = response.context["result"]["verification"].status
    assert status in {cards.Status.INVALID, cards.Status.EMPTY}


def test_sealed_payload_of_the_wrong_shape_is_invalid(client, couple):
    import os

    def seal(plain: bytes) -> str:
        nonce = os.urandom(12)
        sealed = cards._aead().encrypt(nonce, plain, cards.TOKEN_PREFIX.encode())
        return cards.TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    future = int(time.time()) + 300
    for plain in (b"", b"1|enjoy", f"x|enjoy|t|{future}".encode(), f"1|../x|t|{future}".encode(),
                  f"1|enjoy|z|{future}".encode(), b"1|enjoy|t|soon", "\u00e9|||".encode(),
                  f"{2**70}|enjoy|t|{future}".encode(), f"-1|enjoy|t|{future}".encode()):
        status = verify(client, seal(plain))[1].status
        assert status in {cards.Status.INVALID, cards.Status.ACCOUNT_DELETED}, plain


def test_unknown_programme_in_a_signed_token_is_invalid(client, couple):
    token = make_token(couple, code="gone")
    assert verify(client, token)[1].status == cards.Status.INVALID


def test_verify_url_uses_the_base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://pass.example.jp/"
    assert cards.card_verify_url("abc:def") == "https://pass.example.jp/card/verify?t=abc%3Adef"


def test_animation_stops_for_reduced_motion():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "site/static/css/members.css").read_text()
    assert "animation: p-member-card-sheen" in css
    reduced = css.split("@media (prefers-reduced-motion: reduce)", 1)[1]
    assert "animation: none" in reduced
