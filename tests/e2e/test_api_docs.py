"""The interactive API docs (/api/v1/docs) work offline and under the site's CSP."""

from urllib.parse import urlsplit

from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS


def test_swagger_ui_renders_every_operation_offline(page, live_server):
    own_host = urlsplit(live_server.url).netloc
    outside, console_errors = [], []

    def block_outside(route):
        if urlsplit(route.request.url).netloc != own_host:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", block_outside)
    page.on("console", lambda message: message.type == "error"
            and console_errors.append(message.text))
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 40
    assert page.get_by_text("/api/v1/shops", exact=True).first.is_visible()
    assert not outside, f"the docs page fetched outside resources: {outside}"
    csp = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp, csp
