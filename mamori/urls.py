from django.urls import include, path
from django.views.generic import RedirectView

from mamori.api.api import api
from mamori.consent import views as consent_views
from mamori.consent.events import consent_events
from mamori.fulfilment import demo_storage

urlpatterns = [
    # The consent banner's hot path, ahead of the API router (documented there): mamori/consent/events.py.
    path("api/v1/consent/events", consent_events, name="consent_events"),
    path("", RedirectView.as_view(pattern_name="center:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("mamori.console.urls")),
    path("api/v1/", api.urls),
    path("privacy/", include("mamori.center.urls")),
    path("consent/", include("mamori.consent.urls")),
    path("console/consent/", include("mamori.consent.console_urls")),
    path("console/scans/", include("mamori.scanner.console_urls")),
    path(".well-known/gpc.json", consent_views.gpc_json, name="gpc_json"),
    # The demo's object-storage adapter (404 unless MAMORI_DEMO): see mamori/fulfilment/demo_storage.py.
    path("demo/onemall-storage/", demo_storage.webhook, name="demo_storage"),
]
