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

ROLE_LABELS = {
    SECRETARIAT: _("Secretariat"),
    MUNICIPAL_STAFF: _("Municipal staff"),
    SHOP_OWNER: _("Shop owner"),
    AUDITOR: _("Auditor"),
}

_MASTERS = ["area", "municipality", "genre", "benefittype", "facility", "programme", "eligibilityrule"]
_ALL = ["add", "change", "delete", "view"]


def _perms(app_label, model, actions):
    return [(app_label, f"{action}_{model}") for action in actions]


ROLE_PERMISSIONS = {
    SECRETARIAT: (
        [("wagtailadmin", "access_admin")]
        + _perms("shops", "shop", _ALL + ["publish", "lock", "unlock"])
        + _perms("shops", "owner", _ALL)
        + _perms("members", "member", _ALL)
        + _perms("events", "event", _ALL + ["publish", "lock", "unlock"])
        + _perms("faminavi", "article", _ALL + ["publish", "lock", "unlock"])
        + [p for m in _MASTERS for p in _perms("masters", m, _ALL)]
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
        + _perms("shops", "shop", ["view"])
        + _perms("events", "event", ["view"])
        + _perms("faminavi", "article", ["view"])
        + [p for m in _MASTERS for p in _perms("masters", m, ["view"])]
    ),
}


def roles_sync():
    """Create or update the role groups with exactly the permissions above."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.apps import apps

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = []
        for app_label, codename in wanted:
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
