from django.urls import path

from aftercare import reminder_views

# Under /h/<token>/: the link's own.
link_patterns = [
    path("reminders/", reminder_views.reminder_settings, name="client-reminder-settings"),
    path("reminders/stop/", reminder_views.reminder_stop_all, name="client-reminder-stop-all"),
    path("reminders/phone/", reminder_views.push_subscribe, name="client-push-subscribe"),
    path("reminders/phone/stop/", reminder_views.push_unsubscribe, name="client-push-unsubscribe"),
    path("calendar.ics", reminder_views.calendar_feed, name="client-calendar"),
    path("manifest.webmanifest", reminder_views.manifest, name="client-manifest"),
    path("sw.js", reminder_views.service_worker, name="client-service-worker"),
]

# Under /reminders/: the links in emails, which work whatever happened to the link since.
email_patterns = [
    path("confirm/<str:token>/", reminder_views.confirm, name="reminder-confirm"),
    path("stop/<str:token>/", reminder_views.stop, name="reminder-stop"),
]
