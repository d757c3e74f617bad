"""The ledger's chosen_at (the time in a v7 event id), unique with event_id (issue 19).

Existing rows get the same value the service derives (services.eventids.chosen_at, copied here
so this migration never changes): the id's time for v7 ids, 1970-01-01 for any other.
"""

import uuid
from datetime import UTC, datetime, timedelta

from django.db import migrations, models

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _chosen_at(event_id: uuid.UUID) -> datetime:
    if event_id.version == 7 and event_id.variant == uuid.RFC_4122:
        return EPOCH + timedelta(milliseconds=event_id.int >> 80)
    return EPOCH


def fill_chosen_at(apps, schema_editor):
    events = apps.get_model("consent", "ConsentEvent")
    table = schema_editor.connection.ops.quote_name(events._meta.db_table)
    rows = list(events.objects.using(schema_editor.connection.alias).values_list("id", "event_id"))
    with schema_editor.connection.cursor() as cursor:  # raw: the model's manager refuses updates
        for pk, event_id in rows:
            value = events._meta.get_field("chosen_at").get_db_prep_save(_chosen_at(event_id), schema_editor.connection)
            cursor.execute(f"UPDATE {table} SET chosen_at = %s WHERE id = %s", [value, pk])


class Migration(migrations.Migration):

    dependencies = [("consent", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="consentevent", name="chosen_at",
            field=models.DateTimeField(null=True, verbose_name="chosen at (browser clock)"),
        ),
        migrations.RunPython(fill_chosen_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="consentevent", name="chosen_at",
            field=models.DateTimeField(verbose_name="chosen at (browser clock)"),
        ),
        migrations.AlterField(model_name="consentevent", name="event_id", field=models.UUIDField(verbose_name="event id")),
        migrations.AddConstraint(
            model_name="consentevent",
            constraint=models.UniqueConstraint(fields=("event_id", "chosen_at"), name="consent_event_once"),
        ),
    ]
