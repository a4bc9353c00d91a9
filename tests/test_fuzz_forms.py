"""Every form, fuzzed through its real page: long, empty, unicode (NUL, lone surrogates,
right-to-left, emoji), markup, huge and negative numbers, far-away dates, several values
where one is expected, fields missing and fields nobody asked for.

What must hold for every answer: never a 500; a form that refuses says why on the page
(each of its messages is there); and what was typed comes back in the form's text boxes, so
nothing has to be typed twice. A sensible answer goes through.

The registry below names every page that takes input and the forms it exercises; a form
class in the project with no entry fails `test_every_form_has_a_fuzz_entry`, so a new form
gets fuzzed as soon as it is written.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.test import Client as Browser
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare.forms import (
    CheckInForm,
    ClientLanguageForm,
    DayForm,
    HomeworkItemForm,
    ItemDayForm,
    ItemNoteForm,
    LinkEmailForm,
    LinkReplaceForm,
    ReminderForm,
    VisitForm,
    WrapUpForm,
)
from aftercare.feedback_forms import BetweenFilterForm, FeelingForm, NudgeForm, WordForm
from aftercare.models import HomeworkItem, ShareLink
from aftercare import reminders
from aftercare.reminder_forms import ReminderSettingsForm
from aftercare.reminder_models import PushSubscription, ReminderPlan
from clients.forms import (
    ClientForm,
    ClinicForm,
    DeleteClientForm,
    InviteForm,
    JoinForm,
    QuickClientForm,
    QueuedPasswordResetForm,
    SignUpForm,
    TeamMemberForm,
    YourDetailsForm,
)
from clients.models import Invite
from exercises.forms import (
    BaseComplaintLinkFormSet,
    ComplaintForm,
    ComplaintTextsForm,
    ExerciseTextsForm,
    TextsInLanguageForm,
    ComplaintLinkForm,
    ExerciseForm,
    LibraryBrowseForm,
    LibraryFilterForm,
)
from exercises.models import BodyArea, Complaint, Condition, Equipment, Exercise, HowOften
from tests import fuzz
from tests.conftest import builtin

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ("aftercare", "clients", "exercises")
MISSING = object()
# Names a script might add to a form, hoping one of them is saved as it is.
EXTRA_NAMES = ["id", "pk", "clinic", "clinic_id", "therapist", "is_owner", "is_staff", "slot", "visit", "retired", "based_on"]


@dataclass
class World:
    """The clinic and what its pages need, made once per test; every example runs in a
    savepoint that is rolled back, so what one example saves never meets the next."""

    owner: object
    client: object
    visit: object
    item: HomeworkItem
    own_exercise: Exercise
    other_exercise: Exercise
    token: str
    invite_token: str
    complaints: list[int]
    equipment: list[int]
    conditions: list[int]
    own_complaint: Complaint
    reset_link: str  # the emailed password reset link of the owner
    confirm_token: str  # the client's reminder email links (confirm, stop)
    stop_token: str


@pytest.fixture
def world(therapist, client_, visit) -> World:
    item = visit.assign(builtin("doorway-pec-stretch"))
    own = builtin("tennis-ball-suboccipital-release").copy_for(therapist.clinic)
    invite = Invite.objects.create(clinic=therapist.clinic, invited_by=therapist, name="Alex")
    plan = ReminderPlan.objects.create(client=client_, email="maya@example.com", email_nonce="fuzz")
    return World(
        owner=therapist,
        client=client_,
        visit=visit,
        item=item,
        own_exercise=own,
        other_exercise=builtin("chin-tucks"),
        token=ShareLink.current(client_).token,
        invite_token=invite.token,
        complaints=list(Complaint.objects.values_list("pk", flat=True)[:6]),
        equipment=list(Equipment.objects.values_list("pk", flat=True)[:4]),
        conditions=list(Condition.objects.values_list("pk", flat=True)[:4]),
        own_complaint=Complaint.objects.create(
            clinic=therapist.clinic, slug="our-own", name="Our own complaint", body_area="shoulders"
        ),
        reset_link=reverse("password_reset_confirm", args=[
            urlsafe_base64_encode(force_bytes(therapist.user.pk)), default_token_generator.make_token(therapist.user)
        ]),
        confirm_token=reminders.confirm_token(plan),
        stop_token=reminders.stop_token(client_.pk, plan.email),
    )


@dataclass(frozen=True)
class Target:
    """One page that takes input: where it is, who sends it, a sensible answer, and what
    each field may be given instead."""

    name: str
    forms: tuple[type, ...]
    url: Callable[[World], str]
    valid: Callable[[World], dict]
    fields: Callable[[World], dict]
    method: str = "post"
    who: str = "owner"  # or "nobody": the client's link pages, joining, logging in; or
    # "resetting": nobody, who opened the emailed password reset link first
    files: dict = field(default_factory=dict)  # name -> strategy of (filename, bytes)
    answers: frozenset = frozenset({200, 302, 400})
    success: int = 302
    # Refusing GET pages (filters, the day) show what they found instead, not the typed
    # text; form pages must keep every word.
    echo: bool = True
    examples: int | None = None


def dose_fields() -> dict:
    return {
        "how_often": fuzz.choice(HowOften.values),
        "times_per_week": fuzz.number(1, 6),
        "sets": fuzz.number(1, 20),
        "reps": fuzz.number(1, 100),
        "hold_seconds": fuzz.number(1, 600),
        "minutes": fuzz.number(1, 120),
    }


def library_fields(w: World) -> dict:
    return {
        "q": fuzz.text(100),
        "complaint": fuzz.choice(w.complaints),
        "kind": fuzz.choice(Exercise.Kind.values),
        "body_area": fuzz.choice(BodyArea.values),
        "equipment": fuzz.choice(w.equipment),
        "page": fuzz.number(1, 3),
    }


def exercise_answer(w: World) -> dict:
    return {
        "name": "Wall calf stretch", "kind": "stretch", "body_area": "lower_legs", "how_often": "weekly",
        "times_per_week": "3", "sets": "2", "reps": "10", "hold_seconds": "30", "minutes": "",
        "steps": "Face a wall.\nStep one foot back.", "why": "Calves pull on the heel.", "cautions": "",
        "equipment": [str(w.equipment[0])],
        "complaints-TOTAL_FORMS": "3", "complaints-INITIAL_FORMS": "0",
        "complaints-0-complaint": str(w.complaints[0]), "complaints-0-rank": "5",
        # What a browser sends for the empty rows: no complaint, the rank it shows.
        "complaints-1-complaint": "", "complaints-1-rank": "5",
        "complaints-2-complaint": "", "complaints-2-rank": "5",
    }


def exercise_edit_answer(w: World) -> dict:
    links = list(w.own_exercise.complaint_links.all())
    rows = {}
    for i, link in enumerate(links):
        rows |= {f"complaints-{i}-id": str(link.pk), f"complaints-{i}-complaint": str(link.complaint_id),
                 f"complaints-{i}-rank": str(link.rank)}
    extra = len(links)
    return {
        **exercise_answer(w),
        **rows,
        f"complaints-{extra}-complaint": "", f"complaints-{extra}-rank": "5",
        "complaints-TOTAL_FORMS": str(extra + 1), "complaints-INITIAL_FORMS": str(extra),
    }


def exercise_fields(w: World) -> dict:
    return {
        "name": fuzz.text(120), "kind": fuzz.choice(Exercise.Kind.values), "body_area": fuzz.choice(BodyArea.values),
        **dose_fields(), "steps": fuzz.text(400), "why": fuzz.text(300), "cautions": fuzz.text(300),
        "equipment": fuzz.many(w.equipment),
        "complaints-TOTAL_FORMS": fuzz.number(0, 3), "complaints-INITIAL_FORMS": fuzz.number(0, 1),
        "complaints-0-complaint": fuzz.choice(w.complaints), "complaints-0-rank": fuzz.number(1, 99),
        "complaints-1-complaint": fuzz.choice(w.complaints), "complaints-1-rank": fuzz.number(1, 99),
        "complaints-0-id": fuzz.number(1, 10**6), "complaints-0-DELETE": fuzz.choice(["on", ""]),
        "side": fuzz.choice(["", "both", "each", "left", "right"]), "position": fuzz.choice(["standing", "chair", "bed", "floor"]),
        "off_floor": fuzz.text(300), "feel": fuzz.text(240), "mistake": fuzz.text(240), "quick": fuzz.text(300),
        "not_for": fuzz.many(w.conditions),
        # Its easier and harder versions: built-in, its own (itself, on the edit page), or
        # an id that is nobody's.
        "easier": fuzz.choice([w.other_exercise.pk, w.own_exercise.pk, 10**6]),
        "harder": fuzz.choice([w.other_exercise.pk, w.own_exercise.pk, 10**6]),
    }


def client_fields(w: World) -> dict:
    return {
        "first_name": fuzz.text(60), "last_name": fuzz.text(60), "email": fuzz.email(), "phone": fuzz.text(40),
        "equipment": fuzz.many(w.equipment), "home": fuzz.choice(["ticked", "nothing", "not_asked"]),
        "conditions": fuzz.many(w.conditions), "no_floor": fuzz.choice(["on", ""]),
    }


def client_answer(w: World) -> dict:
    return {"first_name": "Maya", "last_name": "Lindqvist", "email": "maya@example.com", "phone": "0400 000 000",
            "equipment": [str(w.equipment[0])], "home": "ticked", "conditions": [str(w.conditions[0])]}


def complaint_fields(w: World) -> dict:
    return {"name": fuzz.text(80), "body_area": fuzz.choice(BodyArea.values), "description": fuzz.text(240),
            "red_flags": fuzz.text(600), "exercises": fuzz.many([w.own_exercise.pk, w.other_exercise.pk])}


def complaint_answer(w: World) -> dict:
    return {"name": "Frozen shoulder rehab", "body_area": "shoulders", "description": "After the freeze",
            "red_flags": "a hot, swollen shoulder", "exercises": [str(w.other_exercise.pk)]}


def new_client_answer(w: World) -> dict:
    """Someone the clinic doesn't have yet (Maya Lindqvist is in the world already)."""
    return {"first_name": "Hannah", "last_name": "Desk", "email": "hannah@example.com", "phone": "0400 111 222",
            "equipment": [str(w.equipment[0])]}


