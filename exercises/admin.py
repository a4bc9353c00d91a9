from django.contrib import admin

from exercises.models import Complaint, Equipment, Exercise, ExerciseComplaint


class ExerciseComplaintInline(admin.TabularInline):
    model = ExerciseComplaint
    extra = 1


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "body_area", "clinic", "retired"]
    list_filter = ["kind", "body_area", "retired", "clinic"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["equipment"]
    inlines = [ExerciseComplaintInline]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["name", "body_area", "slug"]
    search_fields = ["name"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "everyday", "slug"]
