"""What happens when a news page (お知らせ) is published.

`news_published(page)` is the one place later work hooks into: the Web Push
issue (notifications/) will send the push for pages with ``send_push`` here.
For now it only records the event in the log.
"""

import logging

logger = logging.getLogger(__name__)


def news_published(page) -> None:
    """Called once per publication of a NewsPage (from the admin, a workflow
    approval or `publish_scheduled`), after the page is live."""
    logger.info(
        "news page published: id=%s title=%r push requested=%s",
        page.pk, page.title, page.send_push,
    )


def _on_page_published(sender, instance, **kwargs):
    # Looked up on the module at call time so tests can patch it.
    from cms_pages import news

    news.news_published(instance)