def signup_answer(w: World) -> dict:
    return {"clinic_name": "Tidewater Remedial", "first_name": "Hana", "last_name": "Okafor",
            "email": "hana@tidewater.example", "username": "hana", "password1": "Tennis-ball 42!",
            "password2": "Tennis-ball 42!"}


def visit_fields(w: World) -> dict:
    return {"complaints": fuzz.many(w.complaints), "intake_note": fuzz.text(400)}


REGISTRY = [
    Target(
        "log in", (AuthenticationForm,), lambda w: reverse("login"),
        valid=lambda w: {"username": w.owner.user.username, "password": "password"},
        fields=lambda w: {"username": fuzz.text(150), "password": fuzz.text(100), "next": fuzz.url()},
        who="nobody",
    ),
    Target(
        "change password", (PasswordChangeForm,), lambda w: reverse("password_change"),
        valid=lambda w: {"old_password": "password", "new_password1": "Tennis-ball 42!", "new_password2": "Tennis-ball 42!"},
        fields=lambda w: {name: fuzz.text(200) for name in ("old_password", "new_password1", "new_password2")},
    ),
    Target(
        "add a client by name", (QuickClientForm,), lambda w: reverse("clients:quick-add"),
        valid=lambda w: {"first_name": "Hannah", "last_name": "Desk"},
        fields=lambda w: {"first_name": fuzz.text(60), "last_name": fuzz.text(60),
                          "different_person": fuzz.choice(["1", "on", ""])},
    ),
    Target(
        "add a client by name who may be there already", (QuickClientForm,), lambda w: reverse("clients:quick-add"),
        valid=lambda w: {"first_name": "Maya", "last_name": "Lindqvist", "different_person": "1"},
        fields=lambda w: {"first_name": fuzz.text(60), "last_name": fuzz.text(60),
                          "different_person": fuzz.choice(["1", "on", ""])},
    ),
    Target(
        "add a client", (ClientForm,), lambda w: reverse("clients:create"),
        valid=new_client_answer, fields=lambda w: {**client_fields(w), "different_person": fuzz.choice(["1", ""])},
    ),
    Target(
        "add a client who may be there already", (ClientForm,), lambda w: reverse("clients:create"),
        valid=lambda w: {**client_answer(w), "different_person": "1"},
        fields=lambda w: {**client_fields(w), "different_person": fuzz.choice(["1", ""])},
    ),
    Target(
        "sign up a clinic", (SignUpForm,), lambda w: reverse("signup"),
        valid=signup_answer,
        fields=lambda w: {"clinic_name": fuzz.text(120), "first_name": fuzz.text(150), "last_name": fuzz.text(150),
                          "email": fuzz.email(), "username": fuzz.text(150), "password1": fuzz.text(200),
                          "password2": fuzz.text(200)},
        who="nobody",
    ),
    Target(
        "forgot your password", (QueuedPasswordResetForm,), lambda w: reverse("password_reset"),
        valid=lambda w: {"email": "robin@example.com"}, fields=lambda w: {"email": fuzz.email()},
        who="nobody",
    ),
    Target(
        "choose a new password from the emailed link", (SetPasswordForm,),
        lambda w: w.reset_link.rsplit("/", 2)[0] + "/set-password/",
        valid=lambda w: {"new_password1": "Tennis-ball 42!", "new_password2": "Tennis-ball 42!"},
        fields=lambda w: {"new_password1": fuzz.text(200), "new_password2": fuzz.text(200)},
        who="resetting",
    ),
    Target(
        "edit a client", (ClientForm,), lambda w: reverse("clients:edit", args=[w.client.pk]),
        valid=client_answer, fields=client_fields,
    ),
    Target(
        "delete a client", (DeleteClientForm,), lambda w: reverse("clients:delete", args=[w.client.pk]),
        valid=lambda w: {"confirm": w.client.first_name}, fields=lambda w: {"confirm": fuzz.text(100)},
    ),
    Target(
        "search the clients", (), lambda w: reverse("clients:list"),
        valid=lambda w: {"q": "Maya", "page": "1"},
        fields=lambda w: {"q": fuzz.text(100), "page": fuzz.number(1, 3)},
        method="get", answers=frozenset({200}), success=200, echo=False,
    ),
    Target(
        "clinic settings", (ClinicForm,), lambda w: reverse("clinic:settings"),
        valid=lambda w: {"name": "Harbour Lane", "address": "1 Harbour Lane", "phone": "555", "email": "hi@example.com",
                         "booking_url": "https://book.example.com", "paper_size": "A4", "link_lifetime_days": "180",
                         "equipment": [str(w.equipment[0])]},
        fields=lambda w: {"name": fuzz.text(120), "address": fuzz.text(300), "phone": fuzz.text(40), "email": fuzz.email(),
                          "booking_url": fuzz.url(), "paper_size": fuzz.choice(["A4", "Letter"]),
                          "link_lifetime_days": fuzz.number(1, 730), "equipment": fuzz.many(w.equipment),
                          "remove_logo": fuzz.choice(["on"])},
        files={"new_logo": fuzz.upload()},
    ),
    Target(
        "your own details", (YourDetailsForm,), lambda w: reverse("your-details"),
        valid=lambda w: {"first_name": "Robin", "last_name": "Tester", "email": "robin@example.com"},
        fields=lambda w: {"first_name": fuzz.text(150), "last_name": fuzz.text(150), "email": fuzz.email()},
    ),
    Target(
        "add a teammate", (TeamMemberForm,), lambda w: reverse("clinic:team-add"),
        valid=lambda w: {"first_name": "Alex", "last_name": "Kim", "username": "alex.kim", "email": "alex@example.com"},
        fields=lambda w: {"first_name": fuzz.text(150), "last_name": fuzz.text(150), "username": fuzz.text(150),
                          "email": fuzz.email()},
        success=200,  # the temporary password is shown on the page, once
    ),
    Target(
        "invite a teammate", (InviteForm,), lambda w: reverse("clinic:invite-create"),
        valid=lambda w: {"name": "Alex, Tuesdays"}, fields=lambda w: {"name": fuzz.text(120)},
        success=200,  # the link is shown on the page
    ),
    Target(
        "join the team", (JoinForm,), lambda w: reverse("clinic:join", args=[w.invite_token]),
        valid=lambda w: {"first_name": "Alex", "last_name": "Kim", "username": "alexk",
                         "password1": "Tennis-ball 42!", "password2": "Tennis-ball 42!"},
        fields=lambda w: {"first_name": fuzz.text(150), "last_name": fuzz.text(150), "username": fuzz.text(150),
                          "password1": fuzz.text(200), "password2": fuzz.text(200)},
        who="nobody",
    ),
    Target(
        "start a visit", (VisitForm,), lambda w: reverse("aftercare:visit-start", args=[w.client.pk]),
        valid=lambda w: {"complaints": [str(w.complaints[0])], "intake_note": "Sore after gardening"},
        fields=visit_fields,
    ),
    Target(
        "edit a visit", (VisitForm,), lambda w: reverse("aftercare:visit-edit", args=[w.visit.pk]),
        valid=lambda w: {"complaints": [str(w.complaints[1])], "intake_note": "Better"},
        fields=visit_fields,
    ),
    Target(
        "search the library for homework", (LibraryFilterForm,),
        lambda w: reverse("aftercare:visit-homework", args=[w.visit.pk]),
        valid=lambda w: {"q": "stretch", "page": "1"},
        fields=lambda w: {**library_fields(w), "all": fuzz.text(10)},
        method="get", answers=frozenset({200}), success=200, echo=False,
    ),
    Target(
        "add a homework item", (HomeworkItemForm,),
        lambda w: reverse("aftercare:item-add", args=[w.visit.pk, w.other_exercise.pk]),
        valid=lambda w: {"how_often": "daily", "sets": "2", "reps": "10", "note": "After your walk"},
        fields=lambda w: {**dose_fields(), "note": fuzz.text(1000)},
    ),
    Target(
        "edit a homework item", (HomeworkItemForm,),
        lambda w: reverse("aftercare:item-edit", args=[w.visit.pk, w.item.pk]),
        valid=lambda w: {"how_often": "weekly", "times_per_week": "3", "hold_seconds": "30", "note": ""},
        fields=lambda w: {**dose_fields(), "note": fuzz.text(1000)},
    ),
    Target(
        "write a chosen item's note on the visit page", (ItemNoteForm,),
        lambda w: reverse("aftercare:item-note", args=[w.visit.pk, w.item.pk]),
        valid=lambda w: {f"item-{w.item.pk}-note": "After your walk"},
        fields=lambda w: {f"item-{w.item.pk}-note": fuzz.text(1000)},
    ),
    Target(
        "wrap up a visit", (WrapUpForm,), lambda w: reverse("aftercare:visit-wrap-up", args=[w.visit.pk]),
        valid=lambda w: {"referral": "other", "referral_note": "A podiatrist for the heel", "next_goal": "Looser calves",
                         "rebook_weeks": "2"},
        fields=lambda w: {"referral": fuzz.choice(["osteopath", "gp", "other", ""]), "referral_note": fuzz.text(240),
                          "next_goal": fuzz.text(240), "rebook_weeks": fuzz.choice([1, 2, 3, 4, 6, 8])},
    ),
    Target(
        "send the link by email", (LinkEmailForm,), lambda w: reverse("aftercare:link-email", args=[w.visit.pk]),
        valid=lambda w: {"email": "maya@example.com"}, fields=lambda w: {"email": fuzz.email()},
    ),
    Target(
        "replace the link", (LinkReplaceForm,), lambda w: reverse("aftercare:link-replace", args=[w.visit.pk]),
        valid=lambda w: {"link": str(ShareLink.current(w.visit.client).pk)}, fields=lambda w: {"link": fuzz.number(1, 10**6)},
        answers=frozenset({302}), echo=False,  # a link it can't read is replaced all the same
    ),
    Target(
        "browse the library", (LibraryBrowseForm,), lambda w: reverse("exercises:list"),
        valid=lambda w: {"q": "calf", "source": "ours", "page": "1"},
        fields=lambda w: {**library_fields(w), "source": fuzz.choice(["ours", "builtin"]), "retired": fuzz.choice(["on"])},
        method="get", answers=frozenset({200}), success=200, echo=False,
    ),
    Target(
        "add an exercise", (ExerciseForm, ComplaintLinkForm, BaseComplaintLinkFormSet), lambda w: reverse("exercises:add"),
        valid=exercise_answer, fields=exercise_fields, files={"pictures": fuzz.upload()},
    ),
    Target(
        "edit an exercise", (ExerciseForm, ComplaintLinkForm, BaseComplaintLinkFormSet),
        lambda w: reverse("exercises:edit", args=[w.own_exercise.pk]),
        valid=exercise_edit_answer,
        fields=lambda w: {**exercise_fields(w), "remove_pictures": fuzz.many([1, 2])},
        files={"pictures": fuzz.upload()},
    ),
    Target(
        "add a complaint of our own", (ComplaintForm,), lambda w: reverse("exercises:complaint-add"),
        valid=complaint_answer, fields=complaint_fields,
    ),
    Target(
        "edit a complaint of our own", (ComplaintForm,),
        lambda w: reverse("exercises:complaint-edit", args=[w.own_complaint.pk]),
        valid=complaint_answer, fields=complaint_fields,
    ),
    Target(
        # All empty forgets the language; otherwise name, steps and why are needed.
        "our exercise in another language", (ExerciseTextsForm, TextsInLanguageForm),
        lambda w: reverse("exercises:language", args=[w.own_exercise.pk, "fr"]),
        valid=lambda w: {"name": "Tissu chaud", "steps": "Chauffez un linge.\nPosez-le sur la mâchoire.",
                         "why": "La chaleur détend."},
        fields=lambda w: {name: fuzz.text(400) for name in ExerciseTextsForm.base_fields},
    ),
    Target(
        "our complaint in another language", (ComplaintTextsForm,),
        lambda w: reverse("exercises:complaint-language", args=[w.own_complaint.pk, "de"]),
        valid=lambda w: {"name": "Schulter-Reha", "red_flags": "ein heißes, geschwollenes Gelenk"},
        fields=lambda w: {name: fuzz.text(300) for name in ComplaintTextsForm.base_fields},
    ),
    Target(
        "the day's visits", (DayForm,), lambda w: reverse("aftercare:day"),
        valid=lambda w: {"date": "2026-03-04"}, fields=lambda w: {"date": fuzz.date()},
        method="get", answers=frozenset({200, 400}), success=200, echo=False,
    ),
    Target(
        "the day's handouts", (DayForm,), lambda w: reverse("aftercare:day-handouts"),
        valid=lambda w: {"date": "2026-03-04"}, fields=lambda w: {"date": fuzz.date()},
        method="get", answers=frozenset({200, 404}), success=200, echo=False,
        examples=6,  # each answer is a PDF: a few are enough, the day page covers the form
    ),
    Target(
        "tick an item on the client's page", (CheckInForm, ItemDayForm), lambda w: reverse("client-check-in", args=[w.token]),
        valid=lambda w: {"item": str(w.item.pk), "action": "done", "day": ""},
        fields=lambda w: {"item": fuzz.number(1, w.item.pk + 1), "day": fuzz.date(), "action": fuzz.choice(["done", "undo"])},
        # A refused tick is the link page's 404; a day out of the last seven, the page with a message.
        who="nobody", answers=frozenset({302, 400, 403, 404}),
    ),
    Target(
        "say how an item felt on the client's page", (FeelingForm,), lambda w: reverse("client-feeling", args=[w.token]),
        valid=lambda w: {"item": str(w.item.pk), "feeling": "hurt", "day": ""},
        fields=lambda w: {"item": fuzz.number(1, w.item.pk + 1), "day": fuzz.date(),
                          "feeling": fuzz.choice(["easier", "same", "hurt"])},
        who="nobody", answers=frozenset({302, 400, 403, 404}), echo=False,
    ),
    Target(
        "a word on the week on the client's page", (WordForm,), lambda w: reverse("client-word", args=[w.token]),
        valid=lambda w: {"visit": str(w.visit.pk), "word": "doesnt-fit", "note": "Evenings are busy"},
        fields=lambda w: {"visit": fuzz.number(1, w.visit.pk + 1), "word": fuzz.choice(["not-today", "doesnt-fit"]),
                          "note": fuzz.text(300)},
        who="nobody", answers=frozenset({302, 400, 404}),
    ),
    Target(
        "send a nudge", (NudgeForm,), lambda w: reverse("aftercare:nudge", args=[w.client.pk]),
        valid=lambda w: {"text": "Hi Maya, a gentle hello."}, fields=lambda w: {"text": fuzz.text(700)},
    ),
    Target(
        "the week between visits", (BetweenFilterForm,), lambda w: reverse("aftercare:between-visits"),
        valid=lambda w: {"who": "team", "page": "1"},
        fields=lambda w: {"who": fuzz.choice(["mine", "team"]), "page": fuzz.number(1, 3)},
        method="get", answers=frozenset({200}), success=200, echo=False,
    ),
    Target(
        # A code the page isn't written in keeps the language it had: the page again, never a 500.
        "the client's language", (ClientLanguageForm,), lambda w: reverse("client-language", args=[w.token]),
        valid=lambda w: {"language": "fr"},
        fields=lambda w: {"language": fuzz.choice(["fr", "de-AT", "es_ES", "EN", "zz", "", "fr-", "../en"]) | fuzz.text(40)},
        who="nobody", answers=frozenset({302}), echo=False,
    ),
    Target(
        "reminders at a time of day", (ReminderForm,), lambda w: reverse("client-reminders", args=[w.token]),
        valid=lambda w: {"time": "07:30"}, fields=lambda w: {"time": fuzz.time()},
        method="get", who="nobody", answers=frozenset({200, 400}), success=200,
    ),
    Target(
        "reminders chosen on the client's page", (ReminderSettingsForm,),
        lambda w: reverse("client-reminder-settings", args=[w.token]),
        valid=lambda w: {"at": "07:30", "days": ["0", "2", "4"], "by_email": "on", "email": "maya@example.com",
                         "time_zone": "Europe/London"},
        fields=lambda w: {
            "at": fuzz.time(), "days": fuzz.many([str(n) for n in range(8)]), "by_email": fuzz.choice(["on", ""]),
            "email": fuzz.email(), "time_zone": fuzz.choice(["Europe/London", "America/New_York", "Mars/Olympus", ""]),
        },
        who="nobody",
    ),
    # The doors that take no form class: what a script might post to them anyway.
    Target(
        "confirm reminders from the email's link", (), lambda w: reverse("reminder-confirm", args=[w.confirm_token]),
        valid=lambda w: {}, fields=lambda w: {"confirm": fuzz.text(50), "token": fuzz.text(200)},
        who="nobody", answers=frozenset({200}), success=200,
    ),
    Target(
        "stop reminders from the email (RFC 8058 one-click)", (), lambda w: reverse("reminder-stop", args=[w.stop_token]),
        valid=lambda w: {"List-Unsubscribe": "One-Click"}, fields=lambda w: {"List-Unsubscribe": fuzz.text(50)},
        who="nobody", answers=frozenset({200}), success=200,
    ),
    Target(
        "stop all reminders on the client's page", (), lambda w: reverse("client-reminder-stop-all", args=[w.token]),
        valid=lambda w: {}, fields=lambda w: {"email": fuzz.email(), "at": fuzz.time()}, who="nobody",
    ),
    Target(
        "undo removing an item", (), lambda w: reverse("aftercare:item-restore", args=[w.visit.pk]),
        valid=lambda w: {}, fields=lambda w: {"exercise": fuzz.number(1, 10**6), "note": fuzz.text(100)},
    ),
    Target(
        "undo finishing a visit", (), lambda w: reverse("aftercare:visit-unfinish", args=[w.visit.pk]),
        valid=lambda w: {}, fields=lambda w: {"reminder_time": fuzz.time(), "rebook_weeks": fuzz.number(-5, 99)},
    ),
    Target(
        "find the other record to merge", (), lambda w: reverse("clients:merge", args=[w.client.pk]),
        valid=lambda w: {"q": "Maya"}, fields=lambda w: {"q": fuzz.text(300)},
        method="get", answers=frozenset({200}), success=200, echo=False,
    ),
]


