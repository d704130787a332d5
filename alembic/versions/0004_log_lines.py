"""log lines

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:25:46.237460
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace", sa.String(length=40), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("environment", sa.String(length=40), nullable=True),
        sa.Column("stream", sa.String(length=16), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("release", sa.String(length=16), nullable=True),
        sa.Column("replica", sa.String(length=128), nullable=True),
        sa.Column("build_id", sa.Uuid(), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_lines")),
    )
    with op.batch_alter_table("log_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_lines_build_id_id"), ["build_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_lines_ts"), ["ts"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_lines_workspace_app_id"), ["workspace", "app", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("log_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_lines_workspace_app_id"))
        batch_op.drop_index(batch_op.f("ix_log_lines_ts"))
        batch_op.drop_index(batch_op.f("ix_log_lines_build_id_id"))

    op.drop_table("log_lines")
