"""Alarms (告警) and their convergence (告警收敛): the alarm record with its independent ack and
clear flags, assignee, comments and history; the book that turns rule transitions and device
silences into decisions (new alarm, repeat count, clear, flapping, group alarm, suppression,
escalation); and the decision whether an alarm opens a case. Pure logic: the service stores the
alarms and acts on the decisions, calling this package through `public`."""
