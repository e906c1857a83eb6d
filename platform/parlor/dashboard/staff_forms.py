"""Validation of the staff page's forms: add a staff user, change a role."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from parlor.team.roles import Role


class StaffAddForm(forms.Form):
    """A new staff user: with a password now, or invited by email to set their own."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": "Use letters, digits and @ . + - _ only."},
    )
    name = forms.CharField(max_length=150, required=False, help_text="The name customers see.")
    email = forms.EmailField(max_length=254, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT)
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to email an invitation to set one.",
    )

    def clean(self) -> dict:
        """Require a password, or an email address to send the invitation to."""
        data = super().clean()
        if not data.get("password") and not data.get("email"):
            raise forms.ValidationError("Give a password, or an email address to invite.")
        return data


class StaffRoleForm(forms.Form):
    """A new role for one staff user."""

    role = forms.ChoiceField(choices=Role.choices)


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending only to this tenant's active staff users."""

    def get_users(self, email: str):
        """Yield the active staff users with `email` (the current schema is the tenant's)."""
        return (user for user in super().get_users(email) if user.is_staff)
