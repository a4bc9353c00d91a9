from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property


class Clinic(models.Model):
    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "Letter", "US Letter"

    name = models.CharField(max_length=120)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    booking_url = models.URLField("booking link", blank=True)
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices, default=PaperSize.A4)
    link_lifetime_days = models.PositiveSmallIntegerField(
        "how long client links last (days)", default=180
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Therapist(models.Model):
    """A login's place in a clinic. Every page a therapist sees is scoped to this clinic."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="therapists")
    is_owner = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ClientQuerySet(models.QuerySet):
    def for_clinic(self, clinic: Clinic) -> ClientQuerySet:
        return self.filter(clinic=clinic)

    def search(self, text: str) -> ClientQuerySet:
        """Every word must match the start of a first name, last name or email."""
        qs = self
        for word in text.split():
            qs = qs.filter(
                Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(email__istartswith=word)
            )
        return qs


class Client(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="clients")
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    equipment = models.ManyToManyField(
        "exercises.Equipment", blank=True, related_name="clients", verbose_name="what they have at home"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name", "pk"]
        indexes = [
            models.Index(fields=["clinic", "first_name", "last_name"], name="client_clinic_name_idx"),
            models.Index(fields=["clinic", "last_name"], name="client_clinic_last_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @cached_property
    def at_home(self) -> list[int] | None:
        """Ids of the equipment they have at home; None while nobody has recorded any.
        Runs a query the first time it is read."""
        return list(self.equipment.values_list("pk", flat=True)) or None
