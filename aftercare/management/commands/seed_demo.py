import datetime
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aftercare.audit import Action, AuditEvent
from aftercare.feedback import HomeworkWord, ItemFeeling
from aftercare.models import CheckIn, ShareLink, Visit
from clients.models import Client, Clinic, Therapist
from exercises.images import clean_upload
from exercises.models import Complaint, Condition, Equipment, Exercise
from PIL import Image, ImageDraw, ImageFont

DEMO_CLINIC = "Harbour Lane Massage"
DEMO_PASSWORD = "aftercare-demo"
DEMO_BOOKING = "https://book.example.com/harbour-lane"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
THERAPISTS = [
    # username, first, last, owner
    ("demo", "Robin", "Hale", True),
    ("jo", "Jo", "Okafor", False),
]
# first, last, email, at home (None: not asked yet; []: nothing at home; else what they have
# beside the everyday things), health flags, [(weeks ago, complaints, [exercise slugs])];
# two visits are today's, so "Today's visits" has a stack to print.
CLIENTS = [
    ("Maya", "Lindqvist", "maya@example.com", ["tennis-ball"], [],
     [(2, ["headaches", "neck-shoulder-knots"], ["tennis-ball-suboccipital-release"]),
      (0, ["headaches", "rounded-desk-shoulders"], ["tennis-ball-suboccipital-release", "doorway-pec-stretch"])]),
    ("Dev", "Patel", "dev@example.com", ["foam-roller"], [],
     [(4, ["runners-calves"], ["calf-rolling-foam-roller"]), (1, ["runners-calves", "it-band"], ["calf-rolling-foam-roller"])]),
    ("Ruth", "Okonjo", "", None, [], [(3, ["stubborn-piriformis", "lower-back-tightness"], ["psoas-release"])]),
    ("Tomás", "Reyes", "tomas@example.com", ["resistance-band"], [],
     [(0, ["rounded-desk-shoulders", "between-shoulder-blades"], ["doorway-pec-stretch", "wall-angels"])]),
    ("Aiko", "Brennan", "", [], ["pregnancy"], [(5, ["stress-sleep", "pregnancy-back-hip"], [])]),
    ("Lou", "", "", None, ["joint-replacement"], []),
    ("Priya", "Shah", "priya@example.com", ["tennis-ball"], [],
     [(2, ["headaches", "jaw-clenching"], ["tennis-ball-suboccipital-release"])]),
    ("Sam", "Cole", "sam@example.com", [], [], [(1, ["lower-back-tightness"], ["cat-cow"])]),
]
# A week between visits, so the week page and "since last time" have something to show:
# for each client, the days ago they ticked their newest homework, how it felt (days ago,
# feeling), their word on the week (days ago, word, note), and whether they opened their link.
BETWEEN = {
    "Maya": ([1, 2, 4, 6, 8, 9, 11], [(9, "same"), (2, "easier")], (5, "not-today", ""), True),
    "Dev": ([0, 1, 3, 5, 9, 12], [(1, "easier"), (5, "same")], None, True),
    "Ruth": ([3, 4], [(2, "hurt")], None, True),
    "Priya": ([6], [(6, "same")], (3, "doesnt-fit", "Evenings are school runs and dinner; mornings before work might suit."), True),
    "Sam": ([], [], None, False),
}


