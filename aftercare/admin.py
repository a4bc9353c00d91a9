from django.contrib import admin

from aftercare.audit import AuditEvent
from aftercare.models import HomeworkItem, ShareLink, Visit


class HomeworkItemInline(admin.TabularInline):
    model = HomeworkItem
    extra = 0
    raw_id_fields = ["exercise"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["client", "date", "therapist", "referral", "rebook_weeks"]
    list_filter = ["date", "referral", "client__clinic"]
    search_fields = ["client__first_name", "client__last_name", "client__email", "client__clinic__name"]
    list_select_related = ["client", "therapist__user"]
    raw_id_fields = ["client", "therapist"]
    date_hierarchy = "date"
    inlines = [HomeworkItemInline]


@admin.register(HomeworkItem)
class HomeworkItemAdmin(admin.ModelAdmin):
    list_display = ["exercise", "visit", "slot", "how_often", "created_at"]
    list_filter = ["how_often", "exercise__kind", "visit__client__clinic"]
    search_fields = ["exercise__name", "visit__client__first_name", "visit__client__last_name"]
    list_select_related = ["exercise", "visit__client"]
    raw_id_fields = ["visit", "exercise"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    # Never the token, nor what it is derived from: support sees whether a link is live,
    # and can revoke it by setting "revoked at".
    list_display = ["client", "created_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at", "client__clinic"]
    search_fields = ["client__first_name", "client__last_name", "client__email"]
    list_select_related = ["client"]
    fields = ["client", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["client", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # Read-only, like the log itself: nobody adds, changes or deletes an event here.
    list_display = ["at", "clinic", "client_number", "actor_name", "action", "detail"]
    list_filter = ["action", "clinic"]
    search_fields = ["actor_name", "client_number"]
    list_select_related = ["clinic"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
