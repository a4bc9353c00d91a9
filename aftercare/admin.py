from django.contrib import admin

from aftercare.models import HomeworkItem, Visit


class HomeworkItemInline(admin.TabularInline):
    model = HomeworkItem
    extra = 0
    raw_id_fields = ["exercise"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["client", "date", "therapist"]
    list_filter = ["date"]
    search_fields = ["client__first_name", "client__last_name"]
    raw_id_fields = ["client", "therapist"]
    inlines = [HomeworkItemInline]
