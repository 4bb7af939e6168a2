"""Browser smoke tests: the home page is Japanese and keyboard-usable."""

from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS


def test_home_page_renders_in_japanese(demo_site, page):
    response = page.goto("/")

    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.title()
    heading = page.locator("h1")
    assert heading.count() >= 1
    assert heading.first.is_visible()
    assert heading.first.inner_text().strip()


def test_first_tab_focuses_a_visible_skip_link(demo_site, page):
    page.goto("/")

    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    assert focused.count() == 1, "Tab focused nothing"
    info = focused.evaluate(
        """(el) => ({
            tag: el.localName,
            href: el.getAttribute('href') || '',
            text: el.innerText.trim(),
        })"""
    )
    assert info["tag"] == "a" and info["href"].startswith("#"), (
        f"the first Tab stop is not an in-page skip link: {info}"
    )
    target_id = info["href"][1:]
    assert target_id and page.locator(f"[id='{target_id}']").count() == 1, (
        f"the skip link points at #{target_id}, which is not on the page"
    )
    assert info["text"], "the skip link has no text"
    # Visually hidden skip links must appear on focus: a real box inside the viewport.
    box = focused.bounding_box()
    viewport = page.viewport_size
    assert focused.is_visible()
    assert box is not None and box["width"] >= 10 and box["height"] >= 10, (
        f"the focused skip link is not visible (box {box})"
    )
    assert box["x"] >= 0 and box["y"] >= 0, f"the skip link is off-screen (box {box})"
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] < viewport["height"]
    clipped = focused.evaluate(
        """(el) => {
            const style = getComputedStyle(el);
            return style.clipPath !== 'none' && style.clipPath !== ''
                || (style.clip !== 'auto' && style.clip !== '')
                || parseFloat(style.opacity) === 0;
        }"""
    )
    assert not clipped, "the focused skip link is clipped or transparent"

    page.keyboard.press("Enter")

    assert page.url.endswith(f"#{target_id}")
