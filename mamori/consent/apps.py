from typing import Any

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "mamori.consent"
    label = "consent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported in ready(): models and services load only once the app registry is ready.
        from django.db.models.signals import post_save

        from mamori.catalog.models import MapVersion

        def map_applied(sender: Any, instance: MapVersion, created: bool, **kwargs: Any) -> None:
            from mamori.consent import siteconfig

            siteconfig.forget()

        post_save.connect(map_applied, sender=MapVersion, dispatch_uid="consent.map_applied")

        try:  # NOTICES tells confirmed subscribers about material changes; absent, nothing to register
            from mamori.notices.audiences import register_audience  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return
        from mamori.consent.services.subscriptions import confirmed_subscribers, unsubscribed_addresses
        from mamori.notices.audiences import register_exclusion

        register_audience(confirmed_subscribers)
        register_exclusion(unsubscribed_addresses)
