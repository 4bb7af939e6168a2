"""Back-office screens for the secretariat's bulk shop import/export (bulk.py).

Import: upload → preview (every row's action and errors, nothing saved) →
apply (the file kept between the two steps in the cache, bound to the user).
Export: the shop listing's filters, as CSV or XLSX in the import's format.
Only the secretariat (who may publish every shop) reaches these screens.
"""

from __future__ import annotations

import secrets

from django import forms
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from directory.access import shops_for_user
from directory.shops.bulk import (
    MAX_BYTES,
    BulkFileError,
    bulk_apply,
    bulk_export_csv,
    bulk_export_xlsx,
    bulk_preview,
)
from directory.shops.models import Shop
from operations.models import AuditEvent
from operations.receivers import model_label
from operations.services import audit_record

CACHE_SECONDS = 60 * 60
BULK_PERMISSIONS = ("shops.add_shop", "shops.change_shop", "shops.publish_shop",
                    "shops.access_all_shop")


def user_may_bulk_edit_shops(user) -> bool:
    return user.is_active and all(user.has_perm(perm) for perm in BULK_PERMISSIONS)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy("The format of the export below: the first row holds the column "
                               "names. Rows with an id update that shop; rows without one "
                               "create a shop."),
        error_messages={"required": gettext_lazy("Choose a file to upload.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB. Split it into "
                                          "smaller files."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a CSV or XLSX file."))
        return upload


class SecretariatOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not user_may_bulk_edit_shops(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _cache_key(user, token: str) -> str:
    return f"shops-bulk-import:{user.pk}:{token}"


class ShopBulkImportView(SecretariatOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "shops/admin/bulk_import.html"
    page_title = gettext_lazy("Bulk import and export of sponsor shops")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        from directory.shops.wagtail_hooks import ShopFilterSet

        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        context["filters"] = ShopFilterSet(self.request.GET or None,
                                           queryset=shops_for_user(self.request.user))
        context["export_url"] = reverse("shops_bulk_export")
        return context

    def post(self, request):
        token = request.POST.get("token", "")
        if "apply" in request.POST:
            stored = cache.get(_cache_key(request.user, token)) if token.isalnum() else None
            if stored is None:
                messages.error(request, _("The preview has expired. Upload the file again."))
                return redirect("shops_bulk_import")
            preview = bulk_apply(data=stored["data"], filename=stored["name"], user=request.user)
            if not preview.can_apply:
                return self.render_to_response(self.get_context_data(
                    preview=preview, token=token, filename=stored["name"]), status=400)
            cache.delete(_cache_key(request.user, token))
            messages.success(request, _("Saved and published: %(created)d new, %(updated)d "
                                        "changed sponsor shops.")
                             % {"created": preview.to_create, "updated": preview.to_update})
            return redirect("shops_bulk_import")
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            preview = bulk_preview(data=data, filename=upload.name, user=request.user)
        except BulkFileError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        token = secrets.token_hex(16)
        cache.set(_cache_key(request.user, token), {"data": data, "name": upload.name},
                  CACHE_SECONDS)
        return self.render_to_response(self.get_context_data(
            preview=preview, token=token, filename=upload.name),
            status=200 if not preview.errors else 400)


class ShopBulkExportView(SecretariatOnlyMixin, TemplateView):
    def get(self, request):
        from directory.shops.wagtail_hooks import ShopFilterSet

        filters = ShopFilterSet(request.GET or None, queryset=shops_for_user(request.user))
        if not filters.is_valid():
            return HttpResponse(_("Invalid filter."), status=400, content_type="text/plain")
        shops = filters.qs
        keyword = (request.GET.get("q") or "").strip()
        if keyword:
            from directory.shops.selectors import _keyword_filter

            shops = _keyword_filter(shops, keyword)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        audit_record(
            action=AuditEvent.Action.EXPORT, request=request, object_type=model_label(Shop),
            detail={"path": request.path, "format": file_format, "view": "shops_bulk_export",
                    "filters": {key: value for key, value in request.GET.items()
                                if key != "format"},
                    "count": shops.count(), "personal_data": False},
        )
        if file_format == "xlsx":
            response = HttpResponse(
                bulk_export_xlsx(shops),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = f'attachment; filename="shops-{stamp}.xlsx"'
        else:
            response = HttpResponse(bulk_export_csv(shops), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="shops-{stamp}.csv"'
        return response
