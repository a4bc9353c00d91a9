from django.urls import path

from clients import clinic_views as views

app_name = "clinic"

urlpatterns = [
    path("", views.clinic_settings, name="settings"),
    path("team/", views.team, name="team"),
    path("team/add/", views.team_add, name="team-add"),
    path("team/invite/", views.invite_create, name="invite-create"),
    path("team/invites/<int:pk>/revoke/", views.invite_revoke, name="invite-revoke"),
    path("team/<int:pk>/owner/", views.team_owner, name="team-owner"),
    path("team/<int:pk>/password/", views.team_password, name="team-password"),
    path("team/<int:pk>/remove/", views.team_remove, name="team-remove"),
    path("join/<str:token>/", views.join, name="join"),
    path("checklist/dismiss/", views.checklist_dismiss, name="checklist-dismiss"),
]
