"""Console pages of the notices domain, included under /console/notices/ (namespace `console`)."""

from django.urls import URLPattern, URLResolver, path

from mamori.notices import console_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notices_index, name="notices"),
    path("<slug:organisation>/", views.notices_detail, name="notices_detail"),
    path("<slug:organisation>/publish/", views.notices_publish, name="notices_publish"),
]
