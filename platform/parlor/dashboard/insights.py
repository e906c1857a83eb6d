"""Dashboard pages of search, exports and analytics (issue 12, items 6 and 8).

Who may use them: every staff role searches, sees analytics and exports one transcript (an
agent already reads every transcript); only owners and admins export a date range (every
conversation of the tenant at once). Every export is written to the audit log.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tenants.utils import schema_context

from parlor.base.errors import ValidationFailed
from parlor.base.groups import ROOM_ID_PATTERN
from parlor.chat import analytics
from parlor.chat import selectors as chat_selectors
from parlor.chat.export import (
    TranscriptExport,
    export_record,
    export_response,
    format_check,
    range_export,
)
from parlor.chat.search import SEARCH_MAX, message_search
from parlor.dashboard.access import staff_required
from parlor.dashboard.charts import Chart, bar_chart, duration_text, number_text
from parlor.dashboard.insights_forms import DateRangeForm, ExportRangeForm, SearchForm


@require_GET
@staff_required()
def search(request: HttpRequest) -> HttpResponse:
    """Search the tenant's messages; each result links to its place in the transcript."""
    form = SearchForm(request.GET) if "q" in request.GET else SearchForm()
    hits = None
    if form.is_bound and form.is_valid():
        with schema_context(request.tenant.schema_name):
            hits = message_search(query=form.cleaned_data["q"], limit=SEARCH_MAX)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "hits": hits, "nav": "search"}
    return render(request, "dashboard/search.html", context, status=status)


@require_GET
@staff_required()
def insights(request: HttpRequest) -> HttpResponse:
    """Show daily figures over a chosen range as charts, with the same numbers as a table."""
    form = DateRangeForm.from_query(request.GET)
    context: dict = {"form": form, "nav": "insights", "export_form": ExportRangeForm()}
    if not form.is_valid():
        return render(request, "dashboard/insights.html", context, status=400)
    first, last = form.days()
    with schema_context(request.tenant.schema_name):
        figures = analytics.daily_figures(first=first, last=last)
    context.update(
        first=first,
        last=last,
        figures=figures,
        charts=_charts(figures),
        rows=table_rows(figures),
        export_form=ExportRangeForm(initial={"start": first, "end": last, "format": "csv"}),
    )
    return render(request, "dashboard/insights.html", context)


# Each chart: id, title, what it shows, the day's value, how values read.
CHARTS = [
    ("conversations", "Conversations per day", "new conversations", "conversations", None),
    ("messages", "Messages per day", "messages sent", "messages", None),
    (
        "first-response",
        "Median first response time",
        "the median time from a visitor's first message to an agent's first answer",
        "first_response_seconds",
        duration_text,
    ),
    (
        "resolution",
        "Median resolution time",
        "the median time from a conversation's start to its resolution",
        "resolution_seconds",
        duration_text,
    ),
    ("csat", "Customer satisfaction", "the average rating, 1 to 5", "csat_average", None),
    ("csat-count", "Ratings per day", "how many ratings were given", "csat_count", None),
]


def _charts(figures: analytics.Figures) -> list[Chart]:
    days = figures.days
    span = f"{days[0].day:%b %-d} to {days[-1].day:%b %-d}" if days else ""
    return [
        bar_chart(
            chart_id=f"chart-{name}",
            title=title,
            description=f"Per day, {span}: {shows}.",
            points=[(day.day, getattr(day, field)) for day in days],
            label=label or number_text,
        )
        for name, title, shows, field, label in CHARTS
    ]


@require_GET
@staff_required()
def transcript_export(request: HttpRequest, room_id: str) -> HttpResponse:
    """Download one conversation as JSON or CSV, streamed; the export is audited."""
    try:
        fmt = format_check(request.GET.get("format"))
    except ValidationFailed as error:
        return HttpResponse(error.detail, status=400, content_type="text/plain")
    with schema_context(request.tenant.schema_name):
        if not ROOM_ID_PATTERN.fullmatch(room_id) or not chat_selectors.room_get(room_id=room_id):
            raise Http404("no such conversation")
        source = TranscriptExport(room_id=room_id)
        export_record(actor=request.user, source=source, fmt=fmt)
    return export_response(schema_name=request.tenant.schema_name, source=source, fmt=fmt)


@require_GET
@staff_required(manage=True)
def range_export_download(request: HttpRequest) -> HttpResponse:
    """Download every message of a date range as JSON or CSV, streamed; owners and admins."""
    form = ExportRangeForm.from_query(request.GET)
    if not form.is_valid():
        context = {"export_form": form, "form": DateRangeForm(), "nav": "insights"}
        return render(request, "dashboard/insights.html", context, status=400)
    first, last = form.days()
    source = range_export(first=first, last=last)
    fmt = form.cleaned_data["format"]
    with schema_context(request.tenant.schema_name):
        export_record(actor=request.user, source=source, fmt=fmt)
    return export_response(schema_name=request.tenant.schema_name, source=source, fmt=fmt)


def table_rows(figures: analytics.Figures) -> list[list[str]]:
    """Return the figures as text cells, one row per day, for the table under the charts."""
    return [
        [
            day.day.isoformat(),
            number_text(day.conversations),
            number_text(day.messages),
            duration_text(day.first_response_seconds),
            duration_text(day.resolution_seconds),
            number_text(day.csat_average),
            number_text(day.csat_count),
        ]
        for day in figures.days
    ]
