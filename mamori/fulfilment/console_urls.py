"""Console URLs under /console/fulfilment/ (names prefixed `fulfilment_` in the console namespace)."""

from django.urls import path

from mamori.fulfilment import notice_views, views

urlpatterns = [
    path("", views.run_list, name="fulfilment_runs"),
    path("runs/<int:run_id>/", views.run_detail, name="fulfilment_run"),
    path("runs/<int:run_id>/resume/", views.run_resume, name="fulfilment_resume"),
    path("tasks/", views.task_list, name="fulfilment_tasks"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="fulfilment_task_complete"),
    path("notices/", notice_views.notice_list, name="fulfilment_notices"),
    path("notices/<int:notice_id>/", notice_views.notice_detail, name="fulfilment_notice"),
    path("notices/<int:notice_id>/confirm/", notice_views.notice_confirm, name="fulfilment_notice_confirm"),
    path("notices/<int:notice_id>/resend/", notice_views.notice_resend, name="fulfilment_notice_resend"),
]
