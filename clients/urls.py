from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("add/", views.client_quick_add, name="quick-add"),
    path("new/", views.client_create, name="create"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/export/", views.client_export, name="export"),
    path("<int:pk>/delete/", views.client_delete, name="delete"),
]
