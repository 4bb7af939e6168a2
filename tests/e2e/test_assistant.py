"""The FAQ assistant in a browser: three questions through the chat panel by keyboard
alone; the open panel, the answered server-side page and the insight dashboard
pass axe and reflow at 320 px."""

from accessibility.sweep import audit_loaded_page, check_page, format_findings
from tests.e2e.conftest import DEMO_PASSWORD, E2E_MARKS, SECRETARIAT_EMAIL

pytestmark = E2E_MARKS

MAX_TABS = 300


def _tab_to(page, selector: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_three_questions_by_keyboard_alone(demo_site, page, base_url):
    page.goto("/")
    assert page.locator("[data-assistant-link]").is_hidden()  # JavaScript swapped in the button
    _tab_to(page, "[data-assistant-open]")
    page.keyboard.press("Enter")
    dialog = page.locator("[data-assistant-dialog]")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.id") == "a-panel-question"
    log = page.locator("[data-assistant-log]")
    assert log.get_attribute("role") == "log"

    expected = [
        ("ﾊﾟｽﾜｰﾄﾞわすれた", "パスワードを忘れました。", None),
        ("退会したい", "退会するにはどうすればいいですか？", None),
        ("堺市で授乳室のあるお店", "授乳室やおむつ替えができるお店を探したいです。",
         "/shops/?municipality=271403&facility=nursing-room"),
    ]
    for number, (question, answer, link) in enumerate(expected, start=1):
        page.keyboard.type(question)
        page.keyboard.press("Enter")
        reply = log.locator(".a-panel__reply").nth(number - 1)
        reply.wait_for()
        assert reply.locator(".a-answer__question").first.inner_text() == answer
        if link:
            assert reply.locator(f'a[href="{link}"]').count() == 1
        # Focus stays in the question field for the next question.
        assert page.evaluate("document.activeElement.id") == "a-panel-question"

    # "Did this help?" by keyboard: Tab to the first reply's "Yes".
    _tab_to(page, ".a-panel__reply:last-child .a-feedback button")
    page.keyboard.press("Enter")
    log.locator(".a-panel__reply:last-child .a-notice").wait_for()

    findings = audit_loaded_page(page, page.url)
    assert not findings, format_findings(findings, base_url=base_url)

    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.matches('[data-assistant-open]')")


def test_the_answered_page_is_a_server_side_form(demo_site, page, base_url):
    """/assistant/ (where the panel's link leads without JavaScript) answers by a
    plain form post, read by the server."""
    findings = check_page(page, "/assistant/", base_url=base_url)
    page.fill("#assistant-page-question", "カードの有効期限はいつまで？")
    with page.expect_navigation():
        page.locator(".a-form button[type=submit]").click()
    assert "カードの有効期限はいつまでですか？" in page.locator(".a-result").inner_text()
    findings += audit_loaded_page(page, page.url)
    assert not findings, format_findings(findings, base_url=base_url)


def test_the_insight_dashboard(demo_site, page, base_url, login_admin):
    login_admin(page, SECRETARIAT_EMAIL, DEMO_PASSWORD)
    findings = check_page(page, "/admin/insights/", base_url=base_url)
    assert page.locator("table caption").count() >= 5
    assert not findings, format_findings(findings, base_url=base_url)
