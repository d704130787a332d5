"""sessions, login links, private clusters, workload statuses, release scale

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 17:54:56.859974
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_links_token_hash")),
    )
    with op.batch_alter_table("login_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_links_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "workload_statuses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("environment_id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("ready_replicas", sa.Integer(), nullable=False),
        sa.Column("desired_replicas", sa.Integer(), nullable=False),
        sa.Column("restarts", sa.Integer(), nullable=False),
        sa.Column("crash_looping", sa.Boolean(), nullable=False),
        sa.Column("last_exit_reason", sa.String(length=1024), nullable=True),
        sa.Column("cpu_millis", sa.Float(), nullable=True),
        sa.Column("memory_mb", sa.Float(), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_workload_statuses_cluster_id_clusters"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_workload_statuses_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_workload_statuses_release_id_releases"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workload_statuses")),
        sa.UniqueConstraint(
            "cluster_id", "environment_id", name=op.f("uq_workload_statuses_cluster_id_environment_id")
        ),
    )
    with op.batch_alter_table("workload_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workload_statuses_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workload_statuses_environment_id"), ["environment_id"], unique=False)

    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_clusters_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_clusters_workspace_id_workspaces"),
            "workspaces",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )

    # existing releases get the defaults they were cut with; the server defaults go once rows are filled
    scale = {"replicas": "1", "cpu_millis": "500", "memory_mb": "512"}
    with op.batch_alter_table("releases", schema=None) as batch_op:
        for name, default in scale.items():
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text(default)))
    with op.batch_alter_table("releases", schema=None) as batch_op:
        for name in scale:
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_column("memory_mb")
        batch_op.drop_column("cpu_millis")
        batch_op.drop_column("replicas")

    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_clusters_workspace_id_workspaces"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_clusters_workspace_id"))
        batch_op.drop_column("workspace_id")

    with op.batch_alter_table("workload_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workload_statuses_environment_id"))
        batch_op.drop_index(batch_op.f("ix_workload_statuses_cluster_id"))

    op.drop_table("workload_statuses")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    with op.batch_alter_table("login_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_links_user_id"))

    op.drop_table("login_links")
