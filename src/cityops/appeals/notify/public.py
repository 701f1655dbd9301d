"""What the rest of cityops may use of citizen notifications (办理进度通知): the service built in
app.py as `platform.notify` and the notification record the console lists."""

from __future__ import annotations

from cityops.appeals.notify.service import NotificationView, NotifyService

__all__ = ["NotificationView", "NotifyService"]
