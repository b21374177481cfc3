"""Install the system administrators' integrity alert templates (only rows not edited since)."""

from django.db import migrations


def install(apps, schema_editor):
    from dichvucong.notifications.defaults import INTEGRITY_TEMPLATES, templates_install

    templates_install(apps.get_model("notifications", "NotificationTemplate"), defaults=INTEGRITY_TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [
        ("integrity", "0001_initial"),
        ("notifications", "0005_officer_deadline_templates"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
