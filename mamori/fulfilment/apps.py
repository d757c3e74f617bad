from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "mamori.fulfilment"
    label = "fulfilment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rights workflow hands verified requests to whichever handler is registered.
        # Imported in ready(): models and services load only once the app registry is ready.
        from mamori.fulfilment.handler import EngineHandler, RecipientNoticeHandler
        from mamori.rights.handover import register_handler

        register_handler(EngineHandler())
        register_handler(RecipientNoticeHandler())

        # Material-change e-mails reach the people in the company's own systems too.
        from mamori.fulfilment.audience import company_people
        from mamori.notices.audiences import register_audience

        register_audience(company_people)

        # A newly applied map version retires the connectors kept open for the older ones.
        from django.db.models.signals import post_save

        from mamori.catalog.models import MapVersion
        from mamori.fulfilment.engine_cache import forget_organisation

        post_save.connect(forget_organisation, sender=MapVersion, dispatch_uid="fulfilment-engine-cache")
