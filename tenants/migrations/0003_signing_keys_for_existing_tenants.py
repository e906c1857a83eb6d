"""Give every tenant created before signing keys existed its first HS256 key."""

import base64
import secrets

from django.db import migrations


def create_missing_keys(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    SigningKey = apps.get_model("tenants", "SigningKey")
    for tenant in Tenant.objects.exclude(schema_name="public"):
        if SigningKey.objects.filter(tenant=tenant, is_current=True).exists():
            continue
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        SigningKey.objects.create(
            tenant=tenant,
            kid=secrets.token_urlsafe(12),
            algorithm="HS256",
            secret=secret,
            is_current=True,
        )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_tenant_token_lifetime_caps_revocation_signingkey")]

    operations = [migrations.RunPython(create_missing_keys, migrations.RunPython.noop)]
