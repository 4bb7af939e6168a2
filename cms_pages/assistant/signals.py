"""Rebuild the assistant's index when what it reads changes (retrieval.index_changed)."""

from django.db.models.signals import post_delete, post_save


def _changed(sender, **kwargs):
    from cms_pages.assistant.retrieval import index_changed

    index_changed()


def connect():
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished

    from cms_pages.assistant.models import Synonym
    from cms_pages.models import FaqItem, FaqPage
    from directory.masters.models import Facility, Genre, Municipality

    for model in (FaqItem, FaqPage, Synonym, Municipality, Facility, Genre):
        post_save.connect(_changed, sender=model, dispatch_uid=f"assistant_save_{model.__name__}")
        post_delete.connect(_changed, sender=model,
                            dispatch_uid=f"assistant_delete_{model.__name__}")
    page_published.connect(_changed, dispatch_uid="assistant_page_published")
    page_unpublished.connect(_changed, dispatch_uid="assistant_page_unpublished")
    post_delete.connect(_changed, sender=Page, dispatch_uid="assistant_page_deleted")
