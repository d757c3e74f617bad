"""Privacy-center pages of the rights domain, mounted under /privacy/<organisation>/."""

from django.urls import path

from mamori.rights.views import center

urlpatterns = [
    path("requests/new/", center.new_request, name="requests_new"),
    path("requests/status/<str:token>/", center.status, name="requests_status"),
    path("requests/status/<str:token>/verify/", center.verify, name="requests_verify"),
    path("requests/status/<str:token>/resend/", center.resend, name="requests_resend"),
    path("requests/status/<str:token>/download/", center.download, name="requests_download"),
    path("requests/status/<str:token>/download/code/", center.download_code, name="requests_download_code"),
]
