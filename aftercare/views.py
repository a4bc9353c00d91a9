import datetime
import time

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect
from django.utils.translation import gettext
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from aftercare import audit, feedback, reminders, tasks
from aftercare.access import get_earlier_item, get_item, get_visit
from aftercare.forms import HomeworkItemForm, ItemNoteForm, LinkEmailForm, LinkReplaceForm, VisitForm, WrapUpForm
from aftercare.models import MAX_ITEMS, HomeworkItem, ShareLink, Visit, attach_tick_history
from clients.access import ExerciseUse, get_client, get_exercise, therapist_required
from clients.models import CONFIRM_EMAIL_FIRST, Client
from exercises.forms import LibraryFilterForm
from exercises.models import Dose, Exercise

SUGGESTIONS_SHOWN = 8
LACKING_KEPT = 2  # suggestions that need something the client lacks, kept in view
LIBRARY_PER_PAGE = 10
WITH_VERSIONS = Exercise.objects.select_related("easier", "harder")  # named on the exercise's details
# How long a removed homework item, or a finished visit's wrap-up, can be taken back.
UNDO_SECONDS = 10 * 60
WRAP_UP_FIELDS = ("referral", "referral_note", "next_goal", "rebook_weeks", "reminder_time", "reminder_words")


@therapist_required
def visit_start(request, client_pk: int):
    client = get_client(request, client_pk)
    last = client.visits.first()
    initial = {"complaints": list(last.complaints.all())} if last else None
    form = VisitForm(request.POST or None, initial=initial, clinic=request.clinic, submit_label=_("Start visit"))
    if form.is_valid():
        visit = form.save(commit=False)
        visit.client = client
        visit.therapist = request.therapist
        visit.save()
        form.save_m2m()
        audit.record(client, audit.Action.VISIT_STARTED, by=request.therapist, detail=f"{visit.date:%-d %b %Y}")
        return redirect("aftercare:visit-homework", pk=visit.pk)
    today = last if last and last.date == timezone.localdate() else None
    return render(
        request, "aftercare/visit_start.html", {"client": client, "form": form, "last": last, "today_visit": today}
    )


@therapist_required
def visit_edit(request, pk: int):
    visit = get_visit(request, pk)
    form = VisitForm(request.POST or None, instance=visit, clinic=request.clinic)
    if form.is_valid():
        form.save()
        if form.has_changed():  # saving unchanged isn't an edit worth logging
            audit.record(visit.client, audit.Action.VISIT_EDITED, by=request.therapist, detail=f"{visit.date:%-d %b %Y}")
        if request.htmx:  # a tick on the visit page: the suggestions follow at once
            return _render_homework(request, visit, partial=True)
        messages.success(request, gettext("Visit updated."))
        return redirect("aftercare:visit-homework", pk=visit.pk)
    if request.htmx and request.method == "POST":
        return _render_homework(request, visit, intake_form=form, partial=True)
    return render(request, "aftercare/visit_start.html", {"client": visit.client, "form": form, "visit": visit})


def _last_homework(visit: Visit) -> list[HomeworkItem]:
    """The homework of the client's visit before this one, with how often it was ticked."""
    earlier = (
        HomeworkItem.objects.filter(visit__client=visit.client_id)
        .filter(Q(visit__date__lt=visit.date) | Q(visit__date=visit.date, visit__pk__lt=visit.pk))
        .select_related("exercise", "visit")
        .order_by("-visit__date", "-visit__pk", "slot")
    )
    items = []
    for item in earlier[:2]:
        if items and item.visit_id != items[0].visit_id:
            break
        items.append(item)
    attach_tick_history(items, timezone.localdate())
    feedback.attach_since_last_time(items)
    return items


def _first_suggestions(rows: list) -> list:
    """The best few. When those are all things the client can do at home, the best ones
    that need something more stay in view too: the therapist may lend or sell a ball."""
    shown = rows[:SUGGESTIONS_SHOWN]
    lacking = [row for row in rows[SUGGESTIONS_SHOWN:] if row[1]][:LACKING_KEPT]
    if lacking and not any(missing for _, missing in shown):
        shown = shown[: SUGGESTIONS_SHOWN - len(lacking)] + lacking
    return shown


