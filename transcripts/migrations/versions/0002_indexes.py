"""Indexes for latest grades and mark counts

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grade", schema=None) as batch_op:
        batch_op.create_index("ix_grade_session_latest", ["session_id", "id"], unique=False)

    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.create_index("ix_mark_grade_kind", ["grade_id", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.drop_index("ix_mark_grade_kind")

    with op.batch_alter_table("grade", schema=None) as batch_op:
        batch_op.drop_index("ix_grade_session_latest")
