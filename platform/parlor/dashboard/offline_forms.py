"""Validation of the Offline page: business hours, follow-up mail, one's own notifications."""

from __future__ import annotations

from django import forms

from parlor.followup.models import PRECHAT_FIELDS
from parlor.hours.schedule import DAYS, ScheduleError, date_parse, ranges_parse, zone_parse

MAX_HOLIDAYS = 400


class BusinessHoursForm(forms.Form):
    """A weekly schedule as one text field per day ("09:00-12:00, 13:00-17:00"), holidays."""

    enabled = forms.BooleanField(required=False, label="Use business hours")
    timezone = forms.CharField(max_length=64, help_text="An IANA timezone, e.g. Europe/Berlin.")
    reply_time = forms.CharField(
        max_length=64,
        required=False,
        label="Typical reply time",
        help_text='Shown while away: "typically replies in …" (e.g. "a few hours").',
    )
    offline_form = forms.BooleanField(
        required=False,
        label="Offline message form",
        help_text="When closed, the widget asks for name, email and a message instead of a chat.",
    )
    holidays = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Closed all day on these dates, one per line (YYYY-MM-DD).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for day in DAYS:
            self.fields[day] = forms.CharField(
                required=False,
                label=day.title(),
                help_text="Empty: closed." if day == "monday" else "",
                widget=forms.TextInput(attrs={"placeholder": "09:00-17:00"}),
            )
        self.order_fields(["enabled", "timezone", *DAYS, "holidays", "reply_time"])

    def clean_timezone(self) -> str:
        """Refuse names that are not IANA timezones."""
        return self._checked(zone_parse, self.cleaned_data["timezone"].strip()).key

    def clean_holidays(self) -> list[str]:
        """Return the holidays as ISO dates."""
        lines = [line.strip() for line in self.cleaned_data["holidays"].splitlines()]
        dates = [self._checked(date_parse, line).isoformat() for line in lines if line]
        if len(dates) > MAX_HOLIDAYS:
            raise forms.ValidationError(f"At most {MAX_HOLIDAYS} holidays.")
        return dates

    def clean(self) -> dict:
        """Parse each day's ranges into the stored weekly list."""
        cleaned = super().clean()
        weekly = []
        for day in DAYS:
            try:
                weekly.append(ranges_parse(cleaned.get(day) or ""))
            except ScheduleError as error:
                self.add_error(day, str(error))
        cleaned["weekly"] = weekly
        return cleaned

    @staticmethod
    def initial_from(hours) -> dict:
        """Return the form's initial values from stored business hours."""
        weekly = hours.weekly if len(hours.weekly or []) == len(DAYS) else [[]] * len(DAYS)
        initial = {
            day: ", ".join(f"{start}-{end}" for start, end in ranges)
            for day, ranges in zip(DAYS, weekly, strict=True)
        }
        return {
            **initial,
            "enabled": hours.enabled,
            "timezone": hours.timezone,
            "reply_time": hours.reply_time,
            "offline_form": hours.offline_form,
            "holidays": "\n".join(hours.holidays or []),
        }

    def _checked(self, parse, value):
        try:
            return parse(value)
        except ScheduleError as error:
            raise forms.ValidationError(str(error)) from error


class FollowupSettingsForm(forms.Form):
    """When unread replies are emailed, and what the widget asks visitors."""

    delay_minutes = forms.IntegerField(
        min_value=1,
        max_value=7 * 24 * 60,
        label="Email unread replies after (minutes)",
    )
    ask_email = forms.BooleanField(
        required=False, label="Ask visitors for an email address when nobody is available"
    )
    prechat_enabled = forms.BooleanField(required=False, label="Pre-chat form")
    prechat_fields = forms.MultipleChoiceField(
        choices=[(name, name.title()) for name in PRECHAT_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Pre-chat fields",
    )


class NotificationsForm(forms.Form):
    """One staff member's own choice."""

    new_conversation_email = forms.BooleanField(
        required=False, label="Email me new conversations while agents are offline"
    )