def _render_homework(
    request, visit: Visit, *, wrap_up_form=None, intake_form=None, note_forms=None, partial=False, status=200
):
    """The one visit page: intake, last time, the chosen items with their notes, suggestions,
    the library and the wrap-up. `partial`: only the part a change on the page touches
    (intake, chosen, suggestions), for htmx to put in place."""
    items = list(visit.items.select_related("exercise"))
    focus = _focus(request)
    for item in items:
        item.note_form = (note_forms or {}).get(item.pk) or ItemNoteForm(instance=item, autofocus=item.pk == focus)
    last_time = _last_homework(visit)
    client = visit.client
    at_home = client.at_home
    flags = list(client.conditions.all())
    complaints = list(visit.complaints.all())
    all_suggestions = [(ex, ex.missing_from(at_home)) for ex in visit.suggestions()]
    suggestions = _first_suggestions(all_suggestions) if "all" not in request.GET else all_suggestions
    library = LibraryFilterForm(request.GET or None, clinic=request.clinic)
    results = None
    if library.is_searching():
        found = library.filter(Exercise.objects.available_to(request.clinic)).with_pictures().prefetch_related(
            "equipment", "not_for"
        )
        results = Paginator(found, LIBRARY_PER_PAGE).get_page(request.GET.get("page"))
        # Found by search, an exercise that is not for one of the client's flags still
        # shows, with the flags it is not for.
        results.rows = [(ex, ex.missing_from(at_home), ex.conflicts_with(flags)) for ex in results.object_list]
    return render(
        request,
        "aftercare/_visit_work.html" if partial else "aftercare/visit_homework.html",
        {
            "visit": visit,
            "intake_form": intake_form
            or VisitForm(instance=visit, clinic=request.clinic, submit_label=_("Save intake"), form_tag=False),
            # A note sent without JavaScript and refused (too long): shown in its item's place.
            "refused_note": next(iter((note_forms or {}).values()), None),
            "client": client,
            "complaints": complaints,
            "red_flags": [c for c in complaints if c.red_flags.strip()],
            "flags": flags,
            "items": items,
            "chosen": {item.exercise_id for item in items},
            "full": len(items) >= MAX_ITEMS,
            "suggestions": suggestions,
            "more_suggestions": len(all_suggestions) - len(suggestions),
            "all_suggestions": len(all_suggestions),
            "equipment_known": at_home is not None,
            "library": library,
            "results": results,
            "wrap_up_form": wrap_up_form or WrapUpForm(instance=visit),
            "last_time": last_time,
        },
        status=status,
    )


def _focus(request) -> int | None:
    """The item just added, whose note field takes the focus."""
    added = request.GET.get("added", "")
    return int(added) if added.isdigit() and len(added) < 12 else getattr(request, "added_item", None)


def _work_or_page(request, visit: Visit, *, added: HomeworkItem | None = None):
    """After a change made on the visit page: the changed part in place (htmx), or, after
    a plain form post, the page again."""
    if request.htmx:
        request.added_item = added.pk if added else None
        return _render_homework(request, visit, partial=True)
    url = reverse("aftercare:visit-homework", args=[visit.pk])
    return redirect(f"{url}?added={added.pk}#item-{added.pk}" if added else f"{url}#chosen-heading")


@therapist_required
def visit_homework(request, pk: int):
    return _render_homework(request, get_visit(request, pk))


@therapist_required
def visit_teach(request, pk: int):
    """The chosen items full screen, big type, to show the client in the room."""
    visit = get_visit(request, pk)
    items = visit.items.select_related("exercise").prefetch_related("exercise__pictures")
    return render(request, "aftercare/visit_teach.html", {"visit": visit, "client": visit.client, "items": items})


