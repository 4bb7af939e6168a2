"""The FAQ assistant (cms_pages/assistant): the same answers as the chat panel.

    POST  /api/v1/assistant            answer a question from the FAQ
    POST  /api/v1/assistant/feedback   "Did this help?" for an answer

Public, never cached, throttled per IP (API_THROTTLE_RATES["assistant"], default
20/minute) besides the API's own throttles. Questions are matched in process;
no external service is called. An unanswered question is logged masked
(digits, e-mail addresses and URLs), with no user, IP or time of day.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api.serializers import InputSerializer
from api.throttling import IPThrottle, TokenThrottle, _SettingsRateThrottle
from api.views import PublicWriteView
from cms_pages.assistant import services

TAG = "assistant"


class AssistantThrottle(_SettingsRateThrottle):
    scope = "assistant"
    cache_format = "api-throttle:%(scope)s:%(ident)s"
    default_rate = "20/minute"

    def get_rate(self):
        return super().get_rate() or self.default_rate

    def get_cache_key(self, request, view):
        from directory.accounts.ratelimit import client_ip

        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class QuestionInputSerializer(InputSerializer):
    question = serializers.CharField(max_length=10_000, allow_blank=True, trim_whitespace=True)

    def validate_question(self, value):
        try:
            return services.question_clean(value)
        except DjangoValidationError as error:
            raise ValidationError(ErrorDetail(error.messages[0], code=error.code)) from error


class LinkSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    question = serializers.CharField()
    answer_html = serializers.CharField()
    answer_text = serializers.CharField()
    links = LinkSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    answered = serializers.BooleanField()
    message = serializers.CharField()
    answer = EntrySerializer(allow_null=True)
    alternatives = EntrySerializer(many=True)
    shop_search = LinkSerializer(allow_null=True)


class FeedbackInputSerializer(InputSerializer):
    faq_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    helpful = serializers.BooleanField()


def answer_data(result) -> dict:
    from django.utils.translation import gettext as _

    if result.answered:
        message = _("This answer from the FAQ may help.")
    elif result.shop_search:
        message = _("No FAQ entry matches, but the shop search may help.")
    else:
        message = _("Sorry, no FAQ entry matches. Try other words or use the contact form.")
    return {
        "answered": result.answered,
        "message": message,
        "answer": result.best.entry if result.best else None,
        "alternatives": [s.entry for s in result.alternatives],
        "shop_search": result.shop_search,
    }


class AssistantView(PublicWriteView):
    throttle_classes = [IPThrottle, TokenThrottle, AssistantThrottle]

    @extend_schema(operation_id="assistant_ask", tags=[TAG],
                   summary="Answer a question from the FAQ (best entry and up to two more)",
                   request=QuestionInputSerializer, responses={200: AnswerSerializer})
    def post(self, request):
        data = QuestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.assistant_ask(question=data.validated_data["question"])
        return Response(AnswerSerializer(answer_data(answer.result)).data)


class FeedbackView(PublicWriteView):
    throttle_classes = [IPThrottle, TokenThrottle, AssistantThrottle]

    @extend_schema(operation_id="assistant_feedback", tags=[TAG],
                   summary="Record whether an answer helped (counted per day, anonymously)",
                   request=FeedbackInputSerializer, responses={204: None})
    def post(self, request):
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not services.feedback_record(faq_item_id=data.validated_data["faq_id"],
                                        helpful=data.validated_data["helpful"]):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
