"""Where a webhook may be sent: only public addresses unless a network is allowed, checked on the
resolved address, and the request aimed at the address that was checked."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address

import pytest

from cityops.kernel.errors import ValidationFailed
from cityops.webhooks.model import refused_address
from cityops.webhooks.targets import TargetRefused, check_registration, pin


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "private"),
        ("100.64.0.1", "non-public"),
        ("224.0.0.1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::1", "loopback"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    reason = refused_address(ip_address(address))
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refused_address(ip_address(address)) is None


def test_an_allowed_network_lets_its_addresses_through_and_no_others() -> None:
    allowed = (IPv4Network("10.20.0.0/16"), IPv6Network("::1/128"))
    assert refused_address(ip_address("10.20.3.4"), allowed) is None
    assert refused_address(ip_address("::ffff:10.20.3.4"), allowed) is None
    assert refused_address(ip_address("::1"), allowed) is None
    assert refused_address(ip_address("10.21.0.1"), allowed) is not None
    assert refused_address(ip_address("127.0.0.1"), allowed) is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:22/",
        "http://localhost:8080/hook",
        "http://10.0.0.5/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_registration_refuses_an_internal_target(url: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_registration(url, ())
    assert refused.value.code == "webhook_target_refused"


def test_registration_takes_a_name_that_does_not_resolve_yet() -> None:
    check_registration("https://receiver.invalid/in", ())  # every delivery checks again


def test_pin_aims_at_the_checked_address_and_keeps_the_name_for_host_and_tls() -> None:
    allowed = (IPv4Network("127.0.0.0/8"),)
    target = pin("https://localhost:8443/in?x=1", allowed)
    assert str(target.address) == "127.0.0.1"
    assert target.url == "https://127.0.0.1:8443/in?x=1"
    assert target.host_header == "localhost:8443"
    assert target.sni_hostname == "localhost"


def test_pin_of_an_address_literal_sends_no_tls_name() -> None:
    target = pin("http://[::1]/", (IPv6Network("::1/128"),))
    assert target.url == "http://[::1]:80/"
    assert target.host_header == "[::1]"
    assert target.sni_hostname is None


def test_pin_refuses_a_name_that_resolves_inside() -> None:
    with pytest.raises(TargetRefused, match="loopback"):
        pin("http://localhost:8080/", ())
