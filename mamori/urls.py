from django.urls import include, path
from django.views.generic import RedirectView

from mamori.api.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="center:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("mamori.console.urls")),
    path("api/v1/", api.urls),
    path("privacy/", include("mamori.center.urls")),
]
