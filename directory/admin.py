"""Back-office building blocks shared by the apps' wagtail_hooks.py."""

import json
import uuid
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import URLPattern, resolve, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.utils import set_query_params
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, SnippetViewSet

from directory.access import choosable_for_user, user_may_choose
from directory.text import search_terms

CREATION_TOKEN_PARAM = "creation"
CREATION_CLAIM_DAYS = 2


AUTOSAVE_EMPTIED_REQUIRED = _(
    "Not saved automatically: a required field is empty (%(fields)s). Fill it in, or save a "
    "draft with the button.")


class AutosaveKeepsRequiredFieldsMixin:
    """Wagtail's autosave stores drafts with required fields deferred, so a draft whose
    name was cleared while retyping became 「Shop object (22)」 in the header and the
    history. An autosave (a JSON request) is refused while a required field is empty;
    the author's own 「下書き保存」 still saves an incomplete draft, as Wagtail does."""

    def is_valid(self, form):
        result = super().is_valid(form)
        if not result or not self.expects_json_response:
            return result
        empty = [
            str(field.label) for name, field in form.fields.items()
            if field.required and form.cleaned_data.get(name) in (None, "", [], ())
        ]
        if empty:
            self.produced_error_code = "validation_error"
            self.produced_error_message = AUTOSAVE_EMPTIED_REQUIRED % {"fields": "、".join(empty)}
            return False
        return result


class ModelValidationOnFormMixin:
    """Wagtail lets a draft leave required form fields empty, then save_revision() runs
    the model's full_clean, which refuses them where the model field is not blank=True
    (an article's title on 「下書き保存」 or a revert posted without its fields). The
    model's errors go back on the form, and nothing is saved, instead of a 500."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {
                None: error.messages}
            for field, field_messages in errors.items():
                form.add_error(field if field in form.fields else None, field_messages)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class KeepsRequiredFieldsEditView(ModelValidationOnFormMixin, AutosaveKeepsRequiredFieldsMixin,
                                  EditView):
    pass


class IdempotentCreateView(ModelValidationOnFormMixin, AutosaveKeepsRequiredFieldsMixin,
                           CreateView):
    """One create form makes at most one record.

    The form's action URL carries a token made when the form was shown. Wagtail 8's
    autosave posts the form to the create URL as soon as the author types, and the
    submit button posts it there too: without the token, an autosave still in flight
    when 「承認に提出する」 is clicked created a second, identical record. The first
    post with a token claims it (a unique row, held until its transaction commits, so
    a concurrent post waits for it); a later post with the same token is handed to the
    edit view of the record the first one created."""

    @cached_property
    def creation_token(self) -> str:
        if self.request.method == "POST":
            given = self.request.GET.get(CREATION_TOKEN_PARAM, "")
            try:
                return str(uuid.UUID(given))
            except ValueError:
                return ""
        return str(uuid.uuid4())

    def get_add_url(self):
        url = super().get_add_url()
        if self.creation_token:
            url = set_query_params(url, {CREATION_TOKEN_PARAM: self.creation_token})
        return url

    def post(self, request, *args, **kwargs):
        if not self.creation_token:
            return super().post(request, *args, **kwargs)
        from directory.shops.models import CreationClaim

        content_type = ContentType.objects.get_for_model(self.model)
        try:
            with transaction.atomic():
                self.creation_claim = CreationClaim.objects.create(
                    token=self.creation_token, user=request.user, content_type=content_type)
        except IntegrityError:
            claim = (CreationClaim.objects.select_for_update()
                     .filter(token=self.creation_token).first())
            if claim is None or claim.user_id != request.user.pk or (
                    claim.content_type_id != content_type.pk):
                raise Http404 from None
            self.creation_claim = claim
            if claim.object_id and self.model._default_manager.filter(
                    pk=claim.object_id).exists():
                return self.continue_on_edit_view(claim.object_id)
        else:
            CreationClaim.objects.filter(
                user=request.user,
                created_at__lt=timezone.now() - timedelta(days=CREATION_CLAIM_DAYS),
            ).delete()
        return super().post(request, *args, **kwargs)

    def save_instance(self):
        instance = super().save_instance()
        claim = getattr(self, "creation_claim", None)
        if claim is not None:
            claim.object_id = str(instance.pk)
            claim.save(update_fields=["object_id"])
        return instance

    def _as_edit_data(self, data, pk):
        """The create form's inline rows (benefits, images…) carry no ids; on the edit
        view they would be added beside the rows the first post created. They are
        matched to those rows in order instead, and rows beyond them are deleted."""
        data = data.copy()
        record = self.model._default_manager.get(pk=pk)
        latest = record.get_latest_revision_as_object() if hasattr(
            record, "get_latest_revision_as_object") else record
        for prefix in getattr(self.get_form_class(), "formsets", {}):
            existing = list(getattr(latest, prefix).all())
            submitted = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
            for index, child in enumerate(existing):
                data[f"{prefix}-{index}-id"] = str(child.pk)
                if index >= submitted:
                    data[f"{prefix}-{index}-DELETE"] = "1"
            data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
            data[f"{prefix}-TOTAL_FORMS"] = str(max(submitted, len(existing)))
        return data

    def continue_on_edit_view(self, pk):
        """The same post, answered by the edit view of the record (scope guard included);
        an autosave gets the create view's answer, which moves the form to that record."""
        edit_url = reverse(self.edit_url_name, args=[quote(pk)])
        self.request.POST = self._as_edit_data(self.request.POST, pk)
        match = resolve(edit_url)
        response = match.func(self.request, *match.args, **match.kwargs)
        if self.expects_json_response and response.get("Content-Type") == "application/json":
            data = json.loads(response.content)
            if data.get("success"):
                data.pop("html", None)
                data.update({"url": edit_url, "hydrate_url": set_query_params(
                    edit_url, {"_w_hydrate_create_view": "1"})})
                return JsonResponse(data)
        return response

