"""Reminders on the client's side (issue 14): the choices on their link page, this phone's
notifications (the manifest, the service worker, the subscription), the calendar that keeps
up, and the two links in emails: confirm (double opt-in) and stop (RFC 8058 one-click).

Under the link these are the link's own views: found through `get_link` (a wrong token is
the link page's 404, and counts as a miss), answered with the link's private headers, and,
like the tick, protected by the secret in the address rather than a CSRF token (under
`no-referrer` browsers post with `Origin: null`); a post the browser marks as coming from
another site is refused."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aftercare import audit, calendar, handouts, link_files, link_page, reminders, webpush
from aftercare.link_page import Misses, TooManyGuesses, get_link, get_own_link
from aftercare.link_views import private_page
from aftercare.reminder_forms import ReminderSettingsForm
from aftercare.reminder_models import PushSubscription, ReminderPlan, address_hash
from aftercare.models import Visit

MAX_SUBSCRIPTION_BYTES = 4096
CALENDAR_SEEN_EVERY = datetime.timedelta(hours=1)


def from_another_site(request) -> bool:
    return request.headers.get("Sec-Fetch-Site") == "cross-site"


def in_clients_language(link):
    """Everything the view says from here on (a form sent back, its errors) in the
    client's language, as their page is."""
    return translation.override(reminders.client_language(link.client))


def token_language(token: str, salt: str) -> str | None:
    """The language an email's link names (see reminders.confirm_token); None when it
    names none or can't be read (the browser's language then)."""
    try:
        return reminders.token_language(reminders.read_token(token, salt))
    except reminders.BadToken:
        return None


def read_email_link(request, token: str, salt: str, max_age: datetime.timedelta | None = None) -> str:
    """"ask" for a good confirm or stop link, else why not ("tampered", "expired"). Like a
    client link: an address that keeps sending tampered ones gets 429 (link_page.Misses,
    the same count), and posts to one link count against its changes."""
    misses = Misses(request)
    if misses.too_many(misses.count()):
        raise TooManyGuesses
    try:
        reminders.read_token(token, salt, max_age=max_age)
    except reminders.BadToken as error:
        if str(error) == "tampered":
            misses.count_one()
        return str(error)
    if request.method == "POST":
        link_files.count_post(request, "email:" + hashlib.sha256(token.encode()).hexdigest()[:32])
    return "ask"


@csrf_exempt
@require_POST
@private_page
def reminder_settings(request, token: str):
    link = get_own_link(request, token, gettext("Reminders are set from your own homework page."))
    client = link.client
    with in_clients_language(link):
        form = ReminderSettingsForm(request.POST, known_email=client.email)
        if not form.is_valid():
            context = link_page.page_context(client.pk, token, timezone.localdate(), reminder_settings=form)
            return render(request, "link/homework.html", context, status=400)
    data = form.cleaned_data
    plan = reminders.plan_for(client)
    plan.at, plan.days = data["at"], data["days"]
    if data["time_zone"]:
        plan.time_zone = data["time_zone"]
    email = data["email"] if data["by_email"] else ""
    ask = False
    if not email:
        if plan.email_confirmed_at:
            audit.client_event(client.pk, client.clinic_id, audit.Action.REMINDERS_STOPPED, "email").save()
        plan.email, plan.email_confirmed_at, plan.email_nonce = "", None, ""
    elif address_hash(email) != address_hash(plan.email or "") or not (plan.email_confirmed_at or plan.email_nonce):
        plan.email, plan.email_confirmed_at = email, None
        ask = True
    plan.save()
    if ask:
        reminders.ask_to_confirm(plan, request.build_absolute_uri("/").rstrip("/"))
    with translation.override("en"):  # the audit log's words stay as they were written
        days = reminders.days_text(plan.days)
    detail = f"{plan.at:%H:%M}, {days}" + (", email" if email else "")
    audit.client_event(client.pk, client.clinic_id, audit.Action.REMINDERS_SET, detail).save()
    return redirect(f"{link.path}#reminders")