def project_form_classes() -> set[type]:
    """Every form and formset class written in the project's own modules, plus the forms
    the URL patterns' class-based views use (the login, the password change)."""
    found = set()
    for package in PROJECT_PACKAGES:
        modules = [importlib.import_module(package)]
        for info in pkgutil.walk_packages(modules[0].__path__, prefix=f"{package}."):
            if ".migrations" in info.name or info.name.endswith(".settings_production"):
                continue
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, (forms.BaseForm, forms.BaseFormSet))
                    and value.__module__ == module.__name__
                ):
                    found.add(value)

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":  # Django's own admin, for staff only
                    yield from walk(pattern.url_patterns)
            else:
                form_class = getattr(getattr(pattern.callback, "view_class", None), "form_class", None)
                if form_class:
                    yield form_class

    found.update(walk(get_resolver().url_patterns))
    return found


def test_every_form_has_a_fuzz_entry():
    covered = {form for target in REGISTRY for form in target.forms} | set(DIRECT)
    missing = project_form_classes() - covered
    assert not missing, f"No fuzz entry for {sorted(f.__qualname__ for f in missing)}: add a Target to REGISTRY."


@st.composite
def answers(draw, target: Target, world: World):
    """A sensible answer with some of its fields broken, missing or doubled, and perhaps a
    field or two nobody asked for. Shrinks towards the fewest broken fields."""
    data = dict(target.valid(world))
    specs = target.fields(world)
    for name in draw(st.lists(st.sampled_from(sorted(specs)), unique=True, max_size=len(specs))):
        how = draw(st.sampled_from(["fuzz", "fuzz", "fuzz", "several", "missing"]))
        if how == "fuzz":
            data[name] = draw(specs[name])
        elif how == "several":
            values = draw(st.lists(specs[name], min_size=2, max_size=3))
            data[name] = [one for value in values for one in (value if isinstance(value, list) else [value])]
        else:
            data.pop(name, None)
    extra = draw(st.dictionaries(st.one_of(st.sampled_from(EXTRA_NAMES), fuzz.text(20)), fuzz.text(50), max_size=2))
    files = {name: draw(strategy) for name, strategy in target.files.items() if draw(st.booleans())}
    return {**extra, **data}, files


