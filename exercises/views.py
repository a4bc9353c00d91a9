from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.utils.translation import gettext

from clients.access import ExerciseUse, get_complaint, get_exercise, therapist_required
from exercises.forms import (
    ComplaintForm, ComplaintLinkFormSet, ComplaintTextsForm, ExerciseForm, ExerciseTextsForm, LibraryBrowseForm,
)
from exercises.images import STORAGE_DOWN, STORAGE_ERRORS
from exercises.models import Complaint, Exercise

EXERCISES_PER_PAGE = 20
WITH_PICTURES = Exercise.objects.with_pictures()
# The detail page names its easier and harder versions.
WITH_VERSIONS = WITH_PICTURES.select_related("easier", "harder")


@therapist_required
def library(request):
    form = LibraryBrowseForm(request.GET or None, clinic=request.clinic)
    exercises = Exercise.objects.for_clinic(request.clinic)
    exercises = form.filter(exercises) if form.is_valid() else exercises.filter(retired=False)
    exercises = exercises.with_pictures().prefetch_related("equipment").order_by("name", "pk")
    page = Paginator(exercises, EXERCISES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exercises/library.html",
        {"form": form, "page": page, "query": query.urlencode(), "searching": form.is_bound},
    )


@therapist_required
def exercise_detail(request, pk: int):
    exercise = get_exercise(request, pk, loading=WITH_VERSIONS)
    own_version = None
    if exercise.is_builtin:
        own_version = Exercise.objects.filter(clinic=request.clinic, based_on=exercise).first()
    return render(
        request,
        "exercises/exercise_detail.html",
        {
            "exercise": exercise,
            "complaint_links": exercise.complaint_links.filter(complaint__in=Complaint.objects.for_clinic(request.clinic))
            .select_related("complaint")
            .order_by("rank", "complaint__name"),
            "pictures": exercise.pictures.all(),
            "own_version": own_version,
            "other_languages": _other_languages(request),
        },
    )


def _render_form(request, form, formset, exercise=None, status=None):
    return render(
        request,
        "exercises/exercise_form.html",
        {"form": form, "formset": formset, "exercise": exercise},
        status=status or (400 if request.method == "POST" else 200),
    )


