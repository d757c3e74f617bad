"""Privacy-center pages of the notices domain, mounted under /privacy/<organisation>/."""

from django.urls import URLPattern, URLResolver, path

from mamori.notices import center_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("policy/", views.policy, name="notices_policy"),
    path("cookies/", views.cookies, name="notices_cookies"),
    path("cpra/", views.cpra, name="notices_cpra"),
    path("appi/", views.appi, name="notices_appi"),
    path("transmission/", views.transmission, name="notices_transmission"),
    path("collection/<str:point>/", views.collection, name="notices_collection"),
    path("changes/", views.changes, name="notices_changes"),
    path("notices/site-notice.json", views.site_notice_json, name="notices_site_notice_json"),
]
