"""Public side of push: the device settings page and the notification click counter."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from notifications import selectors, services


@never_cache
@require_safe
def push_settings(request):
    """お知らせの通知: turn notifications on for this browser, list and remove devices.
    Signed-out visitors may subscribe to general news only."""
    user = request.user if request.user.is_authenticated else None
    member = selectors.member_of_user(user)
    return render(request, "notifications/push_settings.html", {
        "devices": selectors.devices_of_user(user) if user else [],
        "member": member,
        "vapid_public_key": services.vapid_public_key(),
    })


@require_POST
def device_remove(request, pk: int):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if services.subscription_delete_for_user(user=request.user, pk=pk):
        messages.success(request, _("The device was removed: it gets no more notifications."))
    else:
        messages.error(request, _("That device is not in your list."))
    return redirect("notifications:settings")


@require_POST
def devices_remove_all(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    count = services.subscriptions_delete_all_for_user(user=request.user)
    messages.success(request, _("All devices were removed (%(count)d).") % {"count": count})
    return redirect("notifications:settings")


@require_safe
def click(request, token: str):
    """A notification was opened: count it, go to the campaign's link."""
    campaign = services.campaign_click(token)
    if campaign is None:
        raise Http404
    target = campaign.link or "/"
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    if not local and not target.startswith("https://"):
        target = "/"
    return redirect(target)
