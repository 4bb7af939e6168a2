"""The back-office roles, as Django groups, and the permissions each holds.

`roles_sync()` (run by a data migration and by `manage.py load_masters`) makes
the groups match this table, so a fresh install and an old one agree.
"""

from django.utils.translation import gettext_lazy as _

# Group names are data the secretariat reads in the admin, so they are Japanese.
SECRETARIAT = "事務局"
MUNICIPAL_STAFF = "自治体職員"
SHOP_OWNER = "協賛店オーナー"
AUDITOR = "監査"
# Drafts editorial pages and submits them to the "事務局承認" workflow; cannot publish.
# Page and image permissions are GroupPagePermission / GroupCollectionPermission rows
# (cms_pages/migrations/0004_demo_tree_and_workflow.py), not model permissions.
EDITOR = "編集者"

ROLE_LABELS = {
    SECRETARIAT: _("Secretariat"),
    MUNICIPAL_STAFF: _("Municipal staff"),
    SHOP_OWNER: _("Shop owner"),
    AUDITOR: _("Auditor"),
    EDITOR: _("Editor"),
}

_MASTERS = ["area", "municipality", "genre", "benefittype", "facility", "programme", "eligibilityrule"]
_ALL = ["add", "change", "delete", "view"]


def _perms(app_label, model, actions):
    return [(app_label, f"{action}_{model}") for action in actions]


ROLE_PERMISSIONS = {
    SECRETARIAT: (
        [("wagtailadmin", "access_admin")]
        + _perms("shops", "shop", _ALL + ["publish", "lock", "unlock", "access_all"])
        + _perms("shops", "owner", _ALL)
        + _perms("members", "member", _ALL)
        + _perms("events", "event", _ALL + ["publish", "lock", "unlock", "access_all"])
        + _perms("faminavi", "article", _ALL + ["publish", "lock", "unlock", "access_all"])
        + [p for m in _MASTERS for p in _perms("masters", m, _ALL)]
        + [("cms_pages", "change_portalsettings")]  # the site settings (cms_pages)
        + [("operations", "view_auditevent")]  # the audit log, read-only
        # Failed background tasks (mails…): Reports → directory/shops/admin_views.py
        + [("django_q", "view_failure")]
        # Push campaigns (notifications/): write, send, approve a campaign to everyone.
        + _perms("notifications", "campaign", _ALL + ["approve"])
        # The FAQ assistant's synonyms and the insight dashboard (cms_pages/assistant)
        + _perms("assistant", "synonym", _ALL) + [("assistant", "view_insights")]
        # Translating pages into English (wagtail-localize, cms_pages/i18n.py)
        + [("wagtail_localize", "submit_translation")]
        # Mailing staff their one-time authenticator enrolment links (staffauth/)
        + [("staffauth", "add_staffenrolmentlink")]
    ),
    MUNICIPAL_STAFF: (
        [("wagtailadmin", "access_admin")]
        + _perms("events", "event", ["add", "change", "view"])
        + _perms("faminavi", "article", ["add", "change", "view"])
    ),
    SHOP_OWNER: (
        [("wagtailadmin", "access_admin")]
        + _perms("shops", "shop", ["add", "change", "view"])
        + _perms("events", "event", ["add", "change", "view"])
    ),
    AUDITOR: (
        [("wagtailadmin", "access_admin")]
        + _perms("shops", "shop", ["view", "access_all"])
        + _perms("events", "event", ["view", "access_all"])
        + _perms("faminavi", "article", ["view", "access_all"])
        + [("operations", "view_auditevent")]  # the audit log, read-only
        + [p for m in _MASTERS for p in _perms("masters", m, ["view"])]
        + [("assistant", "view_insights")]  # the insight dashboard (cms_pages/assistant)
    ),
    EDITOR: [("wagtailadmin", "access_admin")],
}


def roles_sync():
    """Create or update the role groups with exactly the permissions above."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q
    from wagtail.snippets.models import create_extra_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    # Snippets' publish/lock/unlock permissions; Wagtail creates them on its own
    # post_migrate signal, which may run after ours.
    create_extra_permissions(apps.get_app_config("wagtailsnippets"))
    # wagtail-localize creates "submit_translation" in a data migration only (so it is
    # gone after a flush); the 事務局 role needs it (cms_pages/i18n.py).
    from django.contrib.contenttypes.models import ContentType
    from wagtail_localize.models import Translation

    Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Translation),
        codename="submit_translation", defaults={"name": "Can submit translations"})
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        lookup = Q()
        for app_label, codename in wanted:
            lookup |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(lookup).select_related("content_type"))
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        missing = set(wanted) - found
        if missing:
            raise RuntimeError(f"permissions missing for role {role}: {sorted(missing)}")
        group.permissions.set(permissions)
