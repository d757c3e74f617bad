"""Console pages of the rights domain, included under /console/requests/ (namespace `console`)."""

from django.urls import path

from mamori.rights.views import console

urlpatterns = [
    path("", console.queue, name="requests"),
    path("new/", console.new, name="requests_new"),
    path("minor/", console.minor, name="requests_minor"),
    path("closures/", console.closures, name="requests_closures"),
    path("closures/<int:closure_id>/delete/", console.closure_delete, name="requests_closure_delete"),
    path("metrics/", console.metrics, name="requests_metrics"),
    path("export.csv", console.queue_export, name="requests_export"),
    path("<int:request_id>/", console.detail, name="requests_detail"),
    path("<int:request_id>/files/<int:file_id>/", console.file_download, name="requests_file"),
    path("<int:request_id>/<slug:action>/confirm/", console.confirm, name="requests_confirm"),
    path("<int:request_id>/<slug:action>/", console.act, name="requests_act"),
]
