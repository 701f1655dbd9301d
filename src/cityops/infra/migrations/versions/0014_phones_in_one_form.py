"""phones in one form: reporters' phones and SMS recipients stored before intake normalised them

Revision ID: 0014
Revises: 0013

Since this revision every intake stores a phone the way `cases.model.normalized_phone` writes
it (full-width digits as ASCII; spaces, dashes and brackets dropped; an extension kept after one
dash), and every lookup asks in that form. Rows stored before may hold `0571-87654321` or
`138 1234 5678`: they are rewritten here, so the hotline finds a caller's earlier appeals. The
rule is copied, not imported, so this revision keeps meaning what it meant when it was written.
A recipient that would repeat one the case already has in the new form is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHARS = str.maketrans("０１２３４５６７８９－（）\u3000", "0123456789-() ")
_EXTENSION = re.compile(r"^(0[0-9]{2,3})-([0-9]{7,8})-([0-9]{1,6})$")
_CANONICAL = re.compile(r"^[0-9]+(-[0-9]{1,6})?$")


def _normalized(phone: str) -> str | None:
    text = "".join(phone.translate(_CHARS).split()).replace("(", "").replace(")", "")
    if not text:
        return None
    ext = _EXTENSION.fullmatch(text)
    if ext is not None:
        return f"{ext[1]}{ext[2]}-{ext[3]}"
    return text.replace("-", "")


def upgrade() -> None:
    conn = op.get_bind()
    cases = sa.table("cases", sa.column("id"), sa.column("reporter_phone"))
    for case_id, phone in conn.execute(
        sa.select(cases.c.id, cases.c.reporter_phone).where(cases.c.reporter_phone.is_not(None))
    ).all():
        if _CANONICAL.fullmatch(phone):
            continue
        conn.execute(
            cases.update().where(cases.c.id == case_id).values(reporter_phone=_normalized(phone))
        )
    recipients = sa.table(
        "notification_recipients",
        sa.column("id"),
        sa.column("case_id"),
        sa.column("channel"),
        sa.column("address"),
    )
    rows = conn.execute(
        sa.select(recipients.c.id, recipients.c.case_id, recipients.c.address)
        .where(recipients.c.channel == "sms")
        .order_by(recipients.c.id)
    ).all()
    kept = {(case_id, address) for _, case_id, address in rows if _CANONICAL.fullmatch(address)}
    for row_id, case_id, address in rows:
        if _CANONICAL.fullmatch(address):
            continue
        canonical = _normalized(address)
        if canonical is None or (case_id, canonical) in kept:
            conn.execute(recipients.delete().where(recipients.c.id == row_id))
            continue
        kept.add((case_id, canonical))
        conn.execute(recipients.update().where(recipients.c.id == row_id).values(address=canonical))


def downgrade() -> None:
    """Nothing to undo: the canonical form is a valid form of the same number."""
