"""Where a request comes from: the address the throttles count (failed logins, wrong client
links) and the audit log hashes for each opening of a client's page."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's address. Behind a proxy, from the header it sets (CLIENT_ADDRESS_HEADER,
    from DJANGO_CLIENT_ADDRESS_HEADER, e.g. HTTP_X_REAL_IP); when that header holds a list
    (X-Forwarded-For), its last entry, the one the proxy added. Without the header, or
    when it isn't an address, the connection's own address."""
    header = settings.CLIENT_ADDRESS_HEADER
    sent = request.META.get(header, "") if header else ""
    for candidate in (sent.rsplit(",", 1)[-1], request.META.get("REMOTE_ADDR") or ""):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return "0.0.0.0"
