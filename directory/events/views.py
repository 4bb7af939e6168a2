"""Public pages for events (イベント): list and detail."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from config.frontend_cache import detail_cache_headers
from directory.events import selectors
from directory.fragments import cached_fragments
from directory.shops.forms import FastSelect
from directory.shops.selectors import municipality_choices

PAGE_SIZE = 20


class EventFilterForm(forms.Form):
    """An unknown municipality code answers 400 with the reason, as on the shop search."""

    municipality = forms.ChoiceField(label=_("Municipality"), required=False, widget=FastSelect)
    past = forms.BooleanField(label=_("Show past events"), required=False)
    order = forms.ChoiceField(
        label=_("Sort order"), required=False, widget=FastSelect,
        choices=[(selectors.ORDER_END, _("Soonest end date first")),
                 (selectors.ORDER_UPDATED, _("Recently updated first"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [
            ("", _("All municipalities")), *municipality_choices()
        ]
        self.fields["municipality"].widget.attrs["class"] = "p-form__control"
        self.fields["order"].widget.attrs["class"] = "p-form__control"


@require_safe
def event_list(request):
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "events/event_list.html", {"form": form, "past": False},
                      status=400)
    past = form.cleaned_data["past"]
    events = selectors.event_list(
        municipality_code=form.cleaned_data["municipality"] or None, past=past,
        order=form.cleaned_data["order"] or selectors.ORDER_END,
    )
    paginator = Paginator(events, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {
        "form": form,
        "past": past,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "events": page_obj.object_list,
        # Each card rendered once per version of its event (directory/fragments.py).
        "cards": cached_fragments(list(page_obj.object_list), "events/includes/event_card.html",
                                  name="event"),
    })


@require_safe
def event_detail(request, pk: int):
    event = selectors.event_get_public(pk=pk)
    if event is None:
        raise Http404(_("No event found."))
    return detail_cache_headers(
        render(request, "events/event_detail.html", {"event": event, "is_preview": False}),
        request)
