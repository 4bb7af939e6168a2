"""English for everything a visitor sees (issue 19): after switching to English in
the menu, the site chrome (header, menu, footer, search form's choices) and the
masters on the shop list (areas, municipalities, genres, facilities, programme
badges) have no Japanese text. Content fields that have no translation yet (a shop's
name, a benefit's text, an editor's footer hours) may stay Japanese and are left
out of the check."""

import re

from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

# The chrome's text, without content: the shop cards' names and benefit texts,
# the footer's contact hours (a site setting an editor writes).
CHROME_TEXT_JS = """() => {
  const parts = [];
  const take = (el) => {
    const clone = el.cloneNode(true);
    // Language names are written in their own language (日本語), as they should be.
    clone.querySelectorAll('.p-footer__contact dd, [data-content], [lang]:not([lang^="en"])')
      .forEach((n) => n.remove());
    parts.push(clone.innerText || clone.textContent);
  };
  document.querySelectorAll('header, footer').forEach(take);
  document.querySelectorAll('main select option, main label, main legend, main h1, main button')
    .forEach((el) => { if (!el.closest('[lang]:not([lang^="en"])')) parts.push(el.textContent); });
  document.querySelectorAll('.p-tag, .p-card__facilities, .p-card__genres')
    .forEach((el) => parts.push(el.textContent));
  parts.push(document.title.split(' | ').pop());
  return parts.join('\\n');
}"""


def _japanese_lines(text):
    return [line.strip() for line in text.splitlines() if JAPANESE.search(line)]


def test_switching_to_english_leaves_no_japanese_in_the_chrome(demo_site, browser):
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP",
                                  viewport={"width": 390, "height": 844})
    context.route(lambda url: not url.startswith(demo_site.url), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto("/shops/")
        page.locator("[data-menu] > summary").click()
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
        assert page.evaluate("document.documentElement.lang") == "en"

        for path in ("/shops/", "/events/", "/faminavi/", "/accounts/login/",
                     "/accounts/signup/", "/for-shops/", "/assistant/"):
            page.goto(path)
            assert page.evaluate("document.documentElement.lang") == "en", path
            lines = _japanese_lines(page.evaluate(CHROME_TEXT_JS))
            assert lines == [], (path, lines)

        # The masters in English: a municipality romanised, a genre, a facility.
        page.goto("/shops/")
        options = page.locator("main select option").all_inner_texts()
        assert "Osaka City" in options and "Chihayaakasaka Village" in options
        text = page.locator("main").inner_text()
        assert "Restaurants" in text  # a genre (checkboxes)
        assert "Nursing room" in text or "Hot water for formula" in text
        assert re.search(r"\b(Child|Marriage)\b", text)
        header = page.locator("header").inner_text()
        assert "Osaka Child-Raising and Marriage Support Passport" in header
    finally:
        context.close()