def send(target: Target, world: World, data: dict, files: dict):
    browser = Browser()
    if target.who == "owner":
        browser.force_login(world.owner.user)
    elif target.who == "resetting":
        assert browser.get(world.reset_link).status_code == 302  # puts the token in the session
    url = target.url(world)
    if target.method == "get":
        return browser.get(f"{url}?{fuzz.query_string(data)}")
    if target.files:
        body, content_type = fuzz.multipart_body(data, files)
        return browser.post(url, body, content_type=content_type)
    return browser.post(url, fuzz.post_body(data), content_type="application/x-www-form-urlencoded")


def bound_forms(response) -> list:
    """The bound forms (and formsets' forms) the page was rendered with."""
    found = []
    context = response.context
    if isinstance(context, list):  # several templates: the page's own context comes first
        context = context[0]
    for value in context.flatten().values() if context is not None else ():
        if isinstance(value, forms.BaseFormSet) and value.is_bound:
            found.append(value)
            found.extend(value.forms)
        elif isinstance(value, forms.BaseForm) and value.is_bound and value not in found:
            found.append(value)
    return found


def messages_of(form) -> list[str]:
    if isinstance(form, forms.BaseFormSet):
        return list(form.non_form_errors())
    return [message for errors in form.errors.values() for message in errors]


