"""Forms of the operator console: each refuses what the services would refuse, field by field."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from tenants.operators import is_operator
from tenants.quotas import LABELS, PLANS, QUOTA_MAX, QUOTA_NAMES

PLAN_CHOICES = [(name, name) for name in PLANS]


class OperatorAuthenticationForm(AuthenticationForm):
    """Django's login form that lets only platform operators in."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not is_operator(user):
            # The same words as a wrong password: nothing tells who is an operator.
            raise self.get_invalid_login_error()


class TenantCreateForm(forms.Form):
    """A new tenant: slug (also its schema), name, dashboard domain and plan."""

    slug = forms.CharField(max_length=63)
    name = forms.CharField(max_length=200)
    domain = forms.CharField(max_length=253)
    plan = forms.ChoiceField(choices=PLAN_CHOICES, initial="team")


class QuotaForm(forms.Form):
    """A plan and, per quota, an override (blank: the plan's default); whole numbers ≥ 1."""

    plan = forms.ChoiceField(choices=PLAN_CHOICES)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in QUOTA_NAMES:
            self.fields[name] = forms.IntegerField(
                label=LABELS[name].capitalize(),
                required=False,
                min_value=1,
                max_value=QUOTA_MAX,
                error_messages={
                    "invalid": "Enter a whole number.",
                    "min_value": "Enter 1 or more; to stop a tenant, suspend it.",
                },
            )

    def overrides(self) -> dict[str, int]:
        """Return the overrides filled in (blank fields keep the plan's default)."""
        return {
            name: self.cleaned_data[name]
            for name in QUOTA_NAMES
            if self.cleaned_data.get(name) is not None
        }


class SuspendForm(forms.Form):
    """Why the tenant is suspended (kept in the platform audit log)."""

    reason = forms.CharField(max_length=200, required=False)


class DeleteForm(forms.Form):
    """The tenant's slug typed again: deletion cannot be undone."""

    confirm = forms.CharField(max_length=63)

    def __init__(self, *args, slug: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slug = slug

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != self.slug:
            raise forms.ValidationError("Type the tenant's slug exactly to delete it.")
        return value
