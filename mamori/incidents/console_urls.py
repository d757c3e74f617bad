"""Console URLs under /console/incidents/ (names prefixed `incident` in the console namespace)."""

from django.urls import path

from mamori.incidents import views

urlpatterns = [
    path("", views.incident_list, name="incidents"),
    path("new/", views.incident_new, name="incident_new"),
    path("<int:incident_id>/", views.incident_detail, name="incident"),
    path("<int:incident_id>/status/", views.incident_status, name="incident_status"),
    path("<int:incident_id>/note/", views.incident_note, name="incident_note"),
    path("<int:incident_id>/evidence/<int:entry_id>/", views.evidence_download, name="incident_evidence"),
    path("<int:incident_id>/facts/", views.incident_facts, name="incident_facts"),
    path("<int:incident_id>/override/", views.incident_override, name="incident_override"),
    path("<int:incident_id>/people/", views.incident_find_people, name="incident_find_people"),
    path("<int:incident_id>/people/<int:person_id>/bounced/", views.person_bounced, name="incident_bounced"),
    path("<int:incident_id>/drafts/", views.incident_draft, name="incident_draft"),
    path("<int:incident_id>/drafts/<int:draft_id>/sent/", views.draft_sent, name="incident_draft_sent"),
    path("<int:incident_id>/notices/", views.incident_notices, name="incident_notices"),
    path("<int:incident_id>/public-notice/", views.incident_public_notice, name="incident_public_notice"),
]
