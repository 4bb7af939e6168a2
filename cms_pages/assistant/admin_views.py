"""The insight dashboard in the back office (the secretariat and the auditor:
permission assistant.view_insights). Every figure is a table with a caption,
each downloadable as CSV."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cms_pages.assistant import insights
from cms_pages.assistant.services import retention_days

PERMISSION = "assistant.view_insights"


def _check(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def dashboard(request):
    _check(request)
    return render(request, "assistant/admin/insights.html", {
        "tables": insights.all_tables(),
        "retention_days": retention_days(),
    })


def table_csv(request, slug: str):
    _check(request)
    build = insights.TABLES.get(slug)
    if build is None:
        raise Http404
    table = build()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{slug}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # a BOM, so that Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow(table.headers)
    for row in table.rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet.
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return response
