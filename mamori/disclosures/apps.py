from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "mamori.disclosures"
    label = "disclosures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # "Disclosure of third-party provision records" requests are answered from the register.
        from mamori.disclosures.handler import RecordsHandler
        from mamori.rights.handover import register_handler

        register_handler(RecordsHandler())

        # A newly applied map may name other identity kinds.
        from django.db.models.signals import post_save

        from mamori.catalog.models import MapVersion
        from mamori.disclosures.services import forget_identity_kinds

        post_save.connect(forget_identity_kinds, sender=MapVersion, dispatch_uid="disclosures-identity-kinds")
