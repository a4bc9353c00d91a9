from django.contrib import admin

from exercises.models import Complaint, Equipment, Exercise, ExerciseComplaint, ExercisePicture


class ExerciseComplaintInline(admin.TabularInline):
    model = ExerciseComplaint
    extra = 1


class ExercisePictureInline(admin.TabularInline):
    # Read-only: pictures only arrive through clean_upload() on the library pages.
    model = ExercisePicture
    extra = 0
    fields = ["image", "thumbnail", "position", "width", "height"]
    readonly_fields = ["image", "thumbnail", "width", "height"]
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "body_area", "clinic", "based_on", "retired", "updated_at"]
    list_filter = ["kind", "body_area", "retired", ("clinic", admin.EmptyFieldListFilter), "clinic"]
    search_fields = ["name", "slug", "complaints__name", "clinic__name"]
    list_select_related = ["clinic", "based_on"]
    raw_id_fields = ["based_on"]
    filter_horizontal = ["equipment"]
    inlines = [ExerciseComplaintInline, ExercisePictureInline]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["name", "body_area", "slug"]
    list_filter = ["body_area"]
    search_fields = ["name", "slug", "description"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "everyday", "slug"]
    list_filter = ["everyday"]
    search_fields = ["name", "slug"]
