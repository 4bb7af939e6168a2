"""The assistant's own page: the chat panel's answers without JavaScript (a form
posted to the server). Thin: services answer and count."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cms_pages.assistant import services
from directory.accounts.ratelimit import client_ip, rate_limit_hit, too_many_requests

TEMPLATE = "assistant/assistant_page.html"
LIMIT, WINDOW = 20, 60  # questions and feedback per IP and minute


def _limited(request):
    result = rate_limit_hit(scope="assistant", key=client_ip(request), limit=LIMIT,
                            window=WINDOW)
    return None if result.allowed else too_many_requests(request,
                                                           retry_after=result.retry_after)


@require_http_methods(["GET", "HEAD", "POST"])
def assistant_page(request):
    context = {"question": "", "error": "", "result": None}
    status = 200
    if request.method == "POST":
        limited = _limited(request)
        if limited:
            return limited
        raw = request.POST.get("question", "")
        context["question"] = raw[:services.QUESTION_MAX_LENGTH]
        try:
            question = services.question_clean(raw)
        except ValidationError as error:
            context["error"] = error.messages[0]
            status = 400
        else:
            context["result"] = services.assistant_ask(question=question).result
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["POST"])
def feedback(request):
    limited = _limited(request)
    if limited:
        return limited
    try:
        faq_id = int(request.POST.get("faq_id", ""))
    except ValueError:
        faq_id = 0
    helpful = request.POST.get("helpful")
    recorded = (helpful in ("yes", "no") and 0 < faq_id < 2**31
                and services.feedback_record(faq_item_id=faq_id, helpful=helpful == "yes"))
    return render(request, TEMPLATE, {"question": "", "error": "", "result": None,
                                      "feedback_recorded": recorded},
                  status=200 if recorded else 400)
