from django.db import migrations


def install_defaults(apps, schema_editor):
    from dichvucong.notifications.defaults import templates_install

    templates_install(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_defaults, migrations.RunPython.noop),
    ]
