"""Masking of personal data for display to roles that do not need it."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """138****1234 for mobiles; keep the first 3 and last 4 of any longer number."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str | None:
    """张** — keep the family name only."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)