# --- Choosers: every snippet chooser asks the model's permission policy ----------------------


class PolicyChooserMixin:
    """A chooser view that answers 403 to a user without the right to choose the
    model (directory.access: the policy's "choose" action) and offers, finds by id
    and returns only the rows the policy allows. Wagtail's own chooser views check
    nothing but access to the admin."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_choose(request.user, self.model_class):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def choosable(self):
        return choosable_for_user(self.request.user, self.model_class)

    def can_create(self):
        return False  # no object is created from a chooser in this back office


class PolicyChooseView(PolicyChooserMixin, ChooseView):
    def get_object_list(self):
        return self.choosable()


class PolicyChooseResultsView(PolicyChooserMixin, ChooseResultsView):
    def get_object_list(self):
        return self.choosable()


class PolicyChosenView(PolicyChooserMixin, SnippetChosenView):
    def get_object(self, pk):
        try:
            return self.choosable().get(pk=pk)
        except (ValueError, TypeError, ValidationError) as error:
            raise Http404 from error


class PolicyChosenMultipleView(PolicyChooserMixin, SnippetChosenMultipleView):
    def get_objects(self, pks):
        try:
            return list(self.choosable().filter(pk__in=pks))
        except (ValueError, TypeError, ValidationError) as error:
            raise Http404 from error


class PolicyCreateView(PolicyChooserMixin, SnippetCreateView):
    """Refused (403): creating from the chooser is off (can_create)."""


class PolicyChooserViewSet(SnippetChooserViewSet):
    choose_view_class = PolicyChooseView
    choose_results_view_class = PolicyChooseResultsView
    chosen_view_class = PolicyChosenView
    chosen_multiple_view_class = PolicyChosenMultipleView
    create_view_class = PolicyCreateView
    create_action_label = None


class MediaChooserGuard:
    """For Wagtail's image and document chooser views: 403 to a user without the
    right to choose the model (its collection policy's "choose" action in any
    collection); Wagtail's own views answer such a user with an empty modal."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_choose(request.user, self.model_class):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def guard_media_chooser(viewset):
    """Put MediaChooserGuard in front of each view class of Wagtail's image or document
    chooser viewset (its documented view-class attributes), before its URLs are built."""
    for attribute in ("choose_view_class", "choose_results_view_class", "chosen_view_class",
                      "chosen_multiple_view_class"):
        view_class = getattr(viewset, attribute)
        if not issubclass(view_class, MediaChooserGuard):
            setattr(viewset, attribute,
                    type(f"Guarded{view_class.__name__}", (MediaChooserGuard, view_class), {}))


class ReferencedRowDeleteView(DeleteView):
    """Wagtail refuses to delete a row its reference index knows to be in use; the
    database refuses (PROTECT) one still referenced by rows the index never saw (written
    in bulk: the legacy import, the seeder, data migrations). Either way the user gets
    the reason on the delete page, not a 500, and nothing is deleted."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except (ProtectedError, RestrictedError):
            messages.error(self.request, _(
                "This cannot be deleted: other records still use it. Change or delete "
                "those first."))
            return HttpResponseRedirect(self.get_delete_url())


class PortalSnippetViewSet(SnippetViewSet):
    """The base of every snippet viewset here: its chooser goes through the model's
    permission policy (tests/directory/test_choosers.py checks that every registered
    snippet uses it), and deleting a row still in use is explained, not a 500."""

    chooser_viewset_class = PolicyChooserViewSet
    delete_view_class = ReferencedRowDeleteView


class ScopedSnippetViewSet(PortalSnippetViewSet):
    """A snippet viewset whose every object URL (edit, history, revisions,
    compare, preview, workflow actions, usage, delete, lock…) answers 404 when
    the object is outside the user's scope, and whose listing shows only rows
    in scope. Wagtail's own views check model permissions; this adds the row
    check in one place instead of in each view."""

    #: a directory.access function: user -> QuerySet of reachable rows
    scope = None
    add_view_class = IdempotentCreateView
    edit_view_class = KeepsRequiredFieldsEditView

    def get_queryset(self, request):
        return type(self).scope(request.user)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        return [self._guard(pattern) for pattern in patterns]

    def _guard(self, pattern):
        if not isinstance(pattern, URLPattern) or "<" not in str(pattern.pattern):
            return pattern
        view = pattern.callback
        scope = type(self).scope
        model = self.model

        @wraps(view)
        def guarded(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None:
                try:
                    reachable = scope(request.user).filter(pk=pk).exists()
                except (ValueError, TypeError):
                    reachable = False
                if not reachable:
                    raise Http404
                if request.method == "POST":
                    # Serialise writes to one object (the lock is held to the end of
                    # the request): of two reviewers approving at once, the second
                    # finds the workflow finished and is told so; published once.
                    with transaction.atomic():
                        list(model._default_manager.select_for_update()
                             .filter(pk=pk).values_list("pk", flat=True))
                        return view(request, *args, **kwargs)
            return view(request, *args, **kwargs)

        pattern.callback = guarded
        return pattern


class NormalisedSearchIndexViewMixin:
    """Admin search through the normalised search text (directory.text), the
    same folding the public search uses: ｶﾌｪ, かふぇ and カフェ find the same rows."""

    search_text_field = "search_text"

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        for term in search_terms(self.search_query):
            queryset = queryset.filter(**{f"{self.search_text_field}__contains": term})
        return queryset
