"""Web Push for reminders: which subscriptions we accept, the VAPID key, and one send.

The server POSTs to whatever endpoint a browser hands it, so an endpoint is accepted only
as an `https` URL on a known push service (settings.WEBPUSH_SERVICE_HOSTS), never an
address, a private or loopback host or another port; and the name is resolved, when the
phone subscribes and again just before each send, and refused if any address it resolves to
is private, loopback, link-local, reserved, multicast or unspecified (a listed name pointed
at an inside address, or rebound there later). The payload is encrypted by pywebpush
as RFC 8291 says (aes128gcm), signed with our VAPID key (RFC 8292)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

logger = logging.getLogger("aftercare.reminders")

MAX_ENDPOINT = 1000
# A phone, a tablet, a laptop or two: more than this and the oldest goes.
PHONES_PER_CLIENT = 5
SEND_TIMEOUT = 10
NOT_A_PUSH_SERVICE = gettext_lazy("This browser's notification service isn't one we can send to. Email or the calendar will work instead.")
NOT_A_SUBSCRIPTION = gettext_lazy("That isn't a notification subscription.")


def b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


class Unresolved(Exception):
    """The push service's name didn't resolve: nothing can be sent to it now."""


def is_public(address: str) -> bool:
    """Whether an address is one on the public internet (an IPv4-mapped IPv6 address is
    judged as the IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def check_resolves_public(host: str) -> None:
    """ValidationError if `host` resolves to any address that isn't public; Unresolved if it
    doesn't resolve at all."""
    try:
        found = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unresolved(host) from None
    inside = sorted({info[4][0] for info in found if not is_public(info[4][0])})
    if inside or not found:
        logger.warning("A push endpoint's host %s is not a public address (it resolves to %s): refused", host, ", ".join(inside))
        raise ValidationError(NOT_A_PUSH_SERVICE, code="address")


def host_allowed(host: str) -> bool:
    for allowed in settings.WEBPUSH_SERVICE_HOSTS:
        allowed = allowed.lower()
        if allowed.startswith("*.") and host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
            return True
        if host == allowed:
            return True
    return False


def check_endpoint(endpoint: str, *, sending: bool = False) -> str:
    """The endpoint if we may POST to it; ValidationError otherwise. A name that doesn't
    resolve is let through when the phone subscribes (nothing is sent then, and a push
    service's name can fail to resolve for a while) and raises Unresolved just before a
    send, when it counts."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise ValidationError(NOT_A_PUSH_SERVICE, code="endpoint")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise ValidationError(NOT_A_PUSH_SERVICE, code="endpoint") from None
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or not host:
        raise ValidationError(NOT_A_PUSH_SERVICE, code="endpoint")
    if settings.WEBPUSH_ALLOW_LOOPBACK and host == "127.0.0.1" and parts.scheme in ("http", "https"):
        return endpoint  # the test settings' local receiver only
    try:
        ipaddress.ip_address(host)
        raise ValidationError(NOT_A_PUSH_SERVICE, code="endpoint")  # an address, never a service's name
    except ValueError:
        pass
    if parts.scheme != "https" or port not in (None, 443) or not host_allowed(host):
        raise ValidationError(NOT_A_PUSH_SERVICE, code="endpoint")
    try:
        check_resolves_public(host)
    except Unresolved:
        if sending:
            raise
    return endpoint


def check_subscription(data) -> dict:
    """A browser's PushSubscription.toJSON(), checked: {endpoint, p256dh, auth}."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise ValidationError(NOT_A_SUBSCRIPTION, code="shape")
    endpoint = check_endpoint(data.get("endpoint"))
    p256dh, auth = data["keys"].get("p256dh"), data["keys"].get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str) or len(p256dh) > 100 or len(auth) > 40:
        raise ValidationError(NOT_A_SUBSCRIPTION, code="keys")
    try:
        point, secret = b64decode(p256dh), b64decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (binascii.Error, ValueError):
        raise ValidationError(NOT_A_SUBSCRIPTION, code="keys") from None
    if len(point) != 65 or len(secret) != 16:
        raise ValidationError(NOT_A_SUBSCRIPTION, code="keys")
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth}


@lru_cache(maxsize=4)
def _vapid(private_key: str):
    from py_vapid import Vapid

    if not private_key:
        return None
    if "PRIVATE KEY" in private_key:
        return Vapid.from_pem(private_key.encode())
    return Vapid.from_raw(private_key.encode())


def vapid():
    return _vapid(settings.WEBPUSH_VAPID_PRIVATE_KEY)


def public_key() -> str:
    """The applicationServerKey the page subscribes with; empty without a VAPID key."""
    key = vapid()
    if key is None:
        return ""
    return b64encode(key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def send(subscription, payload: dict) -> bool:
    """One push to one phone. A subscription the push service says is gone (404, 410) is
    deleted; any other failure is logged and left for tomorrow."""
    from pywebpush import WebPushException, webpush

    key = vapid()
    if key is None:
        return False
    try:
        # The allow-list may have changed since, and the name may resolve elsewhere now.
        check_endpoint(subscription.endpoint, sending=True)
    except ValidationError:
        subscription.delete()
        return False
    except Unresolved as error:
        logger.warning("A push to client #%s not sent: %s doesn't resolve", subscription.client_id, error)
        return False
    try:
        webpush(
            subscription_info={"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=json.dumps(payload),
            vapid_private_key=key,
            vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
            ttl=60 * 60,
            timeout=SEND_TIMEOUT,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            subscription.delete()
            logger.info("A phone of client #%s unsubscribed (push service said %s): forgotten", subscription.client_id, status)
        else:
            logger.warning("A push to client #%s failed: %s", subscription.client_id, status or error)
        return False
    except Exception as error:  # a push service that doesn't answer
        logger.warning("A push to client #%s failed: %s", subscription.client_id, error)
        return False
    return True