@therapist_required
def exercise_add(request):
    exercise = Exercise(clinic=request.clinic)
    form = ExerciseForm(request.POST or None, request.FILES or None, instance=exercise, clinic=request.clinic)
    formset = ComplaintLinkFormSet(
        request.POST or None, instance=exercise, prefix="complaints", form_kwargs={"clinic": request.clinic}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                exercise = form.save(commit=False)
                exercise.slug = exercise.make_slug()
                exercise.save()
                form.save_m2m()
                formset.instance = exercise
                formset.save()
                exercise.add_pictures(form.cleaned_data["pictures"])
        except STORAGE_ERRORS:
            # The pictures' store is down: the whole exercise is rolled back, not half saved.
            form.add_error("pictures", STORAGE_DOWN)
            return _render_form(request, form, formset, status=503)
        messages.success(request, gettext("%(exercise)s is in your library. It's suggested for the complaints you chose.") % {"exercise": exercise.name})
        return redirect("exercises:detail", pk=exercise.pk)
    return _render_form(request, form, formset)


@therapist_required
def exercise_edit(request, pk: int):
    exercise = get_exercise(request, pk, to=ExerciseUse.CHANGE, loading=WITH_PICTURES)
    form = ExerciseForm(request.POST or None, request.FILES or None, instance=exercise, clinic=request.clinic)
    formset = ComplaintLinkFormSet(
        request.POST or None, instance=exercise, prefix="complaints", form_kwargs={"clinic": request.clinic}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                form.save()
                formset.save()
                for picture in form.cleaned_data.get("remove_pictures") or ():
                    picture.delete()
                exercise.add_pictures(form.cleaned_data["pictures"])
        except STORAGE_ERRORS:
            form.add_error("pictures", STORAGE_DOWN)
            return _render_form(request, form, formset, exercise, status=503)
        messages.success(request, gettext("Saved. Homework already given keeps these changes too."))
        return redirect("exercises:detail", pk=exercise.pk)
    return _render_form(request, form, formset, exercise)


@require_POST
@therapist_required
def exercise_copy(request, pk: int):
    original = get_exercise(request, pk, loading=WITH_PICTURES)
    if original.is_builtin:
        existing = Exercise.objects.filter(clinic=request.clinic, based_on=original).first()
        if existing:
            messages.info(request, gettext("Your clinic already has its own version of %(exercise)s: here it is.") % {"exercise": original.name})
            return redirect("exercises:detail", pk=existing.pk)
    with transaction.atomic():
        copy = original.copy_for(request.clinic)
    if original.is_builtin:
        messages.success(
            request,
            gettext("This is your clinic's own %(exercise)s. Change what you like; it's suggested instead of the built-in one.")
            % {"exercise": copy.name},
        )
    else:
        messages.success(request, gettext("A copy of %(exercise)s. Change what you like.") % {"exercise": original.name})
    return redirect("exercises:edit", pk=copy.pk)


@require_POST
@therapist_required
def exercise_retire(request, pk: int):
    exercise = get_exercise(request, pk, to=ExerciseUse.CHANGE, loading=WITH_PICTURES)
    exercise.retired = True
    exercise.save(update_fields=["retired", "updated_at"])
    messages.success(
        request,
        gettext(
            "%(exercise)s is retired: it's no longer suggested or found for new homework. "
            "Clients who have it keep seeing it."
        )
        % {"exercise": exercise.name},
    )
    return redirect("exercises:detail", pk=exercise.pk)


@require_POST
@therapist_required
def exercise_unretire(request, pk: int):
    exercise = get_exercise(request, pk, to=ExerciseUse.CHANGE, loading=WITH_PICTURES)
    exercise.retired = False
    exercise.save(update_fields=["retired", "updated_at"])
    messages.success(request, gettext("%(exercise)s is back in use.") % {"exercise": exercise.name})
    return redirect("exercises:detail", pk=exercise.pk)


@therapist_required
def complaints(request):
    """The clinic's own intake complaints beside the built-in ones, with their red flags."""
    return render(
        request,
        "exercises/complaints.html",
        {
            "own": Complaint.objects.filter(clinic=request.clinic).order_by("name"),
            "builtin": Complaint.objects.filter(clinic__isnull=True).order_by("name"),
        },
    )


def _save_complaint(request, form) -> Complaint:
    with transaction.atomic():
        complaint = form.save(commit=False)
        complaint.clinic = request.clinic
        if not complaint.slug:
            complaint.slug = complaint.make_slug()
        complaint.save()
        form.save_links()
    return complaint


@therapist_required
def complaint_add(request):
    form = ComplaintForm(request.POST or None, clinic=request.clinic)
    if form.is_valid():
        complaint = _save_complaint(request, form)
        messages.success(request, gettext("%(complaint)s can now be ticked at intake.") % {"complaint": complaint.name})
        return redirect("exercises:complaints")
    return render(request, "exercises/complaint_form.html", {"form": form}, status=400 if form.errors else 200)


@therapist_required
def complaint_edit(request, pk: int):
    complaint = get_complaint(request, pk)
    form = ComplaintForm(request.POST or None, instance=complaint, clinic=request.clinic)
    if form.is_valid():
        _save_complaint(request, form)
        messages.success(request, gettext("Saved."))
        return redirect("exercises:complaints")
    return render(
        request, "exercises/complaint_form.html",
        {"form": form, "complaint": complaint, "other_languages": _other_languages(request)},
        status=400 if form.errors else 200,
    )


def _other_languages(request) -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != request.clinic.language]


def _other_language(request, language: str) -> str:
    """A language of the app other than the clinic's own (its exercises are written in
    that); anything else is a 404."""
    if language not in dict(settings.LANGUAGES) or language == request.clinic.language:
        raise Http404
    return language


def _texts_page(request, instance, form_class, language: str, back: str, template: str):
    language = _other_language(request, language)
    name = dict(settings.LANGUAGES)[language]
    form = form_class(request.POST or None, initial=(instance.translations or {}).get(language, {}),
                      original=instance, language=language, language_name=name)
    if form.is_valid():
        texts = form.texts()
        instance.set_texts(language, texts)
        messages.success(request, gettext("Saved: clients who read %(language)s get these words.") % {"language": name} if texts
                         else gettext("Clients who read %(language)s get your own words.") % {"language": name})
        return redirect(back)
    return render(request, template, {"form": form, "object": instance, "language_name": name},
                  status=400 if form.errors else 200)


@therapist_required
def exercise_language(request, pk: int, language: str):
    exercise = get_exercise(request, pk, to=ExerciseUse.CHANGE)
    return _texts_page(request, exercise, ExerciseTextsForm, language, reverse("exercises:detail", args=[exercise.pk]),
                       "exercises/texts_in_language.html")


@therapist_required
def complaint_language(request, pk: int, language: str):
    complaint = get_complaint(request, pk)
    return _texts_page(request, complaint, ComplaintTextsForm, language,
                       reverse("exercises:complaint-edit", args=[complaint.pk]), "exercises/texts_in_language.html")
