"""Site settings for the default site, linking the header and footer to the
demo pages of migration 0004 (matched by slug under the home page).

Page views only read the settings row (cms_pages.selectors), so it is created
here rather than on the first request. Existing rows and links are kept.
"""

from django.db import migrations

LINKS = {
    "child_programme_page": "maido",
    "marriage_programme_page": "enjoy",
    "news_page": "news",
    "faq_page": "faq",
    "contact_page": "contact",
    "accessibility_page": "accessibility",
    "privacy_page": "privacy",
}


def create_settings(apps, schema_editor):
    Site = apps.get_model("wagtailcore.Site")
    Page = apps.get_model("wagtailcore.Page")
    PortalSettings = apps.get_model("cms_pages.PortalSettings")
    for site in Site.objects.select_related("root_page"):
        settings, _created = PortalSettings.objects.get_or_create(site=site)
        root = site.root_page
        children = {
            page.slug: page
            for page in Page.objects.filter(depth=root.depth + 1, path__startswith=root.path)
        }
        changed = False
        for field, slug in LINKS.items():
            if getattr(settings, f"{field}_id") is None and slug in children:
                setattr(settings, field, children[slug])
                changed = True
        if changed:
            settings.save()


class Migration(migrations.Migration):
    dependencies = [
        ("cms_pages", "0006_portalsettings_linked_pages"),
    ]

    operations = [migrations.RunPython(create_settings, migrations.RunPython.noop)]