class Command(BaseCommand):
    help = (
        f"Make the demo clinic ({DEMO_CLINIC}) with two therapist logins "
        f"({', '.join(t[0] for t in THERAPISTS)}; password {DEMO_PASSWORD}) and a handful of clients "
        "with visits and homework. Fills the built-in library first. Safe to run again: "
        "what exists is kept, and passwords are set back to the demo one."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("seed_library", stdout=self.stdout)
        clinic, _ = Clinic.objects.get_or_create(
            name=DEMO_CLINIC,
            defaults={"phone": "01632 960 123", "email": "hello@harbourlane.example", "address": "12 Harbour Lane"},
        )
        # A newcomer sees every part of the pages: the logo on the link page and handouts,
        # the booking button. Set once; a clinic that changed them keeps its own.
        if not clinic.booking_url:
            clinic.booking_url = DEMO_BOOKING
        if not clinic.logo:
            logo = clean_upload(SimpleUploadedFile("harbour-lane.png", demo_logo(), "image/png"), long_side=800, thumb_side=200)
            clinic.logo.save(logo.name, logo, save=False)
        clinic.save()
        User = get_user_model()
        therapists = []
        for username, first, last, owner in THERAPISTS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            therapist, _ = Therapist.objects.update_or_create(
                user=user, defaults={"clinic": clinic, "is_owner": owner}
            )
            therapists.append(therapist)
        today = timezone.localdate()
        for first, last, email, at_home, flags, visits in CLIENTS:
            client, created = Client.objects.get_or_create(
                clinic=clinic, first_name=first, last_name=last, defaults={"email": email}
            )
            if not created:
                continue
            if at_home is not None:
                client.record_equipment(Equipment.objects.filter(Q(slug__in=at_home) | Q(everyday=True)))
            client.conditions.set(Condition.objects.filter(slug__in=flags))
            for weeks_ago, complaint_slugs, exercise_slugs in visits:
                visit = Visit.objects.create(
                    client=client,
                    therapist=therapists[weeks_ago % len(therapists)],
                    date=today - datetime.timedelta(weeks=weeks_ago),
                    next_goal="Easier to turn the head when driving" if "headaches" in complaint_slugs else "",
                    rebook_weeks=2,
                )
                visit.complaints.set(Complaint.objects.filter(slug__in=complaint_slugs))
                for slug in exercise_slugs:
                    visit.assign(Exercise.objects.get(clinic=None, slug=slug), note="Little and often is plenty.")
            if first in BETWEEN:
                week_between_visits(client, today, *BETWEEN[first])
        self.stdout.write(
            f"Demo ready: log in as '{THERAPISTS[0][0]}' with password '{DEMO_PASSWORD}' "
            f"({clinic.clients.count()} clients)."
        )


def week_between_visits(client, today, ticked, feelings, word, opened) -> None:
    """Ticks, feelings and a word, each on the homework the client had that day (so the
    newest visit's "since last time" shows the one before), none before any was given."""
    visits = list(Visit.objects.filter(client=client).with_homework().order_by("-date").prefetch_related("items"))
    if not visits:
        return

    def homework_on(day):
        return next((visit for visit in visits if visit.date <= day), None)

    for n, days_ago in enumerate(ticked):
        day = today - datetime.timedelta(days=days_ago)
        if visit := homework_on(day):
            items = list(visit.items.all())
            CheckIn.objects.get_or_create(item=items[n % len(items)], day=day)
    for days_ago, feeling in feelings:
        day = today - datetime.timedelta(days=days_ago)
        if visit := homework_on(day):
            ItemFeeling.say(list(visit.items.all())[0], day, feeling)
    if word:
        days_ago, said, note = word
        day = today - datetime.timedelta(days=days_ago)
        if visit := homework_on(day):
            HomeworkWord.say(visit, day, said, note)
    ShareLink.current(client)
    if opened:
        AuditEvent.objects.create(
            clinic_id=client.clinic_id, client=client, client_number=client.pk, action=Action.LINK_OPENED,
            at=timezone.now() - datetime.timedelta(days=max(0, (today - visits[0].date).days - 1)),
        )


def demo_logo() -> bytes:
    """The demo clinic's logo, drawn here: a harbour wave in a teal circle and the name."""
    image = Image.new("RGB", (640, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse([20, 20, 180, 180], fill="#2f6f73")
    for n, y in enumerate((95, 125)):
        draw.arc([45, y - 25, 155, y + 25], start=200, end=340, fill="white", width=9 - 2 * n)
    draw.ellipse([88, 48, 112, 72], fill="#f6c177")
    try:
        font, small = ImageFont.truetype(DEJAVU_BOLD, 46), ImageFont.truetype(DEJAVU_BOLD, 26)
    except OSError:  # fonts-dejavu-core missing: Pillow's own font still draws the name
        font = small = ImageFont.load_default()
    draw.text((205, 52), "Harbour Lane", fill="#1f3a4d", font=font)
    draw.text((208, 112), "MASSAGE", fill="#2f6f73", font=small)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
