"""Writes of the assistant and the anonymous counters (no personal data: see models)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from cms_pages.assistant import retrieval
from cms_pages.assistant.models import (
    AnswerFeedback,
    AssistantDay,
    ShopView,
    UnansweredQuestion,
    ZeroResultSearch,
)
from directory.text import normalise

QUESTION_MAX_LENGTH = 500
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")
_DIGITS = re.compile(r"\d[\d\s-]*")


def scrub(text: str, *, limit: int = 200) -> str:
    """A question without what could identify someone: e-mail addresses, URLs and
    digits (phone and member numbers, dates) are masked."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    text = _EMAIL.sub("[メール]", text)
    text = _URL.sub("[URL]", text)
    text = _DIGITS.sub("#", text)
    return " ".join(text.split())[:limit]


def question_clean(question) -> str:
    if not isinstance(question, str):
        raise ValidationError(_("Enter a question."), code="required")
    question = question.replace("\x00", "").strip()
    if not question:
        raise ValidationError(_("Enter a question."), code="required")
    if len(question) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            _("Enter a question of at most %(limit)d characters (it has %(length)d).")
            % {"limit": QUESTION_MAX_LENGTH, "length": len(question)}, code="max_length")
    return question


def _bump(model, *, amount: int = 1, extra: dict | None = None, **key) -> None:
    updates = {"count": F("count") + amount, **(extra or {})}
    if model.objects.filter(**key).update(**updates):
        return
    try:
        with transaction.atomic():
            model.objects.create(count=amount, **key, **dict.fromkeys(extra or {}, 1))
    except IntegrityError:
        model.objects.filter(**key).update(**updates)


@dataclass(frozen=True)
class Answer:
    question: str
    result: retrieval.Result


def assistant_ask(*, question: str) -> Answer:
    """Answer a question (already cleaned) and count it; unanswered ones are logged."""
    # Markup says nothing about the question (it is shown escaped, never run).
    result = retrieval.answer(strip_tags(question) or question)
    today = timezone.localdate()
    _bump(AssistantDay, day=today, extra={"answered": F("answered") + 1} if result.answered
          else None)
    if not result.answered:
        masked = scrub(question)
        key = normalise(masked)[:200] or "-"
        if not UnansweredQuestion.objects.filter(day=today, key=key).update(
                count=F("count") + 1):
            _unanswered_create(today, key, masked)
    return Answer(question=question, result=result)


def _unanswered_create(day, key, text):
    try:
        with transaction.atomic():
            UnansweredQuestion.objects.create(day=day, key=key, text=text, count=1)
    except IntegrityError:
        UnansweredQuestion.objects.filter(day=day, key=key).update(count=F("count") + 1)


def feedback_record(*, faq_item_id: int, helpful: bool) -> bool:
    """Count one "Did this help?" answer; False if the entry is not published."""
    entry = next((e for e in retrieval.get_index().entries if e.id == faq_item_id), None)
    if entry is None:
        return False
    today = timezone.localdate()
    updated = AnswerFeedback.objects.filter(day=today, question=entry.question[:255],
                                            helpful=helpful).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                AnswerFeedback.objects.create(day=today, question=entry.question[:255],
                                              helpful=helpful, faq_item_id=entry.id, count=1)
        except IntegrityError:
            AnswerFeedback.objects.filter(day=today, question=entry.question[:255],
                                          helpful=helpful).update(count=F("count") + 1)
    return True


def retention_days() -> int:
    return int(getattr(settings, "ANALYTICS_RETENTION_DAYS", 400))


def analytics_purge(*, today: datetime.date | None = None) -> int:
    """Delete counters older than the retention; returns the number of rows deleted."""
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=retention_days())
    deleted = 0
    for model in (AssistantDay, UnansweredQuestion, AnswerFeedback, ZeroResultSearch, ShopView):
        deleted += model.objects.filter(day__lt=cutoff).delete()[0]
    return deleted
