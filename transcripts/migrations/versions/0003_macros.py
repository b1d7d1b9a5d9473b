"""A team's macro library

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "macro",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["mentor_group.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("macro", schema=None) as batch_op:
        batch_op.create_index("ix_macro_group", ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("macro", schema=None) as batch_op:
        batch_op.drop_index("ix_macro_group")
    op.drop_table("macro")
