"""Validation of the search, analytics and export forms (issue 12, items 6 and 8)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from parlor.base.errors import ValidationFailed
from parlor.chat.export import FORMATS, RANGE_MAX_DAYS
from parlor.chat.search import QUERY_MAX_LENGTH, search_query_check

ANALYTICS_DEFAULT_DAYS = 30
ANALYTICS_MAX_DAYS = 366


class SearchForm(forms.Form):
    """The words to look for in the tenant's messages."""

    q = forms.CharField(label="Search messages", max_length=QUERY_MAX_LENGTH, strip=True)

    def clean_q(self) -> str:
        try:
            return search_query_check(self.cleaned_data["q"])
        except ValidationFailed as error:
            raise forms.ValidationError(error.detail) from None


class DateRangeForm(forms.Form):
    """A range of whole UTC days, `from` to `to`, both included; the last 30 days by default."""

    max_days = ANALYTICS_MAX_DAYS

    start = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    @classmethod
    def from_query(cls, query) -> DateRangeForm:
        """Bind the form to a query string's `from` and `to` (both optional)."""
        return cls({"start": query.get("from", ""), "end": query.get("to", "")})

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        today = timezone.now().date()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=ANALYTICS_DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError("“From” must be on or before “To”.")
        if (end - start).days >= self.max_days:
            raise forms.ValidationError(f"Choose at most {self.max_days} days.")
        data["start"], data["end"] = start, end
        return data

    def days(self) -> tuple[date, date]:
        """Return the valid range's first and last day."""
        return self.cleaned_data["start"], self.cleaned_data["end"]


class ExportRangeForm(DateRangeForm):
    """A date range export: the same days as analytics, a longer maximum, and a format."""

    max_days = RANGE_MAX_DAYS

    format = forms.ChoiceField(choices=[(name, name.upper()) for name in FORMATS], initial="csv")

    @classmethod
    def from_query(cls, query) -> ExportRangeForm:
        """Bind the form to a query string's `from`, `to` and `format`."""
        return cls(
            {
                "start": query.get("from", ""),
                "end": query.get("to", ""),
                "format": query.get("format", "csv"),
            }
        )
