from django.urls import path

from aftercare import record_views as views

# The therapist's client record pages; the namespace keeps its name, "clients", so every
# URL and URL name stays as bookmarks and links know it.
app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("add/", views.client_quick_add, name="quick-add"),
    path("new/", views.client_create, name="create"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/export/", views.client_export, name="export"),
    path("<int:pk>/delete/", views.client_delete, name="delete"),
    path("sample/", views.client_sample, name="sample"),
    path("<int:pk>/merge/", views.client_merge, name="merge"),
    path("<int:pk>/merge/<int:other_pk>/", views.client_merge_confirm, name="merge-confirm"),
]
