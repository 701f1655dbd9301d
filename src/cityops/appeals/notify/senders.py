"""Senders: how a notification leaves the platform. `NotificationSender` is the protocol; the
default `OutboxRecorder` sends nothing (the row in `notifications` is the record, for the console
or a gateway polling it). A sender that delivers for real implements the protocol with
`delivers = True`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    channel: str  # sms | email
    recipient: str
    subject: str
    text: str


class NotificationSender(Protocol):
    """Deliver one message; raise on failure (the outbox row records the error)."""

    channel: str
    delivers: bool  # False: the outbox row is the whole delivery

    def send(self, message: Outgoing) -> None: ...


class OutboxRecorder:
    """The default: the message stays in the `notifications` table with status 'recorded'."""

    delivers = False

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: Outgoing) -> None:
        return None
