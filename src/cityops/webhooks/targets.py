"""Where a webhook may be sent: the host of a subscription's URL is resolved, every address it
resolves to must be allowed (`model.refused_address`), and the request is sent to the address
that was checked, not to the name again, so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot swap in an internal address. Checked when a subscription is
made and again before every delivery."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address
from urllib.parse import urlsplit, urlunsplit

from cityops.kernel.errors import ValidationFailed
from cityops.webhooks.model import IPAddress, IPNetwork, refused_address

DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


@dataclass(frozen=True)
class PinnedTarget:
    """A URL whose host is the checked address, with what the request says of the name."""

    url: str
    host_header: str  # the name (and port) the receiver expects in Host
    sni_hostname: str | None  # the name TLS verifies the certificate for (https to a name)
    address: IPAddress


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for (an address literal stands for itself). OSError when the
    name does not resolve."""
    try:
        return [ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    found = dict.fromkeys(ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos)
    return list(found)


def _refusal(addresses: Sequence[IPAddress], allowed: Sequence[IPNetwork]) -> str | None:
    for address in addresses:
        reason = refused_address(address, allowed)
        if reason is not None:
            return reason
    return None


def check_registration(url: str, allowed: Sequence[IPNetwork]) -> None:
    """Refuse a URL whose host is, or now resolves to, an address that is not allowed. A name
    that does not resolve yet is accepted: every delivery checks again."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or DEFAULT_PORTS.get(parts.scheme, 80))
    except OSError:
        return
    reason = _refusal(addresses, allowed)
    if reason is not None:
        raise ValidationFailed(
            f"a webhook may not point at {host}: {reason} (only public addresses, or those "
            "in CITYOPS_WEBHOOK_ALLOW_NETWORKS)",
            code="webhook_target_refused",
        )


def pin(url: str, allowed: Sequence[IPNetwork]) -> PinnedTarget:
    """Resolve the URL's host now, refuse it if any address is not allowed, and aim the request
    at the first one. TargetRefused names why; OSError when the name does not resolve."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    addresses = resolve(host, port)
    if not addresses:
        raise OSError(f"{host} has no address")
    reason = _refusal(addresses, allowed)
    if reason is not None:
        raise TargetRefused(reason)
    address = addresses[0]
    literal = f"[{address}]" if isinstance(address, IPv6Address) else str(address)
    netloc = f"{literal}:{port}"
    host_header = f"[{host}]" if ":" in host else host  # urlsplit drops an IPv6's brackets
    if parts.port is not None:
        host_header = f"{host_header}:{parts.port}"
    return PinnedTarget(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host_header=host_header,
        sni_hostname=host if parts.scheme == "https" and not _is_literal(host) else None,
        address=address,
    )


def _is_literal(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True
