"""The page workflow 事務局承認 approves with FourEyesApprovalTask (the submitter cannot
approve). The old group approval task is detached from the workflow and renamed, not
deleted, so pages already in moderation finish under it."""

import django.db.models.deletion
from django.db import migrations, models


WORKFLOW_NAME = "事務局承認"


def use_four_eyes_task(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    Task = apps.get_model("wagtailcore.Task")
    FourEyesApprovalTask = apps.get_model("cms_pages.FourEyesApprovalTask")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")

    # Wagtail's own sample workflow and task (its migrations) are named in English.
    Workflow.objects.filter(name="Moderators approval").update(name="モデレーターによる承認")
    Task.objects.filter(name="Moderators approval").update(name="モデレーターによる承認")
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="cms_pages",
                                                        model="foureyesapprovaltask")
    for step in WorkflowTask.objects.filter(workflow=workflow):
        old = GroupApprovalTask.objects.filter(pk=step.task_id).first()
        if old is None:
            continue  # already another kind of task
        new = FourEyesApprovalTask.objects.create(name=old.name, active=old.active,
                                                  content_type=content_type)
        new.groups.set(old.groups.all())
        step.task_id = new.pk
        step.save(update_fields=["task"])
        Task.objects.filter(pk=old.pk).update(name=f"{old.name}（旧）")


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('cms_pages', '0010_faqitem_translatable'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.CreateModel(
            name='FourEyesApprovalTask',
            fields=[
                ('task_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to='wagtailcore.task')),
                ('groups', models.ManyToManyField(help_text='Pages/snippets at this step in a workflow will be moderated or approved by these groups of users', to='auth.group', verbose_name='groups')),
            ],
            options={
                'verbose_name': 'approval by a group (not by the submitter)',
                'verbose_name_plural': 'approvals by a group (not by the submitter)',
            },
            bases=('wagtailcore.task',),
        ),
        migrations.RunPython(use_four_eyes_task, migrations.RunPython.noop),
    ]
