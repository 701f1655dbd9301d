"""events by wire name, and the trace of each step

Revision ID: 0015
Revises: 0014

Outbox rows name their event by a stable wire name and version (`case.dispatched`, 1) instead of
its class name, so renaming a class no longer orphans events not yet delivered. Rows still
pending are rewritten here from the class names they were written with; the table of names is
copied, not imported, so this revision keeps meaning what it meant when it was written.

Case history lines, routing decisions and citizen notifications record the trace of the step
that wrote them: `correlation_id` (the request the chain began with) and `causation_id` (the
request itself, or the event that a handler acted on). Rows written before have none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIRE_NAMES = {
    "CaseReported": "case.reported",
    "CaseRegistered": "case.registered",
    "CaseRejected": "case.rejected",
    "CaseCancelled": "case.cancelled",
    "CaseMerged": "case.merged",
    "CaseDispatched": "case.dispatched",
    "CaseSigned": "case.signed",
    "CaseReturned": "case.returned",
    "CaseExtensionRequested": "case.extension_requested",
    "CaseExtensionDecided": "case.extension_decided",
    "CaseSuspended": "case.suspended",
    "CaseResumed": "case.resumed",
    "CaseSupervised": "case.supervised",
    "CaseHandled": "case.handled",
    "CaseVerified": "case.verified",
    "CaseReworked": "case.reworked",
    "CaseClosed": "case.closed",
    "CaseEvaluated": "case.evaluated",
    "CaseReopened": "case.reopened",
    "CaseOverdue": "case.overdue",
    "CaseReminded": "case.reminded",
    "CaseEscalated": "case.escalated",
    "DepartmentCreated": "org.department_created",
    "DepartmentUpdated": "org.department_updated",
    "UserCreated": "org.user_created",
    "UserUpdated": "org.user_updated",
    "UserDeactivated": "org.user_deactivated",
    "ApiTokenCreated": "org.api_token_created",
    "ApiTokenRevoked": "org.api_token_revoked",
}
TRACED = ("case_history", "routing_decisions", "notifications")


def upgrade() -> None:
    op.add_column("outbox", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    outbox = sa.table(
        "outbox", sa.column("name", sa.String), sa.column("dispatched_at", sa.DateTime)
    )
    for legacy, wire in WIRE_NAMES.items():
        op.execute(
            outbox.update()
            .where(outbox.c.name == legacy, outbox.c.dispatched_at.is_(None))
            .values(name=wire)
        )
    for table in TRACED:
        op.add_column(table, sa.Column("correlation_id", sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column("causation_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TRACED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("causation_id")
            batch.drop_column("correlation_id")
    outbox = sa.table(
        "outbox", sa.column("name", sa.String), sa.column("dispatched_at", sa.DateTime)
    )
    for legacy, wire in WIRE_NAMES.items():
        op.execute(
            outbox.update()
            .where(outbox.c.name == wire, outbox.c.dispatched_at.is_(None))
            .values(name=legacy)
        )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("version")
