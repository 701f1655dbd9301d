"""Senders: how a notification leaves the platform. `NotificationSender` is the protocol; the
default `OutboxRecorder` sends nothing (the row in `notifications` is the record, for the console
or a gateway polling it); `SmsGatewaySender` and `SmtpEmailSender` deliver for real."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx


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


@dataclass(frozen=True)
class SmsGatewayConfig:
    """An HTTP SMS gateway that takes JSON {to, sign, text} with a bearer key."""

    url: str
    api_key: str
    sign_name: str = "城市运行"  # 短信签名
    timeout_seconds: float = 5.0


class SmsGatewaySender:
    channel = "sms"
    delivers = True

    def __init__(self, config: SmsGatewayConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client or httpx.Client(timeout=config.timeout_seconds)

    def send(self, message: Outgoing) -> None:
        response = self.client.post(
            self.config.url,
            json={"to": message.recipient, "sign": self.config.sign_name, "text": message.text},
            headers={"Authorization": f"Bearer {self.config.api_key}"},
        )
        response.raise_for_status()


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    sender: str  # From:
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_seconds: float = 10.0


class SmtpEmailSender:
    channel = "email"
    delivers = True

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, message: Outgoing) -> None:
        mail = EmailMessage()
        mail["From"] = self.config.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.text)
        cfg = self.config
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.username and cfg.password:
                smtp.login(cfg.username, cfg.password)
            smtp.send_message(mail)
