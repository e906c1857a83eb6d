"""Validation of what staff submit: login, widget look, allowed origins and replies."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator, URLValidator

from parlor.base.conf import setting
from parlor.base.errors import ValidationFailed
from parlor.chat.message_input import BODY_EMPTY, BODY_TOO_LARGE, body_check, client_msg_id_check
from tenants.validators import normalise_origin

COLOR_PATTERN = r"#[0-9a-fA-F]{6}"
LOCALE_PATTERN = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?"
MAX_ORIGINS = 50
# What staff read for each refusal of the one message check; the code is the same everywhere.
REPLY_ERRORS = {
    BODY_EMPTY: "The reply is empty.",
    BODY_TOO_LARGE: "The reply is over {limit} bytes.",
}


class StaffAuthenticationForm(AuthenticationForm):
    """Django's login form, admitting only active staff users of this tenant."""

    def confirm_login_allowed(self, user) -> None:
        """Refuse users who are not staff with the same message as a wrong password."""
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise self.get_invalid_login_error()


class WidgetSettingsForm(forms.Form):
    """The widget's look: every field optional (empty means Parlor's default)."""

    title = forms.CharField(max_length=80, required=False)
    color = forms.CharField(
        max_length=7,
        required=False,
        validators=[RegexValidator(f"^{COLOR_PATTERN}$", "Enter a color like #4f46e5.")],
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    position = forms.ChoiceField(
        choices=[("right", "Bottom right"), ("left", "Bottom left")], required=False
    )
    greeting = forms.CharField(max_length=300, required=False, widget=forms.Textarea({"rows": 2}))
    avatar_url = forms.URLField(
        label="Avatar URL",
        max_length=500,
        required=False,
        validators=[URLValidator(schemes=["https"])],
        help_text="An https:// image URL.",
        assume_scheme="https",
    )
    locale = forms.CharField(
        max_length=16,
        required=False,
        validators=[RegexValidator(f"^{LOCALE_PATTERN}$", "Enter a language code like en or es.")],
        help_text="Empty: the visitor's browser language.",
    )

    def clean_avatar_url(self) -> str:
        """Allow only https images (the widget shows them on the customer's https site)."""
        value = self.cleaned_data["avatar_url"]
        if value and not value.startswith("https://"):
            raise forms.ValidationError("Use an https:// URL.")
        return value

    def settings(self) -> dict[str, str]:
        """Return the cleaned settings, stripped of surrounding white space."""
        return {name: str(value).strip() for name, value in self.cleaned_data.items()}


class AllowedOriginsForm(forms.Form):
    """The sites allowed to embed the widget, one origin per line."""

    origins = forms.CharField(
        required=False,
        widget=forms.Textarea({"rows": 5, "spellcheck": "false"}),
        help_text="One per line, like https://shop.example or http://localhost:3000.",
    )

    def clean_origins(self) -> list[str]:
        """Return the normalised origins; name each line that is not an origin."""
        lines = [line.strip() for line in self.cleaned_data["origins"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_ORIGINS:
            raise forms.ValidationError(f"At most {MAX_ORIGINS} origins.")
        origins, errors = [], []
        for number, line in enumerate(lines, start=1):
            try:
                origins.append(normalise_origin(line))
            except ValidationFailed:
                errors.append(
                    f"Line {number}: '{line[:80]}' is not an origin like https://shop.example"
                    " (scheme and host, optional port, no path)."
                )
        if errors:
            raise forms.ValidationError(errors)
        return sorted(set(origins))


class ReplyForm(forms.Form):
    """A staff reply: the text and the id that makes a double submit store it once."""

    body = forms.CharField(strip=False, widget=forms.Textarea({"rows": 3}))
    client_msg_id = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def clean_body(self) -> str:
        """Apply the rules every producer's message meets (parlor.chat.message_input)."""
        return _checked(body_check, self.cleaned_data["body"])

    def clean_client_msg_id(self) -> str:
        """Apply the one client_msg_id rule."""
        return _checked(client_msg_id_check, self.cleaned_data["client_msg_id"])

    @staticmethod
    def fresh() -> ReplyForm:
        """Return an empty reply form with a new client_msg_id."""
        return ReplyForm(initial={"client_msg_id": uuid.uuid4().hex})


def _checked(check: Callable[[object], str], value: object) -> str:
    try:
        return check(value)
    except ValidationFailed as error:
        message = REPLY_ERRORS.get(error.code, "Invalid reply: {detail}")
        text = message.format(limit=setting("BODY_MAX_BYTES"), detail=error.detail)
        raise forms.ValidationError(text, code=error.code) from None