TEXT_WIDGETS = (forms.TextInput, forms.Textarea, forms.EmailInput, forms.URLInput, forms.NumberInput,
                forms.DateInput, forms.TimeInput)


def check(target: Target, data: dict, response) -> None:
    status = response.status_code
    assert status != 500
    assert status in target.answers, f"{target.name} answered {status}"
    if status == 302 or (status == target.success and target.method == "get") or status in (403, 404):
        return
    page = response.content.decode()
    refused = [f for f in bound_forms(response) if not isinstance(f, forms.BaseFormSet) and f.errors]
    refused += [f for f in bound_forms(response) if isinstance(f, forms.BaseFormSet) and f.non_form_errors()]
    if status == target.success and not refused:
        return  # a page that shows what was made (a teammate's password, an invite link)
    if status == 200 and not any(data.values()):
        return  # nothing sent (a browser always sends its button): the empty form again
    shown = [m for form in refused for m in messages_of(form)]
    assert shown, f"{target.name} answered {status} without saying what was wrong"
    for message in shown:
        assert escape(message) in page, f"{target.name} did not show its message {message!r}"
    if not target.echo:
        return
    on_page = fuzz.input_values(page)
    for form in refused:
        if isinstance(form, forms.BaseFormSet):
            continue
        for bound in form:
            widget = bound.field.widget
            sent = data.get(bound.html_name)
            if not isinstance(widget, TEXT_WIDGETS) or isinstance(widget, forms.PasswordInput) or sent is None:
                continue
            typed = fuzz.as_received(sent[-1] if isinstance(sent, list) else sent)
            if not typed.strip():
                continue
            assert typed in on_page.get(bound.html_name, []), f"{target.name} lost what was typed in {bound.html_name}"


