"""Mosquitto credentials: the password file verifies as mosquitto_passwd's does (PBKDF2-SHA512),
device passwords are stable per device and differ between devices and secrets."""

from __future__ import annotations

import base64
import hashlib

from cityops.sensing.mqtt.auth import acl_file, device_password, password_file, password_line


def _verifies(line: str, password: str) -> bool:
    rest = line.split(":", 1)[1]
    _, kind, iterations, salt, hashed = rest.split("$")
    assert kind == "7"
    digest = hashlib.pbkdf2_hmac(
        "sha512", password.encode(), base64.b64decode(salt), int(iterations)
    )
    return base64.b64encode(digest).decode() == hashed


def test_a_password_line_verifies_with_its_password_only() -> None:
    line = password_line("AQ-001", "s3cret")
    assert line.startswith("AQ-001:$7$101$")
    assert _verifies(line, "s3cret")
    assert not _verifies(line, "s3cret!")


def test_device_passwords_are_stable_and_distinct() -> None:
    assert device_password("k1", "AQ-1") == device_password("k1", "AQ-1")
    assert device_password("k1", "AQ-1") != device_password("k1", "AQ-2")
    assert device_password("k1", "AQ-1") != device_password("k2", "AQ-1")
    assert len(password_file([("a", "x"), ("b", "y")]).splitlines()) == 2


def test_the_acl_lets_a_device_write_only_its_own_topic() -> None:
    acl = acl_file("ingest")
    assert "pattern write cityops/v1/devices/%u/telemetry" in acl
    assert "user ingest\ntopic read cityops/v1/devices/+/telemetry" in acl
