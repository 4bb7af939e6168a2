"""The approval workflows of the shop side, and the shop image collection.

* Workflow "協賛店承認" (shop approval): one group approval task for the 事務局
  (secretariat) group, assigned to the shops.Shop snippet (WorkflowContentType).
  The task is a shops.ApprovalTask: Wagtail's GroupApprovalTask whose "request
  changes" needs a comment.
* Workflow "イベント承認" (event approval): the same for events.Event.
  Shop owners and municipal staff have no publish permission, so "Save draft"
  and "Submit to …" are their actions; the secretariat approves (publishes)
  or requests changes with a comment.
* Collection "協賛店" under the root collection, where shop owners may upload
  and choose images (GroupCollectionPermission add_image, choose_image); the
  image chooser narrows an owner to their own uploads (wagtail_hooks.py).
* A django-q2 Schedule for the daily digest of submissions to the secretariat
  (it sends nothing unless PORTAL["SUBMISSION_NOTICE"] is "daily"), and one
  deleting provisional shop-account registrations older than 30 days.

The groups' model permissions are set by directory/accounts/roles.py after
every migrate. Everything here is get-or-create: running it on a site that
has some of it changes nothing that exists.
"""

from django.db import migrations

SECRETARIAT = "事務局"
SHOP_OWNER = "協賛店オーナー"
WORKFLOWS = [
    # (workflow and task name, app_label, model)
    ("協賛店承認", "shops", "shop"),
    ("イベント承認", "events", "event"),
]
IMAGE_COLLECTION = "協賛店"
IMAGE_PERMISSIONS = {"add_image": "Can add image", "choose_image": "Can choose image"}
DIGEST_SCHEDULE = "協賛店・イベント申請の日次まとめ"
PRUNE_SCHEDULE = "協賛店アカウント仮登録の削除"


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes.ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return content_type


def setup(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Task = apps.get_model("wagtailcore.Task")
    ApprovalTask = apps.get_model("shops.ApprovalTask")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    Schedule = apps.get_model("django_q.Schedule")

    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT)
    shop_owner, _ = Group.objects.get_or_create(name=SHOP_OWNER)
    task_type = _content_type(apps, "shops", "approvaltask")

    for name, app_label, model in WORKFLOWS:
        task = ApprovalTask.objects.filter(name=name).first()
        if task is None:
            task = ApprovalTask.objects.create(name=name, active=True, content_type=task_type)
        task.groups.add(secretariat)
        workflow, _ = Workflow.objects.get_or_create(name=name, defaults={"active": True})
        if not WorkflowTask.objects.filter(workflow=workflow).exists():
            WorkflowTask.objects.create(workflow=workflow, task=Task.objects.get(pk=task.pk),
                                        sort_order=0)
        content_type = _content_type(apps, app_label, model)
        if not WorkflowContentType.objects.filter(content_type=content_type).exists():
            WorkflowContentType.objects.create(workflow=workflow, content_type=content_type)

    root = Collection.objects.filter(depth=1).first()
    if root is not None:
        collection = Collection.objects.filter(name=IMAGE_COLLECTION, depth=2).first()
        if collection is None:
            # Treebeard's MP_Node API is not available on historical models: add the
            # child by hand (path = root's path + the next 4-character step).
            last = (Collection.objects.filter(depth=2, path__startswith=root.path)
                    .order_by("-path").first())
            step = int(last.path[-4:], 36) + 1 if last else 1
            collection = Collection.objects.create(
                name=IMAGE_COLLECTION, depth=2, numchild=0,
                path=root.path + _base36(step).rjust(4, "0"),
            )
            root.numchild = Collection.objects.filter(depth=2,
                                                      path__startswith=root.path).count()
            root.save(update_fields=["numchild"])
        image_type = _content_type(apps, "wagtailimages", "image")
        for codename, label in IMAGE_PERMISSIONS.items():
            permission, _ = Permission.objects.get_or_create(
                content_type=image_type, codename=codename, defaults={"name": label})
            GroupCollectionPermission.objects.get_or_create(
                group=shop_owner, collection=collection, permission=permission)

    Schedule.objects.get_or_create(
        name=DIGEST_SCHEDULE,
        defaults={
            "func": "directory.shops.tasks.send_submission_digest",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": _next_morning(),
        },
    )
    Schedule.objects.get_or_create(
        name=PRUNE_SCHEDULE,
        defaults={
            "func": "directory.shops.tasks.prune_shop_account_requests",
            "schedule_type": "D",
            "repeats": -1,
        },
    )


def _next_morning():
    """The next 08:00 in Japan, when the daily digest goes out."""
    import datetime
    from zoneinfo import ZoneInfo

    now = datetime.datetime.now(ZoneInfo("Asia/Tokyo"))
    run = now.replace(hour=8, minute=0, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
    return text or "0"


class Migration(migrations.Migration):
    dependencies = [
        ("shops", "0006_owner_side"),
        ("events", "0003_alter_event_options"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
