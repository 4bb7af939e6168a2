"""Accessibility (axe, reflow at 320 px) of the push screens that need data: a member's
notification devices page, and a campaign's send screen and edit form in the admin.
(The offline page, the signed-out notifications page and the campaign list and form
are in the sweep's lists: tests/e2e/test_accessibility_sweep.py.)"""

from accessibility.sweep import check_page, format_findings
from tests.e2e.conftest import DEMO_PASSWORD, E2E_MARKS, SECRETARIAT_EMAIL
from tests.e2e.test_pwa_offline import log_in

pytestmark = E2E_MARKS


def test_a_members_notification_devices_page(masters, page, base_url):
    from notifications.models import PushSubscription
    from tests.factories import MemberFactory

    member = MemberFactory(user__email="push-a11y@example.jp")
    for label in ("わたしのスマホ", ""):
        PushSubscription.objects.create(
            endpoint=f"https://fcm.googleapis.com/fcm/send/a11y-{label or 'x'}",
            p256dh="B" + "A" * 86, auth="c" * 22, device_label=label, member=member,
            user=member.user)
    log_in(page, member.user.email)
    findings = check_page(page, "/notifications/", base_url=base_url)
    findings += check_page(page, "/accounts/mypage/", base_url=base_url)
    assert not findings, format_findings(findings, base_url=base_url)


def test_a_campaigns_send_screen(demo_site, page, base_url, login_admin):
    from directory.accounts.models import User
    from notifications.models import Campaign

    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    draft = Campaign.objects.create(title="夏のお知らせ", body="本文", link="/news/",
                                    created_by=secretariat)
    sent = Campaign.objects.create(title="配信済み", body="本文", everyone=True,
                                   status=Campaign.Status.SENT, target_count=3, sent_count=2,
                                   failed_count=1, created_by=secretariat)
    login_admin(page, SECRETARIAT_EMAIL, DEMO_PASSWORD)
    findings = []
    for path in (f"/admin/push/campaigns/{draft.pk}/", f"/admin/push/campaigns/{sent.pk}/",
                 f"/admin/snippets/notifications/campaign/edit/{draft.pk}/"):
        findings += check_page(page, path, base_url=base_url)
    assert not findings, format_findings(findings, base_url=base_url)
