"""Step 1 of encrypting the requester's contact details: wider text columns and the e-mail lookup hashes.

The columns become plain text first (a Fernet token is longer than the old limits) so the next
migration can read the clear values and write tokens through a historical model that does not
decrypt on read.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="rightsrequest", name="requester_email_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="rightsrequest", name="agent_email_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AlterField(model_name="rightsrequest", name="requester_name", field=models.TextField()),
        migrations.AlterField(model_name="rightsrequest", name="requester_email", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="postal_address", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="phone", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="agent_name", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="agent_email", field=models.TextField(blank=True)),
    ]
