"""Writes of events, ふぁみなび articles and news pages for the API.

Events and articles are workflow snippets: api/services/snippets.py (Wagtail's
actions and workflow). News pages are Wagtail pages: created under the news
index with Wagtail's page permissions (GroupPagePermission) checked, saved as
revisions, published only by users who may publish, or submitted to the page
workflow ("事務局承認").

(Like api/services/shops.py, these belong in their apps once those grow their
own write services.)
"""

from __future__ import annotations

import html
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import WorkflowState
from wagtail.rich_text import RichText

from api.problems import conflict
from api.services.snippets import snippet_create, snippet_edit, snippet_submit
from directory.events.models import Event
from directory.faminavi.models import Article


def text_to_html(text: str) -> str:
    """Plain text as rich-text HTML: paragraphs at blank lines, <br> at line breaks."""
    paragraphs = [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + "<br/>".join(html.escape(line) for line in part.split("\n")) + "</p>"
        for part in paragraphs if part
    )


def _apply(instance, data: dict, *, m2m=(), html_fields=()):
    for name, value in data.items():
        if name in m2m:
            getattr(instance, name).set(value)
        elif name in html_fields:
            setattr(instance, name, text_to_html(value))
        else:
            setattr(instance, name, value)
    return instance


def _save(model, *, user, instance, data, publish, submit, m2m, html_fields):
    """Create (instance None) or edit a workflow snippet, then publish or submit."""
    if publish and submit:
        raise conflict(_("Either submit or publish, not both."), code="conflict")
    if instance is None:
        obj = _apply(model(created_by=user), data, m2m=m2m, html_fields=html_fields)
        snippet_create(user=user, instance=obj, publish=publish)
    else:
        obj = _apply(instance.get_latest_revision_as_object(), data, m2m=m2m,
                     html_fields=html_fields)
        snippet_edit(user=user, instance=obj, publish=publish)
    saved = model.objects.get(pk=obj.pk)
    if submit:
        snippet_submit(user=user, instance=saved)
    return saved


@transaction.atomic
def event_save(*, user, event: Event | None, data: dict, publish=False, submit=False) -> Event:
    """イベント登録・更新: a new event or a new revision of one (draft, published or
    submitted to the "イベント承認" workflow)."""
    return _save(Event, user=user, instance=event, data=data, publish=publish, submit=submit,
                 m2m=("genres",), html_fields=("body",))


@transaction.atomic
def article_save(*, user, article: Article | None, data: dict, publish=False,
                 submit=False) -> Article:
    """お役立ち情報(ふぁみなび)登録・更新."""
    return _save(Article, user=user, instance=article, data=data, publish=publish,
                 submit=submit, m2m=("genres", "areas"), html_fields=("body",))


# --- news pages ----------------------------------------------------------------------------


def news_index():
    from cms_pages.models import NewsIndexPage

    return NewsIndexPage.objects.order_by("path").first()


def news_body(text: str):
    return [("paragraph", RichText(text_to_html(text)))] if text.strip() else []


def _news_apply(page, data: dict):
    for name in ("title", "date", "category", "intro", "send_push"):
        if name in data:
            setattr(page, name, data[name])
    if "body" in data:
        page.body = news_body(data["body"])
    if data.get("slug"):
        page.slug = data["slug"]
    return page


def _news_publish_or_submit(*, user, page, revision, publish: bool, submit: bool):
    if publish:
        if not page.permissions_for_user(user).can_publish():
            raise PermissionDenied
        revision.publish(user=user)
    elif submit:
        workflow = page.get_workflow()
        if workflow is None or not workflow.active:
            raise conflict(_("No approval workflow is configured for this kind of item."),
                           code="no_workflow")
        state = page.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            raise conflict(_("It is already awaiting approval."), code="workflow_state")
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user)
        else:
            workflow.start(page, user)


@transaction.atomic
def news_create(*, user, data: dict, publish=False, submit=False):
    """お知らせ情報登録・更新: a new news page under the news index, as a draft revision
    (published, or submitted to the "事務局承認" workflow, when asked and allowed)."""
    from cms_pages.models import NewsPage

    if publish and submit:
        raise conflict(_("Either submit or publish, not both."), code="conflict")
    parent = news_index()
    if parent is None:
        raise conflict(_("There is no news index page to add news to."), code="conflict")
    if not parent.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    page = _news_apply(NewsPage(owner=user, live=False, has_unpublished_changes=True), data)
    if not page.slug:
        page.slug = f"{page.date:%Y%m%d}-{secrets.token_hex(3)}"
    parent.add_child(instance=page)
    revision = page.save_revision(user=user, log_action=True)
    _news_publish_or_submit(user=user, page=page, revision=revision, publish=publish,
                            submit=submit)
    return NewsPage.objects.get(pk=page.pk)


@transaction.atomic
def news_update(*, user, page, data: dict, publish=False, submit=False):
    from cms_pages.models import NewsPage

    if publish and submit:
        raise conflict(_("Either submit or publish, not both."), code="conflict")
    if not page.permissions_for_user(user).can_edit():
        raise PermissionDenied
    lock = page.get_lock()
    if lock is not None and lock.for_user(user):
        raise conflict(_("It is locked: it is awaiting approval or being edited by someone "
                         "else."), code="locked")
    draft = _news_apply(page.get_latest_revision_as_object(), data)
    draft.full_clean()
    revision = draft.save_revision(user=user, log_action=True)
    _news_publish_or_submit(user=user, page=draft, revision=revision, publish=publish,
                            submit=submit)
    return NewsPage.objects.get(pk=page.pk)
