from django.contrib import admin

from clients.models import Client, Clinic, Invite, Therapist


class TherapistInline(admin.TabularInline):
    model = Therapist
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "paper_size", "link_lifetime_days", "email_confirmed_at", "created_at"]
    list_filter = ["paper_size", ("email_confirmed_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "email", "phone"]
    filter_horizontal = ["equipment"]
    inlines = [TherapistInline]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["display_name", "username", "clinic", "is_owner", "removed_at"]
    list_filter = ["is_owner", ("removed_at", admin.EmptyFieldListFilter), "clinic"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "clinic__name"]
    list_select_related = ["user", "clinic"]
    raw_id_fields = ["user"]

    @admin.display(ordering="user__username")
    def username(self, obj):
        return obj.user.username


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    # The link itself is never shown here: it is a signature, and only the owner who made
    # it sees it, once.
    list_display = ["clinic", "name", "created_at", "used_at", "revoked_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["clinic__name", "name"]
    readonly_fields = ["created_at", "used_at", "used_by"]
    raw_id_fields = ["invited_by"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "email", "clinic", "created_at"]
    list_filter = ["clinic", "created_at"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_select_related = ["clinic"]
    filter_horizontal = ["equipment"]
