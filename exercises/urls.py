from django.urls import path

from exercises import views

app_name = "exercises"

urlpatterns = [
    path("", views.library, name="list"),
    path("add/", views.exercise_add, name="add"),
    path("<int:pk>/", views.exercise_detail, name="detail"),
    path("<int:pk>/edit/", views.exercise_edit, name="edit"),
    path("<int:pk>/copy/", views.exercise_copy, name="copy"),
    path("<int:pk>/retire/", views.exercise_retire, name="retire"),
    path("<int:pk>/bring-back/", views.exercise_unretire, name="unretire"),
    path("<int:pk>/in/<str:language>/", views.exercise_language, name="language"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/add/", views.complaint_add, name="complaint-add"),
    path("complaints/<int:pk>/edit/", views.complaint_edit, name="complaint-edit"),
    path("complaints/<int:pk>/in/<str:language>/", views.complaint_language, name="complaint-language"),
]
