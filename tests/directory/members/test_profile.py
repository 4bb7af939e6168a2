"""The member's own profile (/accounts/mypage/profile/): own data only, clear Japanese
errors for bad dates and unknown municipalities, and children kept in step."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from directory.members.models import Child, Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/mypage/profile/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(masters):
    return MemberFactory(family_name="大阪", given_name="花子", marriage_date=None)


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def today():
    return timezone.localdate()


def days(n):
    return (today() + datetime.timedelta(days=n)).isoformat()


def form_data(**overrides):
    data = {
        "family_name": "大阪", "given_name": "花子", "family_name_kana": "", "given_name_kana": "",
        "municipality": "271004", "child_rows": "3", "child_1": "", "child_2": "", "child_3": "",
        "due_date": "", "marriage_date": "", "planned_marriage_date": "",
        "notify_by_push": "on",
    }
    data.update(overrides)
    return data


def test_the_url_is_the_one_the_card_pages_link_to():
    assert reverse("accounts:profile") == URL


def test_anonymous_visitors_are_sent_to_the_member_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/mypage/profile/"
    assert client.post(URL, form_data())["Location"].startswith("/accounts/login/")


def test_a_member_sees_only_their_own_profile(client, masters):
    mine = MemberFactory(family_name="自分", given_name="です")
    other = MemberFactory(family_name="他人", given_name="さん", member_number="2799999999")
    Child.objects.create(member=other, birth_date=datetime.date(2011, 11, 11))
    client.force_login(mine.user)

    for path in (URL, "/accounts/mypage/", "/accounts/mypage/data.json"):
        html = client.get(path).content.decode()
        assert "他人" not in html and "2799999999" not in html and "2011-11-11" not in html
    assert "自分" in client.get(URL).content.decode()


def test_a_member_cannot_change_another_members_profile(client, masters):
    mine = MemberFactory()
    other = MemberFactory(family_name="他人")
    client.force_login(mine.user)

    # There is no id in the URL; extra ids in the form are ignored.
    client.post(URL, form_data(family_name="書き換え", member=other.pk, user=other.user_id,
                               id=other.pk, pk=other.pk))

    other.refresh_from_db()
    mine.refresh_from_db()
    assert other.family_name == "他人"
    assert mine.family_name == "書き換え"


def test_a_logged_in_user_without_a_member_record_is_sent_to_my_page(client, masters):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mypage")


def test_every_field_has_a_visible_label(member_client):
    html = member_client.get(URL).content.decode()

    assert html.count("<h1") == 1
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for attrs in re.findall(r"<(?:input|select)\b([^>]*)>", html):
        if 'type="hidden"' in attrs:
            continue
        control_id = re.search(r'id="([^"]+)"', attrs).group(1)
        assert control_id in labelled, attrs
    for legend in ("興味のある協賛店のジャンル（任意）", "興味のある特典の種類（任意）"):
        assert f'<legend class="p-form__label">{legend}</legend>' in html


def test_saving_updates_the_profile_and_goes_back_to_my_page(member_client, member):
    response = member_client.post(URL, form_data(
        family_name="堺", given_name_kana="ハナコ", municipality="271403",
        child_1="2019-07-07", child_2="2022-02-02", due_date=days(60),
        planned_marriage_date="", preferred_genres=["restaurant"],
        preferred_benefit_types=["gift", "points"], notify_by_email="on", notify_by_push="",
    ))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mypage")
    member.refresh_from_db()
    assert member.family_name == "堺" and member.given_name_kana == "ハナコ"
    assert member.municipality.code == "271403"
    assert member.due_date == today() + datetime.timedelta(days=60)
    assert [c.birth_date.isoformat() for c in member.children.all()] == [
        "2019-07-07", "2022-02-02"]
    assert [g.code for g in member.preferred_genres.all()] == ["restaurant"]
    assert {b.code for b in member.preferred_benefit_types.all()} == {"gift", "points"}
    assert member.notify_by_email and not member.notify_by_push
    assert "プロフィールを保存しました" in member_client.get(response["Location"]).content.decode()


def test_children_are_kept_in_step_with_the_rows(member_client, member):
    kept = Child.objects.create(member=member, birth_date=datetime.date(2015, 5, 5),
                                nickname="長男")
    Child.objects.create(member=member, birth_date=datetime.date(2018, 8, 8))
    page = member_client.get(URL).content.decode()
    assert 'value="2015-05-05"' in page and 'value="2018-08-08"' in page
    assert 'name="child_4"' in page  # two empty rows after the stored children

    member_client.post(URL, form_data(child_rows="4", child_1="2015-05-05", child_2="",
                                      child_3="2024-03-03", child_4=""))

    children = list(member.children.all())
    assert [c.birth_date.isoformat() for c in children] == ["2015-05-05", "2024-03-03"]
    assert children[0].pk == kept.pk and children[0].nickname == "長男"


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"child_1": days(1)}, "child_1", "生年月日に未来の日付は入力できません"),
    ({"child_3": days(400)}, "child_3", "生年月日に未来の日付は入力できません"),
    ({"due_date": days(-1)}, "due_date", "出産予定日に過去の日付は入力できません"),
    ({"due_date": days(500)}, "due_date", "出産予定日が先すぎます"),
    ({"marriage_date": days(1)}, "marriage_date", "結婚日に未来の日付は入力できません"),
    ({"planned_marriage_date": days(-1)}, "planned_marriage_date",
     "結婚予定日に過去の日付は入力できません"),
    ({"municipality": "999999"}, "municipality", "お住まいの市区町村を一覧から選んでください"),
    ({"municipality": "<script>"}, "municipality", "お住まいの市区町村を一覧から選んでください"),
    ({"municipality": ""}, "municipality", "お住まいの市区町村を選んでください"),
    ({"child_1": "31/02/2020"}, "child_1", "生年月日を日付で入力してください"),
    ({"due_date": "来月"}, "due_date", "出産予定日を日付で入力してください"),
    ({"given_name": ""}, "given_name", "名を入力してください"),
    ({"family_name": "あ" * 51}, "family_name", "50"),
    ({"preferred_benefit_types": ["nope"]}, "preferred_benefit_types", "一覧から選んでください"),
])
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    member_client, member, overrides, field, message
):
    before = Member.objects.filter(pk=member.pk).values().get()

    response = member_client.post(URL, form_data(**{"family_name": "変更後", **overrides}))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "入力内容に誤りがあります" in html  # the error summary at the top
    assert f'<a href="#id_{field}">' in html
    assert f'id="id_{field}_error"' in html
    if field not in {"preferred_benefit_types"}:
        assert re.search(rf'name="{field}"[^>]*aria-describedby="[^"]*id_{field}_error', html) \
            or re.search(rf'aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*name="{field}"', html) \
            or re.search(rf'<(?:input|select)[^>]*aria-describedby="[^"]*id_{field}_error"'
                         rf'[^>]*id="id_{field}"', html)
    member.refresh_from_db()
    assert Member.objects.filter(pk=member.pk).values().get() == before


def test_a_stored_due_date_that_has_passed_does_not_block_saving(member_client, member):
    Member.objects.filter(pk=member.pk).update(
        due_date=today() - datetime.timedelta(days=10),
        planned_marriage_date=today() - datetime.timedelta(days=3),
    )
    member.refresh_from_db()

    response = member_client.post(URL, form_data(
        family_name="そのまま", due_date=member.due_date.isoformat(),
        planned_marriage_date=member.planned_marriage_date.isoformat(),
    ))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.family_name == "そのまま"


def test_today_is_accepted_for_every_date(member_client, member):
    response = member_client.post(URL, form_data(
        child_1=days(0), due_date=days(0), marriage_date=days(0), planned_marriage_date=days(0),
    ))

    assert response.status_code == 302


def test_a_tampered_row_count_is_bounded(member_client, member):
    response = member_client.post(URL, form_data(child_rows="100000"))

    assert response.status_code == 302
    html = member_client.get(URL).content.decode()
    assert len(re.findall(r'name="child_\d+"', html)) == 3