@csrf_exempt
@require_POST
@private_page
def reminder_stop_all(request, token: str):
    link = get_own_link(request, token, gettext("Reminders are stopped from your own homework page."))
    reminders.stop_all(link.client)
    return redirect(f"{link.path}#reminders")


def _json_body(request):
    if len(request.body) > MAX_SUBSCRIPTION_BYTES:
        raise ValidationError(gettext("That subscription is too big to be one."))
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(gettext("That isn't a notification subscription.")) from None


@csrf_exempt
@require_POST
@private_page
def push_subscribe(request, token: str):
    """This phone's subscription (PushSubscription.toJSON() and the phone's time zone),
    from the page's script. The same phone again updates its row."""
    link = get_own_link(request, token, gettext("Notifications are turned on from your own homework page."))
    with in_clients_language(link):
        if not webpush.public_key():
            return JsonResponse({"error": gettext("Phone notifications aren't set up here.")}, status=400)
        try:
            body = _json_body(request)
            found = webpush.check_subscription(body)
        except ValidationError as error:
            return JsonResponse({"error": error.messages[0]}, status=400)
    client = link.client
    digest = PushSubscription.digest_of(found["endpoint"])
    with transaction.atomic():
        plan = reminders.plan_for(client)
        try:
            with transaction.atomic():
                subscription, created = PushSubscription.objects.update_or_create(
                    endpoint_digest=digest,
                    defaults={"client": client, "endpoint": found["endpoint"], "p256dh": found["p256dh"], "auth": found["auth"]},
                )
        except IntegrityError:  # the same phone, twice at once
            created = False
        extra = PushSubscription.objects.filter(client=client).order_by("-created_at").values_list("pk", flat=True)[webpush.PHONES_PER_CLIENT:]
        PushSubscription.objects.filter(pk__in=list(extra)).delete()
        zone = body.get("timeZone") if isinstance(body, dict) else None
        changed = ["updated_at"]
        if isinstance(zone, str) and zone in reminders.zone_names() and zone != plan.time_zone:
            plan.time_zone = zone
            changed.append("time_zone")
        if plan.at is None or not plan.days:
            # Nothing chosen yet: the therapist's suggestion and the homework's own days.
            latest = handouts.visits_with_items(Visit.objects.filter(client=client).with_homework()).first()
            if plan.at is None:
                plan.at = (latest and latest.reminder_time) or reminders.DEFAULT_TIME
                changed.append("at")
            if not plan.days:
                plan.days = reminders.default_days(latest.items.all() if latest else []) or "0123456"
                changed.append("days")
        plan.save(update_fields=changed)
    if created:
        audit.client_event(client.pk, client.clinic_id, audit.Action.REMINDER_OPT_IN, "phone notifications").save()
    return JsonResponse({"ok": True, "at": f"{plan.at:%H:%M}"}, status=201 if created else 200)


@csrf_exempt
@require_POST
@private_page
def push_unsubscribe(request, token: str):
    link = get_own_link(request, token, gettext("Notifications are turned off from your own homework page."))
    try:
        with in_clients_language(link):
            body = _json_body(request)
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if isinstance(endpoint, str):
        deleted, _ = PushSubscription.objects.filter(client=link.client, endpoint_digest=PushSubscription.digest_of(endpoint)).delete()
        if deleted:
            audit.client_event(link.client_id, link.client.clinic_id, audit.Action.REMINDERS_STOPPED, "phone notifications").save()
            ReminderPlan.objects.filter(client=link.client).update(updated_at=timezone.now())
    return JsonResponse({"ok": True})


