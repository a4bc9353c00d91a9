"""Everything the clinic holds about one client, in one zip: client.json and the handout
of each visit that has homework. For the client who asks for their data, or a clinic
moving elsewhere.

Never in it: the link's token or what it is made from (the link's dates and whether it
still opens are), or anything about another client."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

from django.db.models import Prefetch
from django.utils import timezone

from aftercare import handouts
from aftercare.audit import AuditEvent
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit
from aftercare.nudges import Nudge
from aftercare.reminder_models import PushSubscription, ReminderPlan, ReminderSent
from clients.models import Client

FORMAT = "aftercare-client-export/1"


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _visits(client: Client) -> list[Visit]:
    items = handouts.items_for_paper().prefetch_related(
        Prefetch("check_ins", queryset=CheckIn.objects.order_by("day")), "feelings"
    )
    return list(
        Visit.objects.filter(client=client)
        .select_related("therapist__user")
        .prefetch_related("complaints", Prefetch("items", queryset=items), "words")
        .order_by("date", "created_at")
    )


def _item(item: HomeworkItem) -> dict:
    return {
        "exercise": item.exercise.name,
        "how_often": item.how_often_text(),
        "dose": item.dose_text(),
        "dose_details": {name: getattr(item, name) for name in HomeworkItem.DOSE_FIELDS},
        "note": item.note,
        "given_at": _when(item.created_at),
        "ticked_off_on": [check_in.day.isoformat() for check_in in item.check_ins.all()],
        "how_it_felt": [{"day": f.day.isoformat(), "feeling": f.get_feeling_display()} for f in item.feelings.all()],
    }


def _visit(visit: Visit) -> dict:
    return {
        "id": visit.pk,
        "date": visit.date.isoformat(),
        "therapist": visit.therapist.display_name if visit.therapist else None,
        "intake_complaints": [complaint.name for complaint in visit.complaints.all()],
        "note": visit.intake_note,
        "referral": visit.get_referral_display() if visit.referral else None,
        "referral_note": visit.referral_note,
        "goal_for_next_session": visit.next_goal,
        "rebook_in_weeks": visit.rebook_weeks,
        "homework": [_item(item) for item in visit.items.all()],
        "client_words": [
            {"day": word.day.isoformat(), "word": word.get_word_display(), "note": word.note} for word in visit.words.all()
        ],
    }


def _link(link: ShareLink) -> dict:
    status = "turned off" if link.revoked_at else "opens" if link.is_live() else "expired"
    return {
        "status": status,
        "made_at": _when(link.created_at),
        "expires_at": _when(link.expires_at),
        "turned_off_at": _when(link.revoked_at),
    }


def _event(event: AuditEvent) -> dict:
    return {"at": _when(event.at), "what": event.sentence, "action": event.action, "who": event.actor_name or None}


def client_data(client: Client, visits: list[Visit]) -> dict:
    return {
        "format": FORMAT,
        "exported_at": _when(timezone.now()),
        "clinic": client.clinic.name,
        "client": {
            "id": client.pk,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "email": client.email,
            "phone": client.phone,
            "at_home": [equipment.name for equipment in client.equipment.order_by("name")],
            "added_at": _when(client.created_at),
            "updated_at": _when(client.updated_at),
        },
        "visits": [_visit(visit) for visit in visits],
        "links": [_link(link) for link in ShareLink.objects.filter(client=client).order_by("created_at")],
        "nudges": [
            {"at": _when(n.created_at), "way": n.get_way_display(), "text": n.text, "sent_at": _when(n.sent_at),
             "by": n.therapist.display_name if n.therapist else None}
            for n in Nudge.objects.filter(client=client).select_related("therapist__user").order_by("created_at")
        ],
        "reminders": _reminders(client),
        "audit": [_event(event) for event in AuditEvent.objects.for_client(client).order_by("at", "pk")],
    }


def _reminders(client: Client) -> dict | None:
    """What the client chose for reminders and each one sent; their phones as a count (a
    subscription's address and keys are the push service's, not the client's words)."""
    plan = ReminderPlan.objects.filter(client=client).first()
    sent = ReminderSent.objects.filter(client=client, sent_at__isnull=False).order_by("day", "channel")
    if plan is None and not sent.exists():
        return None
    return {
        "time": plan.at.strftime("%H:%M") if plan and plan.at else None,
        "days": [["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d] for d in plan.weekdays] if plan else [],
        "time_zone": plan.time_zone if plan else "",
        "email": plan.email if plan else "",
        "email_confirmed_at": _when(plan.email_confirmed_at) if plan else None,
        "phones": PushSubscription.objects.filter(client=client).count(),
        "sent": [{"day": r.day.isoformat(), "way": r.get_channel_display(), "at": _when(r.sent_at)} for r in sent],
    }


def client_zip(client: Client, *, site_url: str | None = None) -> bytes:
    """The zip, built in memory (one client's handouts are a few hundred kB)."""
    visits = _visits(client)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = client_data(client, visits)
        archive.writestr("client.json", json.dumps(data, indent=2, ensure_ascii=False))
        for visit in visits:
            if not visit.items.all():
                continue  # no homework, no handout
            visit.client = client
            # No link on these copies (no QR code, no address): a zip that leaves the clinic
            # must not open the client's page. Exporting never makes or changes a link.
            pdf = handouts.visit_pdf(visit, site_url=site_url, link=None)
            archive.writestr(f"handouts/{visit.date:%Y-%m-%d}-visit-{visit.pk}.pdf", pdf)
    return buffer.getvalue()


def zip_name(client: Client, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    return handouts.filename(client.full_name, "aftercare", f"{today:%Y-%m-%d}").removesuffix(".pdf") + ".zip"