@require_POST
@therapist_required
def visit_wrap_up(request, pk: int):
    visit = get_visit(request, pk)
    # Kept in the session (JSON) for "undo": a time of day as "HH:MM:SS".
    before = {name: (value.isoformat() if isinstance(value, datetime.time) else value)
              for name in WRAP_UP_FIELDS for value in [getattr(visit, name)]}
    form = WrapUpForm(request.POST, instance=visit)
    if form.is_valid():
        form.save()
        if "print" in request.POST:
            return redirect("aftercare:visit-handout", pk=visit.pk)  # made there, and kept
        # Print the handout ahead, so "Print handout" answers from a ready file.
        tasks.prepare_visit_handout.enqueue(visit.pk, request.build_absolute_uri("/").rstrip("/"))
        request.session[f"undo-finish-{visit.pk}"] = {**before, "at": time.time()}
        messages.success(request, gettext("Visit finished."), extra_tags="undo-finish")
        return redirect("aftercare:visit-detail", pk=visit.pk)
    return _render_homework(request, visit, wrap_up_form=form, status=400)


@require_POST
@therapist_required
def visit_unfinish(request, pk: int):
    """Finished by mistake: the wrap-up goes back to what it was, and the visit page opens."""
    visit = get_visit(request, pk)
    before = request.session.pop(f"undo-finish-{visit.pk}", None)
    if not before or time.time() - before["at"] > UNDO_SECONDS:
        messages.error(request, gettext("It's too late to undo finishing: change the wrap-up on the visit page instead."))
        return redirect("aftercare:visit-detail", pk=visit.pk)
    for name in WRAP_UP_FIELDS:
        value = before.get(name)
        setattr(visit, name, datetime.time.fromisoformat(value) if name == "reminder_time" and value else value)
    visit.save(update_fields=[*WRAP_UP_FIELDS, "updated_at"])
    messages.success(request, gettext("Not finished after all: everything is as it was before."))
    return redirect("aftercare:visit-homework", pk=visit.pk)