@require_safe
@private_page
def manifest(request, token: str):
    """The web app manifest: the page installs as its own app, scoped to this link."""
    link = get_link(request, token)
    with in_clients_language(link):
        name = gettext("%(name)s's homework") % {"name": link.client.first_name}
        short_name = gettext("Homework")
        language = translation.get_language()
    data = {
        "name": name,
        "short_name": short_name,
        "lang": language,
        "start_url": link.path,
        "scope": link.path,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#2f6f5e",
        "icons": [
            {"src": static("img/app-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/app-icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/app-icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


@require_safe
@private_page
def service_worker(request, token: str):
    """Served from under the link, so its scope is this client's page and nothing else. A
    link turned off answers 404, and the browser then drops the worker."""
    link = get_link(request, token)
    with in_clients_language(link):
        response = render(request, "link/sw.js", {"icon": static("img/app-icon-192.png"), "page": link.path},
                          content_type="text/javascript; charset=utf-8")
    return response


@require_safe
@private_page
def calendar_feed(request, token: str):
    """The calendar subscription (webcal://): the current homework as repeating events at
    the client's time, on their days, from the visit to the end of the homework (the next
    session, see reminders.homework_end). UIDs follow the items, so a change updates the
    events a calendar already has."""
    link = get_link(request, token)
    link_files.count(request, link, group="client-link-feed")
    visit = handouts.visits_with_items(Visit.objects.filter(client=link.client_id).with_homework()).first()
    plan = ReminderPlan.objects.filter(client=link.client_id).first()
    at = (plan and plan.at) or (visit and visit.reminder_time) or reminders.DEFAULT_TIME
    items = list(visit.items.all()) if visit else []
    days = plan.days if plan and plan.days else reminders.default_days(items)
    ics = calendar.reminders(
        reminders.repeating(items),
        at=at,
        starting=visit.date if visit else timezone.localdate(),
        until=reminders.homework_end(visit) if visit else None,
        link_url=request.build_absolute_uri(link.path),
        zone=plan.time_zone if plan else "",
        byday=[reminders.DAY_CODES[int(d)] for d in days] if days and len(days) < 7 else None,
        feed=True,
    )
    if plan is None:
        plan = reminders.plan_for(link.client)
    if plan.calendar_fetched_at is None or timezone.now() - plan.calendar_fetched_at > CALENDAR_SEEN_EVERY:
        # For the therapist's page only: not part of the link page, so updated_at stays.
        ReminderPlan.objects.filter(pk=plan.pk).update(calendar_fetched_at=timezone.now())
    return HttpResponse(ics, content_type="text/calendar; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@private_page
def confirm(request, token: str):
    """The confirmation email's link: a page with a button (a mail scanner that opens the
    link confirms nothing); the button confirms. Tampered or expired: a clear message;
    used already: says so, quietly."""
    if request.method == "POST" and from_another_site(request):
        return HttpResponseForbidden(gettext("Reminders are confirmed from the link in your email."))
    status = read_email_link(request, token, reminders.CONFIRM_SALT, max_age=datetime.timedelta(days=reminders.CONFIRM_DAYS))
    if status == "ask" and request.method == "POST":
        status, _plan = reminders.confirm(token)
    code = 400 if status in ("tampered", "expired") else 200
    with translation.override(token_language(token, reminders.CONFIRM_SALT) or translation.get_language()):
        return render(request, "link/reminder_confirm.html", {"status": status, "token": token}, status=code)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@private_page
def stop(request, token: str):
    """The stop link in every reminder, and the target of `List-Unsubscribe-Post`
    (RFC 8058: a POST with `List-Unsubscribe=One-Click`, no cookie, no token but this one)."""
    status = read_email_link(request, token, reminders.STOP_SALT)
    if status == "ask" and request.method == "POST":
        status = reminders.stop_email(token)
    code = 400 if status == "tampered" else 200
    with translation.override(token_language(token, reminders.STOP_SALT) or translation.get_language()):
        return render(request, "link/reminder_stop.html", {"status": status, "token": token}, status=code)
