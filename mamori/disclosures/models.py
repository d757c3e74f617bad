"""The register of third-party provision and receipt records (APPI Art. 29-30; DESIGN.md flow 6).

A record is one provision to, or receipt from, a third party: possibly of many people at once
("we sent these 5,000 customers' names and addresses to the prize provider today"), which the
Rules allow to be recorded together. The people are never stored in clear: each identity the
company's systems sent (an e-mail address, a member number) is kept as a keyed hash
(`mamori.disclosures.identities`), one row per identity, so one person's records are found through
an index among millions without the register holding names.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    PROVISION = "provision", _("Provision to a third party")
    RECEIPT = "receipt", _("Receipt from a third party")


class RecordBasis(models.TextChoices):
    """The two bases under which a provision or receipt must be recorded (RULES.md)."""

    CONSENT = "consent", _("Consent of the person")
    OPT_OUT = "opt_out", _("Opt-out provision")


class MadeFrom(models.TextChoices):
    """How the record was made; it decides how long the record is kept (Rules Art. 21)."""

    SINGLE = "single", _("A record of this provision")
    BULK = "bulk", _("Bulk or continuous provision")
    CONTRACT_DOCUMENT = "contract_document", _("Contract documents serve as the record")


class Channel(models.TextChoices):
    API = "api", _("Bulk API")
    CSV = "csv", _("CSV import")
    AUTOMATIC = "automatic", _("Recorded by mamori itself")


class TransferRecord(models.Model):
    organisation = models.CharField(_("organisation"), max_length=100)
    map_version = models.PositiveIntegerField(_("map version"))
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    basis = models.CharField(_("basis"), max_length=16, choices=RecordBasis.choices)
    # The sender's idempotency key: the same key and content again changes nothing.
    client_key = models.CharField(_("client key"), max_length=200)
    content_hash = models.CharField(max_length=64)
    # The map's recipient (provision) or source (receipt) id; the counterparty as recorded.
    counterparty_id = models.CharField(_("map entry"), max_length=100, blank=True)
    counterparty_name = models.TextField(_("name"))
    counterparty_address = models.TextField(_("address"), blank=True)
    counterparty_representative = models.TextField(_("representative"), blank=True)
    how_obtained = models.TextField(_("how the provider obtained the data"), blank=True)
    categories = models.JSONField(_("items (data categories)"), default=list)
    items = models.TextField(_("items as described"), blank=True)
    transferred_on = models.DateField(_("date"), null=True, blank=True)
    ppc_publication = models.CharField(_("PPC publication"), max_length=200, blank=True)
    consent_document = models.CharField(_("consent document"), max_length=200, blank=True)
    made_from = models.CharField(_("made from"), max_length=20, choices=MadeFrom.choices, default=MadeFrom.SINGLE)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    people_count = models.PositiveIntegerField(_("people"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    dispose_after = models.DateTimeField(_("kept until"))

    class Meta:
        verbose_name = _("provision or receipt record")
        ordering: ClassVar = ["-recorded_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "direction", "client_key"], name="disclosures_record_client_key"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "-recorded_at"], name="disclosures_record_org_time"),
            models.Index(fields=["dispose_after"], name="disclosures_record_dispose"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.direction} {self.client_key}"


class RecordPerson(models.Model):
    """One identity of one person in a record, as a keyed hash (never in clear)."""

    record = models.ForeignKey(TransferRecord, on_delete=models.CASCADE, related_name="people")
    person = models.PositiveIntegerField()  # position of the person in the record (people count)
    identity_hash = models.CharField(max_length=64)
    # The consent evidence of this person where consent is the basis: a ledger entry or a document.
    consent_event = models.UUIDField(null=True, blank=True)
    consent_document = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["identity_hash"], name="disclosures_person_hash")]

    def __str__(self) -> str:
        return f"person {self.person} of record {self.record_id}"
