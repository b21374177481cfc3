"""Seed the "dossier_updated" notification templates: an officer moved the dossier on (vi, en; three channels).

The texts live with the other defaults in notifications/defaults.py (so "reset templates" restores
them); this migration installs them for databases migrated before they existed there. Reapplying
never overwrites a row an administrator edited.
"""

from django.db import migrations


def install(apps, schema_editor):
    from dichvucong.notifications.defaults import DEFAULT_TEMPLATES, templates_install

    defaults = {key: value for key, value in DEFAULT_TEMPLATES.items() if key[0] == "dossier_updated"}
    templates_install(apps.get_model("notifications", "NotificationTemplate"), defaults=defaults)


def uninstall(apps, schema_editor):
    template_model = apps.get_model("notifications", "NotificationTemplate")
    template_model.objects.filter(event="dossier_updated").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0003_files"),
        ("notifications", "0003_notification_sensitive"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