def run(target: Target, world: World, data: dict, files: dict | None = None):
    with transaction.atomic():
        cache.clear()  # throttles count in the cache: each example starts with none used
        response = send(target, world, data, files or {})
        check(target, data, response)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("target", REGISTRY, ids=lambda t: t.name)
def test_a_sensible_answer_goes_through(target, world):
    response = run(target, world, target.valid(world))
    refused = [f.errors if isinstance(f, forms.BaseForm) else f.non_form_errors() for f in bound_forms(response)]
    assert response.status_code == target.success, refused
    if target.success == 200 and target.method == "post":
        refused = [f for f in bound_forms(response) if getattr(f, "errors", None)]
        assert not refused, [f.errors for f in refused]


# Each of these in every field at once, so every field meets the worst of them every run.
WORST = ["\x00", "Maya\x00", "\ud800", "x" * 5_000, "<script>alert(1)</script>", "\u202eevil 👩🏽‍⚕️",
         "9" * 40, "-1", "0001-01-01", "10000-01-01", "", "file:///etc/passwd"]


@pytest.mark.parametrize("target", REGISTRY, ids=lambda t: t.name)
def test_every_field_takes_the_worst_without_a_crash(target, world):
    for worst in WORST:
        data = {**target.valid(world), **{name: worst for name in target.fields(world)}}
        run(target, world, data)


