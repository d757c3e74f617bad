"""The public privacy center: /privacy/<organisation>/...

Each domain mounts its own pages (notices, requests, consent choices) here; this module only
composes them. URL names live in the `center` namespace, e.g. `center:home`.
"""

from django.urls import include, path

from mamori.center import views

app_name = "center"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:organisation>/", views.home, name="home"),
    path("<slug:organisation>/", include("mamori.notices.center_urls")),
    path("<slug:organisation>/", include("mamori.rights.center_urls")),
    path("<slug:organisation>/", include("mamori.consent.center_urls")),
]
