"""{% api_tokens_section %}: the signed-in user's API tokens, for the account page."""

from django import template

from api import tokens

register = template.Library()
SHOWN = 20


@register.inclusion_tag("api/includes/api_tokens.html", takes_context=True)
def api_tokens_section(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = list(tokens.api_tokens_for_user(user)[:SHOWN]) if user is not None else []
    return {"tokens": rows, "request": request, "csrf_token": context.get("csrf_token")}
