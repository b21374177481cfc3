"""Install the officers' deadline templates ("officer_deadline": acceptance overdue, step due soon or overdue).

templates_install updates only the rows an administrator has not edited (their checksum still
matches an earlier default) and creates missing ones; edited rows are left as they are.
"""

from django.db import migrations


def refresh_defaults(apps, schema_editor):
    from dichvucong.notifications.defaults import templates_install

    templates_install(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_refresh_default_templates"),
    ]

    operations = [migrations.RunPython(refresh_defaults, migrations.RunPython.noop)]
