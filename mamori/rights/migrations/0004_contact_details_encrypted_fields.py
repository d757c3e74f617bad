"""Step 3: the contact-detail columns now hold Fernet tokens; the model decrypts them on read.

No change to the database (the columns stay text); only the field class changes.
"""

from django.db import migrations

import mamori.core.fields


class Migration(migrations.Migration):
    dependencies = [("rights", "0003_encrypt_contact_details")]

    operations = [
        migrations.AlterField(model_name="rightsrequest", name="requester_name",
                              field=mamori.core.fields.EncryptedTextField()),
        migrations.AlterField(model_name="rightsrequest", name="requester_email",
                              field=mamori.core.fields.EncryptedTextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="postal_address",
                              field=mamori.core.fields.EncryptedTextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="phone",
                              field=mamori.core.fields.EncryptedTextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="agent_name",
                              field=mamori.core.fields.EncryptedTextField(blank=True)),
        migrations.AlterField(model_name="rightsrequest", name="agent_email",
                              field=mamori.core.fields.EncryptedTextField(blank=True)),
    ]
