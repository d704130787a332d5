"""builds: cancel and timeout; scheduler locks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 18:29:17.004720
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_locks")),
    )
    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timeout_s", sa.Integer(), nullable=False, server_default=sa.text("900")))
        batch_op.add_column(sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.alter_column("timeout_s", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.drop_column("cancel_requested_at")
        batch_op.drop_column("timeout_s")

    op.drop_table("scheduler_locks")