@pytest.mark.parametrize("target", REGISTRY, ids=lambda t: t.name)
def test_fuzzed_answers_never_crash_and_lose_nothing(target, world):
    @settings(max_examples=target.examples or settings.default.max_examples)
    @given(answer=answers(target, world))
    def fuzzed(answer):
        data, files = answer
        run(target, world, data, files)

    fuzzed()


# Forms fuzzed directly as well, where that's cheap: what a valid one leads to runs too.
def _filter(form_class):
    def apply(form, world):
        list(form.filter(Exercise.objects.for_clinic(world.owner.clinic)))

    return form_class, lambda w: {}, library_fields, apply


DIRECT = {
    LibraryFilterForm: _filter(LibraryFilterForm),
    LibraryBrowseForm: _filter(LibraryBrowseForm),
    CheckInForm: (
        CheckInForm,
        lambda w: {"today": w.visit.date},
        lambda w: {"item": fuzz.number(1, 10), "day": fuzz.date(), "action": fuzz.choice(["done", "undo"])},
        lambda form, world: list(HomeworkItem.objects.filter(pk=form.cleaned_data["item"])),
    ),
    ComplaintLinkForm: (
        ComplaintLinkForm,
        lambda w: {},
        lambda w: {"complaint": fuzz.choice(w.complaints), "rank": fuzz.number(1, 99)},
        lambda form, world: None,
    ),
}


