"""The editorial workflow and permissions, and the scheduled-publishing run.

* Workflow "事務局承認" with one GroupApprovalTask for the 事務局 (secretariat)
  group, assigned to the home page, so every page under it goes through it.
* Page permissions on the home page (GroupPagePermission rows):
  編集者 (editor) may add and edit pages but not publish them;
  事務局 may add, edit, publish, lock and unlock.
* Image and document permissions on the root collection for both groups
  (GroupCollectionPermission rows), so editors can upload images with alt text.
* A django-q2 Schedule running `publish_scheduled` every minute, for
  go-live and expiry times.

The groups' model permissions are set by directory/accounts/roles.py after
every migrate. Everything here is get-or-create: running it on a site that
has some of it changes nothing that exists.
"""

from django.db import migrations

SECRETARIAT = "事務局"
EDITOR = "編集者"
WORKFLOW_NAME = "事務局承認"
SCHEDULE_NAME = "Wagtail: publish_scheduled"

PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page"],
    SECRETARIAT: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
PAGE_PERMISSION_NAMES = {
    "add_page": "Can add page",
    "change_page": "Can change page",
    "publish_page": "Publish any page",
    "lock_page": "Lock/unlock pages you've locked",
    "unlock_page": "Unlock any page",
}
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "choose_image"],
    ("wagtaildocs", "document"): ["add_document", "change_document", "choose_document"],
}


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def setup(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Site = apps.get_model("wagtailcore.Site")
    ContentType = apps.get_model("contenttypes.ContentType")
    Task = apps.get_model("wagtailcore.Task")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    Schedule = apps.get_model("django_q.Schedule")

    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT)
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    groups = {SECRETARIAT: secretariat, EDITOR: editor}

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        home_id = site.root_page_id

        # The workflow.
        task = GroupApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
        if task is None:
            task_type, _ = ContentType.objects.get_or_create(
                app_label="wagtailcore", model="groupapprovaltask")
            task = GroupApprovalTask.objects.create(
                name=WORKFLOW_NAME, active=True, content_type=task_type)
        task.groups.add(secretariat)
        workflow, _ = Workflow.objects.get_or_create(
            name=WORKFLOW_NAME, defaults={"active": True})
        if not WorkflowTask.objects.filter(workflow=workflow).exists():
            WorkflowTask.objects.create(
                workflow=workflow, task=Task.objects.get(pk=task.pk), sort_order=0)
        if not WorkflowPage.objects.filter(page_id=home_id).exists():
            WorkflowPage.objects.create(workflow=workflow, page_id=home_id)

        # Page permissions on the home page.
        for group_name, codenames in PAGE_PERMISSIONS.items():
            for codename in codenames:
                permission = _permission(apps, "wagtailcore", "page", codename,
                                         PAGE_PERMISSION_NAMES[codename])
                GroupPagePermission.objects.get_or_create(
                    group=groups[group_name], page_id=home_id, permission=permission)

    # Images and documents in the root collection.
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for (app_label, model), codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                permission = _permission(apps, app_label, model, codename,
                                         f"Can {codename.replace('_', ' ')}")
                for group in groups.values():
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission)

    # Scheduled publishing: every minute.
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "cms_pages.tasks.publish_scheduled",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms_pages", "0004_demo_tree"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
