"""The emails a clinic's people get about their own login, sent by a worker (`manage.py
run_worker`), once per key, tried again while the mail server says "not now"
(outbox.mail.send_once): the link that confirms a new clinic's address, and the link that
sets a forgotten password.

Neither link is kept with its job. The job holds who it is for and the address it goes
to; each try makes the link again from the database. A copy of the job table (a backup,
the admin's list of finished jobs) holds nothing that confirms an address or sets a
password."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from clients.models import CONFIRM_DAYS, Clinic
from outbox.mail import one_line, send_once


@task
def send_confirmation(clinic_id: int, user_id: int, email: str, site_url: str, key: str, attempt: int = 1) -> str:
    """The email with the signed, dated link that confirms the owner's address."""

    def make():
        clinic = Clinic.objects.filter(pk=clinic_id).first()
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if clinic is None or user is None:
            return "clinic gone"
        if clinic.email_confirmed:
            return "confirmed already"
        if user.email.lower() != email.lower():
            return "address changed"  # the owner changed it since: a link to the new one is theirs to ask for
        url = site_url + reverse("signup-confirm", args=[clinic.confirmation_token(user.email)])
        return EmailMessage(
            subject=one_line(f"Confirm your email for {clinic.name} on Aftercare"),
            body=render_to_string("emails/confirm_email.txt", {"user": user, "clinic": clinic, "url": url, "days": CONFIRM_DAYS}),
            to=[user.email],
        )

    def again(when):
        send_confirmation.using(run_after=when).enqueue(clinic_id, user_id, email, site_url, key, attempt + 1)

    return send_once(key, make, attempt=attempt, again=again)


@task
def send_password_reset(
    user_id: int, email: str, protocol: str, domain: str, site_name: str,
    subject_template: str, body_template: str, key: str, attempt: int = 1,
) -> str:
    """The "choose a new password" email Django's PasswordResetForm writes, with a token
    made here (the one the request made is dropped: clients.forms.QueuedPasswordResetForm).
    Sent only while the login is still one a reset is for (active, with a usable password)
    and still has the address it was asked for at; a token made now is good for
    PASSWORD_RESET_TIMEOUT from now, and stops working once the password is set."""

    def make():
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.has_usable_password():
            return "login gone"
        if user.email.lower() != email.lower():
            return "address changed"
        context = {
            "email": email, "domain": domain, "site_name": site_name, "protocol": protocol, "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        }
        # As PasswordResetForm.send_mail writes it: the subject on one line.
        subject = one_line(render_to_string(subject_template, context), limit=998)
        return EmailMessage(subject=subject, body=render_to_string(body_template, context), to=[user.email])

    def again(when):
        send_password_reset.using(run_after=when).enqueue(
            user_id, email, protocol, domain, site_name, subject_template, body_template, key, attempt + 1
        )

    return send_once(key, make, attempt=attempt, again=again)
