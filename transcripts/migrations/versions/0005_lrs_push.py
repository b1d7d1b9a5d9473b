"""Grades sent to a learning record store

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lrs_push",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("lrs", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("statement_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("pushed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.ForeignKeyConstraint(["grade_id"], ["grade.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grade_id", "lrs"),
    )
    with op.batch_alter_table("lrs_push", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lrs_push_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lrs_push", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lrs_push_session_id"))
    op.drop_table("lrs_push")
