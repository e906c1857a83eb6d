"""Give staff created before roles existed a role: the earliest an owner, the rest admins.

Before roles, every staff user could do everything; admins keep that (bar making owners), so
nobody loses access by this migration, and each tenant with staff gets exactly one owner.
"""

from django.db import migrations


def roles_for_existing_staff(apps, schema_editor):
    User = apps.get_model("auth", "User")
    StaffRole = apps.get_model("team", "StaffRole")
    staff = User.objects.filter(is_staff=True, staff_role__isnull=True).order_by("pk")
    owner_exists = StaffRole.objects.filter(role="owner").exists()
    for user in staff:
        role = "admin" if owner_exists or not user.is_active else "owner"
        owner_exists = owner_exists or role == "owner"
        StaffRole.objects.create(user=user, role=role)


class Migration(migrations.Migration):
    dependencies = [("team", "0001_staff_role")]

    operations = [migrations.RunPython(roles_for_existing_staff, migrations.RunPython.noop)]
