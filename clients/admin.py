from django.contrib import admin

from clients.models import Client, Clinic, Therapist


class TherapistInline(admin.TabularInline):
    model = Therapist
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "paper_size", "created_at"]
    search_fields = ["name", "email"]
    inlines = [TherapistInline]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "clinic", "created_at"]
    list_filter = ["clinic"]
    search_fields = ["first_name", "last_name", "email"]
    filter_horizontal = ["equipment"]
