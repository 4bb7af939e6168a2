"""What happens when a news page (お知らせ) is published.

`news_published(page)` records the publication and, for pages with
``send_push``, hands the page to notifications/ which pushes it once to every
subscription (notifications.services.campaign_for_news_page).
"""

import logging

logger = logging.getLogger(__name__)


def news_published(page, *, user=None) -> None:
    """Called once per publication of a NewsPage (from the admin, a workflow
    approval or `publish_scheduled`), after the page is live."""
    logger.info(
        "news page published: id=%s title=%r push requested=%s",
        page.pk, page.title, page.send_push,
    )
    if page.send_push:
        from notifications.services import campaign_for_news_page

        campaign = campaign_for_news_page(page=page, user=user)
        if campaign is not None:
            logger.info("news page %s pushed as campaign %s", page.pk, campaign.pk)


def _on_page_published(sender, instance, revision=None, **kwargs):
    # Looked up on the module at call time so tests can patch it.
    from cms_pages import news

    user = getattr(revision, "user", None) if revision is not None else None
    news.news_published(instance, user=user)