@pytest.mark.parametrize("form_class", list(DIRECT), ids=lambda f: f.__name__)
def test_forms_fuzzed_directly_refuse_or_work(form_class, world):
    make, kwargs, specs, apply = DIRECT[form_class]

    @given(data=st.fixed_dictionaries({}, optional=specs(world)))
    def fuzzed(data):
        data = {name: fuzz.as_received(value) for name, value in data.items()}
        form = make(data, **kwargs(world))
        with transaction.atomic():
            if form.is_valid():
                apply(form, world)
            else:
                assert all(messages_of(form)), form.errors
            transaction.set_rollback(True)

    fuzzed()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | fuzz.text(100),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(fuzz.text(20), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def subscriptions(draw):
    """A phone's subscription with its parts broken, or any JSON at all."""
    good = {"endpoint": "https://fcm.googleapis.com/fcm/send/fuzz",
            "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                     "auth": "tBHItJI5svbpez7KI4CCXg"}, "timeZone": "Europe/London"}
    if draw(st.booleans()):
        return draw(JSON)
    for name in draw(st.lists(st.sampled_from(["endpoint", "keys", "timeZone"]), unique=True)):
        good[name] = draw(st.one_of(JSON, fuzz.url(), st.fixed_dictionaries({}, optional={"p256dh": JSON, "auth": JSON})))
    return good


def test_a_phones_subscription_takes_any_json_without_a_crash(world):
    """The one door that takes JSON, not a form: this phone's notifications."""
    url = reverse("client-push-subscribe", args=[world.token])

    @settings(max_examples=60)
    @given(body=subscriptions())
    def fuzzed(body):
        import json

        with transaction.atomic():
            cache.clear()
            response = Browser().post(url, json.dumps(body), content_type="application/json")
            assert response.status_code in (200, 201, 400), response.status_code
            if response.status_code == 400:
                assert response.json()["error"]
            else:
                assert PushSubscription.objects.filter(client=world.client).exists()
            transaction.set_rollback(True)

    fuzzed()
