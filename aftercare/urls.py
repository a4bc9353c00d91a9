from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from aftercare import (
    between_views, feedback_views, handout_views, healthz, link_language_views, link_views, reminder_urls, storage, views,
)
from clients import account_views, login_views, signup_views


visit_patterns = [
    path("", views.visit_detail, name="visit-detail"),
    path("edit/", views.visit_edit, name="visit-edit"),
    path("delete/", views.visit_delete, name="visit-delete"),
    path("homework/", views.visit_homework, name="visit-homework"),
    path("homework/add/<int:exercise_pk>/", views.item_add, name="item-add"),
    path("homework/<int:item_pk>/edit/", views.item_edit, name="item-edit"),
    path("homework/<int:item_pk>/remove/", views.item_remove, name="item-remove"),
    path("homework/<int:item_pk>/note/", views.item_note, name="item-note"),
    path("homework/undo-remove/", views.item_restore, name="item-restore"),
    path("homework/carry/<int:item_pk>/", views.item_carry, name="item-carry"),
    path("teach/", views.visit_teach, name="visit-teach"),
    path("undo-finish/", views.visit_unfinish, name="visit-unfinish"),
    path("wrap-up/", views.visit_wrap_up, name="visit-wrap-up"),
    path("link/email/", views.link_email, name="link-email"),
    path("link/replace/", views.link_replace, name="link-replace"),
    path("link/revoke/", views.link_revoke, name="link-revoke"),
    path("handout.pdf", handout_views.visit_handout, name="visit-handout"),
]

aftercare_patterns = [
    path("clients/<int:client_pk>/visits/new/", views.visit_start, name="visit-start"),
    path("visits/<int:pk>/", include(visit_patterns)),
    path("day/", handout_views.day, name="day"),
    path("between-visits/", between_views.week, name="between-visits"),
    path("clients/<int:client_pk>/nudge/", between_views.nudge, name="nudge"),
    path("day/handouts.pdf", handout_views.day_handouts, name="day-handouts"),
    # Answered by aftercare.printing.PrintMiddleware while the file is ready; this view otherwise.
    path("print/<str:address>.pdf", handout_views.print_handout, name="print-handout"),
    path("library/<int:pk>/sheet.pdf", handout_views.exercise_sheet, name="exercise-sheet"),
]

# The admin's own login form goes through the same throttle as ours.
admin.site.login = login_views.throttle_failures(admin.site.login)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="clients:list"), name="home"),
    path("healthz", healthz.healthz, name="healthz"),
    path("login/", login_views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", account_views.your_details, name="your-details"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/changed/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", login_views.password_reset, name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", login_views.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("signup/", signup_views.signup, name="signup"),
    path("signup/confirm/<str:token>/", signup_views.signup_confirm, name="signup-confirm"),
    path("signup/confirm-again/", signup_views.signup_resend, name="signup-resend"),
    path("clients/", include("aftercare.record_urls")),
    path("library/", include("exercises.urls")),
    path("clinic/", include("clients.clinic_urls")),
    path("", include((aftercare_patterns, "aftercare"))),
    path("h/<str:token>/", link_views.client_page, name="client-page"),
    path("h/<str:token>/done/", link_views.check_in, name="client-check-in"),
    path("h/<str:token>/feeling/", feedback_views.item_feeling, name="client-feeling"),
    path("h/<str:token>/word/", feedback_views.homework_word, name="client-word"),
    path("h/<str:token>/reminders.ics", link_views.reminders, name="client-reminders"),
    path("h/<str:token>/handout.pdf", link_views.handout, name="client-handout"),
    path("h/<str:token>/language/", link_language_views.client_language, name="client-language"),
    path("h/<str:token>/", include(reminder_urls.link_patterns)),
    path("reminders/", include(reminder_urls.email_patterns)),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA or settings.AWS_STORAGE_BUCKET_NAME:
    # Uploaded pictures, through the storage API: always when they are in a bucket (every web
    # process serves every file), and from MEDIA_ROOT in development and tests; production on
    # one box lets the web server in front serve MEDIA_ROOT (or sets DJANGO_SERVE_MEDIA=1).
    urlpatterns += [
        re_path(r"^%s(?P<path>.*)$" % settings.MEDIA_URL.lstrip("/"), storage.serve),
    ]
