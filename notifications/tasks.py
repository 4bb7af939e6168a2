"""django-q2 tasks of Web Push (queued by notifications/services.py and schedules)."""

from notifications import services


def campaign_dispatch(campaign_id: int) -> int:
    """A scheduled or approved campaign: fix its audience and queue its batches."""
    return services.campaign_dispatch(campaign_id)


def send_batch(campaign_id: int, subscription_ids: list[int]) -> dict:
    result = services.send_batch(campaign_id=campaign_id, subscription_ids=subscription_ids)
    return {"sent": result.sent, "failed": result.failed, "removed": result.removed}


def prune_subscriptions() -> int:
    """Daily: subscriptions with no successful delivery for 30 days."""
    return services.subscriptions_prune()