@therapist_required
def item_add(request, pk: int, exercise_pk: int):
    visit = get_visit(request, pk)
    exercise = get_exercise(request, exercise_pk, to=ExerciseUse.GIVE, loading=WITH_VERSIONS)
    # The client's health flags this exercise is not for: the therapist confirms to give it,
    # on the full form (a quick 'Add' of such an exercise goes there instead).
    conflicts = list(exercise.not_for.filter(clients=visit.client_id))
    if request.method == "POST" and "quick" in request.POST:
        if conflicts:
            url = reverse("aftercare:item-add", args=[visit.pk, exercise.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return _quick_add(request, visit, exercise)
    # "Change" on last time's item: its dose and note to start from.
    source = request.GET.get("from", "")
    earlier = get_earlier_item(visit, int(source)) if source.isascii() and source.isdigit() and len(source) < 12 else None
    start = {name: getattr(earlier, name) for name in ("note", *Dose.DOSE_FIELDS)} if earlier else exercise.dose()
    form = HomeworkItemForm(
        request.POST or None, instance=HomeworkItem(exercise=exercise, **start), conflicts=conflicts
    )
    if form.is_valid():
        try:
            visit.assign(exercise, **form.details())
        except ValidationError as e:
            form.add_error(None, e)
        else:
            audit.record(visit.client, audit.Action.ITEM_ASSIGNED, by=request.therapist, detail=exercise.name)
            messages.success(request, gettext("%(exercise)s is part of %(name)s's homework.") % {"exercise": exercise.name, "name": visit.client.first_name})
            return redirect("aftercare:visit-homework", pk=visit.pk)
    count = visit.items.count()
    return render(
        request,
        "aftercare/item_form.html",
        {
            "visit": visit, "exercise": exercise, "form": form, "full": count >= MAX_ITEMS, "item": None,
            "conflicts": conflicts,
        },
        status=400 if form.errors else 200,
    )


def _quick_add(request, visit: Visit, exercise: Exercise):
    """'Add' on the visit page: the exercise's own dose; the note is typed next, in place."""
    return _give(request, visit, exercise, gettext("%(exercise)s is part of %(name)s's homework.") % {"exercise": exercise.name, "name": visit.client.first_name})


def _give(request, visit: Visit, exercise: Exercise, done: str, **details):
    """Give `exercise` as homework from the visit page and record it; the page again (in
    place or not) saying what happened, or why not."""
    try:
        item = visit.assign(exercise, **details)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _work_or_page(request, visit)
    audit.record(visit.client, audit.Action.ITEM_ASSIGNED, by=request.therapist, detail=exercise.name)
    messages.success(request, done)
    return _work_or_page(request, visit, added=item)


@require_POST
@therapist_required
def item_carry(request, pk: int, item_pk: int):
    """Last time's item again, one click: the same exercise, dose and note. One the client
    is not to have now (a health flag) goes to the full form to confirm."""
    visit = get_visit(request, pk)
    earlier = get_earlier_item(visit, item_pk)
    exercise = get_exercise(request, earlier.exercise_id, to=ExerciseUse.GIVE, loading=WITH_VERSIONS)
    if exercise.not_for.filter(clients=visit.client_id).exists():
        url = f"{reverse('aftercare:item-add', args=[visit.pk, exercise.pk])}?from={earlier.pk}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    details = {name: getattr(earlier, name) for name in ("note", *Dose.DOSE_FIELDS)}
    return _give(request, visit, exercise, f"{exercise.name} carries on, same dose as last time.", **details)


@require_POST
@therapist_required
def item_note(request, pk: int, item_pk: int):
    """The personal note of a chosen item, saved from the visit page (as it is typed, with
    htmx; with its own button without)."""
    visit = get_visit(request, pk)
    item = get_item(visit, item_pk)
    form = ItemNoteForm(request.POST, instance=item)
    if not form.is_valid():
        if request.htmx:
            return render(request, "aftercare/_item_note.html", {"visit": visit, "item": item, "form": form})
        return _render_homework(request, visit, note_forms={item.pk: form}, status=400)
    form.save()
    if form.has_changed():
        audit.record(visit.client, audit.Action.ITEM_CHANGED, by=request.therapist, detail=item.exercise.name)
    if request.htmx:
        return render(request, "aftercare/_item_note.html", {"visit": visit, "item": item, "form": form, "saved": True})
    messages.success(request, gettext("Note saved."))
    return redirect(f"{reverse('aftercare:visit-homework', args=[visit.pk])}#item-{item.pk}")


@therapist_required
def item_edit(request, pk: int, item_pk: int):
    visit = get_visit(request, pk)
    item = get_item(visit, item_pk)
    form = HomeworkItemForm(request.POST or None, instance=item, submit_label=_("Save"))
    if form.is_valid():
        form.save()
        if form.has_changed():  # saving unchanged isn't an edit worth logging
            audit.record(visit.client, audit.Action.ITEM_CHANGED, by=request.therapist, detail=item.exercise.name)
        messages.success(request, gettext("Saved."))
        return redirect("aftercare:visit-homework", pk=visit.pk)
    return render(
        request,
        "aftercare/item_form.html",
        {"visit": visit, "exercise": item.exercise, "form": form, "full": False, "item": item},
        status=400 if form.errors else 200,
    )


@require_POST
@therapist_required
def item_remove(request, pk: int, item_pk: int):
    visit = get_visit(request, pk)
    item = get_item(visit, item_pk)
    item.delete()
    audit.record(visit.client, audit.Action.ITEM_REMOVED, by=request.therapist, detail=item.exercise.name)
    # Kept for UNDO_SECONDS, so "Undo" brings it back as it was, personal note included.
    request.session[f"undo-item-{visit.pk}"] = {
        "exercise": item.exercise_id, "note": item.note, "at": time.time(),
        **{name: getattr(item, name) for name in Dose.DOSE_FIELDS},
    }
    messages.success(request, gettext("%(exercise)s is no longer part of this visit's homework.") % {"exercise": item.exercise.name}, extra_tags="undo-item")
    return _work_or_page(request, visit)


@require_POST
@therapist_required
def item_restore(request, pk: int):
    """Undo the last removal on this visit: the item comes back with its dose and note."""
    visit = get_visit(request, pk)
    removed = request.session.pop(f"undo-item-{visit.pk}", None)
    exercise = removed and Exercise.objects.for_clinic(request.clinic).filter(pk=removed["exercise"]).first()
    if not exercise or time.time() - removed["at"] > UNDO_SECONDS:
        messages.error(request, gettext("It's too late to undo that. Choose the exercise again below if you still want it."))
        return _work_or_page(request, visit)
    details = {name: removed[name] for name in ("note", *Dose.DOSE_FIELDS)}
    return _give(request, visit, exercise, f"{exercise.name} is back, with its note.", **details)


@require_POST
@therapist_required
def visit_delete(request, pk: int):
    """A visit started by mistake goes; one with homework stays, because the client's
    link and history show it (remove its items first)."""
    visit = get_visit(request, pk)
    try:
        deleted = visit.delete_if_empty()
    except Visit.DoesNotExist:
        raise Http404 from None  # deleted a moment ago, by another tab or a colleague
    if not deleted:
        messages.error(request, gettext("This visit has homework, so it stays. Remove the items first if it was a mistake."))
        return redirect("aftercare:visit-homework", pk=visit.pk)
    audit.record(visit.client, audit.Action.VISIT_DELETED, by=request.therapist, detail=f"{visit.date:%-d %b %Y}")
    messages.success(request, gettext("The visit of %(date)s is deleted.") % {"date": date_format(visit.date, gettext("j F"))})
    return redirect("clients:detail", pk=visit.client.pk)


def _render_visit_detail(request, visit: Visit, email_form=None, status=200):
    client = visit.client
    link = ShareLink.shown(client, by=request.therapist)  # the same rule as the printed handout's QR code
    url = qr = None
    if link.revoked_at is None:
        url = request.build_absolute_uri(link.path)
        qr = segno.make(url, error="m").svg_data_uri(scale=5, border=2, dark="#1f2d33")
    items = list(visit.items.select_related("exercise", "visit").prefetch_related("exercise__pictures"))
    attach_tick_history(items, timezone.localdate())
    complaints = list(visit.complaints.all())
    return render(
        request,
        "aftercare/visit_detail.html",
        {
            "visit": visit,
            "client": client,
            "items": items,
            "complaints": complaints,
            "red_flags": [c for c in complaints if c.red_flags.strip()],
            "link": link,
            "link_url": url,
            "qr": qr,
            "email_form": email_form or LinkEmailForm(instance=client),
            "share_text": reminders.share_text(client, request.clinic.name, visit, url) if url else "",
        },
        status=status,
    )


@therapist_required
def visit_detail(request, pk: int):
    return _render_visit_detail(request, get_visit(request, pk))


@require_POST
@therapist_required
def link_email(request, pk: int):
    visit = get_visit(request, pk)
    form = LinkEmailForm(request.POST, instance=visit.client)
    if not request.clinic.email_confirmed:  # a clinic that signed up confirms its own email first
        form.add_error("email", CONFIRM_EMAIL_FIRST)
    if form.is_valid():
        client = form.save()
        ShareLink.current(client, by=request.therapist)
        # A job sends it (tried again while the mail server says "not now"); the link itself
        # is made again there, never stored with the job.
        tasks.email_link.enqueue(client.pk, request.therapist.pk, request.build_absolute_uri("/").rstrip("/"), tasks.new_email_key())
        audit.record(client, audit.Action.LINK_EMAILED, by=request.therapist)
        messages.success(request, gettext("Sending %(name)s their link at %(email)s.") % {"name": client.first_name, "email": client.email})
        return redirect("aftercare:visit-detail", pk=visit.pk)
    return _render_visit_detail(request, visit, email_form=form, status=400)


@require_POST
@therapist_required
def link_replace(request, pk: int):
    visit = get_visit(request, pk)
    form = LinkReplaceForm(request.POST)
    form.is_valid()  # a missing or unreadable link is no reason to refuse: replace
    try:
        ShareLink.replace(visit.client, by=request.therapist, replacing=form.cleaned_data.get("link"))
    except Client.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        gettext("%(name)s has a new link. The old one no longer opens; give them this one.") % {"name": visit.client.first_name},
    )
    return redirect("aftercare:visit-detail", pk=visit.pk)


@require_POST
@therapist_required
def link_revoke(request, pk: int):
    visit = get_visit(request, pk)
    if ShareLink.objects.filter(client=visit.client, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit.record(visit.client, audit.Action.LINK_REVOKED, by=request.therapist)
    messages.success(request, gettext("%(name)s's link is turned off. Nobody can open it now.") % {"name": visit.client.first_name})
    return redirect("aftercare:visit-detail", pk=visit.pk)
