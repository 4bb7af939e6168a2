"""The member's account page lists their API tokens and signs one out."""

from api.models import ApiToken
from api.tokens import api_token_issue
from tests.factories import MemberFactory


def test_tokens_are_listed_on_my_page_and_can_be_signed_out(client, member):
    token, _raw = api_token_issue(user=member.user, name="Pixel 9")
    other, _ = api_token_issue(user=MemberFactory().user, name="Someone else's phone")
    client.force_login(member.user)
    page = client.get("/accounts/mypage/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Pixel 9" in html and token.prefix in html
    assert "Someone else" not in html
    response = client.post(f"/api/account/tokens/{token.pk}/revoke")
    assert response.status_code == 302 and response["Location"] == "/accounts/mypage/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Someone else's token: 404, unchanged.
    assert client.post(f"/api/account/tokens/{other.pk}/revoke").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.get(f"/api/account/tokens/{other.pk}/revoke").status_code == 405


def test_no_tokens_message(client, member):
    client.force_login(member.user)
    assert 'data-testid="api-tokens-empty"' in client.get("/accounts/mypage/").content.decode()


def test_signed_out_visitors_are_sent_to_login(client, member):
    token, _raw = api_token_issue(user=member.user)
    response = client.post(f"/api/account/tokens/{token.pk}/revoke")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
