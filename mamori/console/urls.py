from django.urls import include, path

from mamori.audit import views as audit_views
from mamori.console import auth_views, views

app_name = "console"

urlpatterns = [
    # Sign-in, second factor and sign-out (auth_views.py).
    path("login/", auth_views.login_view, name="login"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("login/code/", auth_views.otp_verify_view, name="otp_verify"),
    path("login/authenticator/", auth_views.otp_setup_view, name="otp_setup"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
    path("requests/", include("mamori.rights.console_urls")),
    # Everything behind sign-in (views.py).
    path("", views.dashboard, name="dashboard"),
    path("map/", views.map_section, name="map"),
    path("map/versions/", views.version_list, name="map_versions"),
    path("map/versions/<int:number>/", views.version_detail, name="map_version"),
    path("map/diff/<int:a>/<int:b>/", views.version_diff, name="map_diff"),
    path("map/<slug:section>/", views.map_section, name="map_section"),
    path("notices/", include("mamori.notices.console_urls")),
    path("fulfilment/", include("mamori.fulfilment.console_urls")),
    path("retention/", include("mamori.retention.console_urls")),
    path("records/", include("mamori.disclosures.console_urls")),
    path("incidents/", include("mamori.incidents.console_urls")),
]
