"""Device credentials at the MQTT broker, without I/O: Mosquitto's password and ACL files.

A device signs in to the broker with its code as user name and a password derived from the
server's secret key (HMAC-SHA256 of the code): the same device always gets the same password, so
the file can be written again after devices are added without changing anyone's password, and
rotating the secret key rotates them all. The password file uses Mosquitto 2's format
(`user:$7$101$salt$hash`, PBKDF2-HMAC-SHA512, as `mosquitto_passwd` writes it); the ACL lets a
device publish only under its own code (`pattern write …/devices/%u/telemetry`) and the ingest
workers' user read the telemetry of all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable

from cityops.sensing.mqtt.topics import DEFAULT_PREFIX, telemetry_filter

ITERATIONS = 101  # mosquitto_passwd's default


def device_password(secret_key: str, code: str) -> str:
    """The MQTT password of device `code` (32 URL-safe characters)."""
    digest = hmac.new(secret_key.encode(), f"mqtt-device:{code}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode()[:32]


def password_line(user: str, password: str, salt: bytes | None = None) -> str:
    """One line of a Mosquitto 2 password file."""
    if ":" in user or "\n" in user:
        raise ValueError(f"an MQTT user name holds no ':' or newline: {user!r}")
    salt = salt if salt is not None else os.urandom(12)
    hashed = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
    return (
        f"{user}:$7${ITERATIONS}${base64.b64encode(salt).decode()}"
        f"${base64.b64encode(hashed).decode()}"
    )


def password_file(users: Iterable[tuple[str, str]]) -> str:
    """A password file for (user, password) pairs."""
    return "".join(password_line(user, password) + "\n" for user, password in users)


def acl_file(ingest_user: str | None, prefix: str = DEFAULT_PREFIX) -> str:
    """An ACL file: each device writes its own telemetry topic, the ingest user reads all."""
    lines = []
    if ingest_user:
        lines += [f"user {ingest_user}", f"topic read {telemetry_filter(prefix)}", ""]
    lines += [f"pattern write {prefix}/devices/%u/telemetry", ""]
    return "\n".join(lines)
