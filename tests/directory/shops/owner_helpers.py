"""Helpers for the shop-side tests (owners, the approval workflow): read the
admin edit form the way a browser would and post it back with changes, so the
tests go through Wagtail's own views with the exact fields the page offers."""

from html.parser import HTMLParser

from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from directory.masters.models import Programme

SHOP_NS = "wagtailsnippets_shops_shop"
EVENT_NS = "wagtailsnippets_events_event"


class _FormParser(HTMLParser):
    """The fields of one <form id=…> as a browser would submit them (no button)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.depth = 0
        self.in_template = 0
        self.fields: list[tuple[str, str]] = []
        self._select = None
        self._select_options: list[tuple[str, bool]] = []
        self._select_multiple = False
        self._textarea = None
        self._textarea_text = []
        self._option_value = None
        self._option_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
            return
        if not self.in_form:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
            self._select_options = []
            self._select_multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            self._option_text = []
            self._select_options.append((attrs.get("value"), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self._textarea_text = []

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.in_form = False
            return
        if tag == "template" and self.in_template:
            self.in_template -= 1
            return
        if tag == "select" and self._select:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._select_multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            for value in chosen:
                self.fields.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._textarea_text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._textarea_text.append(data)


def edit_form_data(html: str, form_id: str = "w-editor-form") -> dict:
    """The edit form's fields as a dict for the test client (lists for repeated names)."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data: dict = {}
    for name, value in parser.fields:
        if name in data:
            if not isinstance(data[name], list):
                data[name] = [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data


def get_edit_form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return edit_form_data(response.content.decode())


def post_edit(client, url: str, *, action: str | None = None, **changes):
    """Load the edit page, change fields, and press "Save draft" (no action) or
    the button of `action` ("submit", "publish"…)."""
    data = get_edit_form(client, url)
    data.update(changes)
    if action:
        data[f"action-{action}"] = "1"
    return client.post(url, data)


def edit_url(pk, namespace=SHOP_NS):
    return reverse(f"{namespace}:edit", args=[pk])


def current_task_state(obj) -> TaskState:
    state = WorkflowState.objects.active().for_instance(obj).get()
    return state.current_task_state


def workflow_action_url(obj, action, namespace=SHOP_NS):
    task_state = current_task_state(obj)
    return reverse(f"{namespace}:workflow_action", args=[obj.pk, action, task_state.pk])


def new_shop_form(osaka_city, **overrides) -> dict:
    """The create form of a complete application (as in test_admin_bad_input)."""
    data = {
        "name": "カフェ・しんき",
        "name_kana": "かふぇしんき",
        "postcode": "540-8570",
        "municipality": str(osaka_city.pk),
        "address": "中央区大手前2丁目",
        "latitude": "34.6863",
        "longitude": "135.52",
        "phone": "06-6941-0351",
        "benefits-TOTAL_FORMS": "1",
        "benefits-INITIAL_FORMS": "0",
        "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "2",
        "benefits-0-programme": str(Programme.objects.get(code="maido").pk),
        "benefits-0-title": "ドリンク1杯無料",
        "benefits-0-detail": "",
        "benefits-0-ORDER": "1",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data
