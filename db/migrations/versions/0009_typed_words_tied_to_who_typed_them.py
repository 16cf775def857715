"""typed words tied to who typed them: the Telegram id on unmet needs and reports of a change

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before this have no way back to who typed them: they stay as they are, and
    # retention blanks their words in time.
    for table in ("needs", "asset_reports"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_telegram_user_id"), ["telegram_user_id"], unique=False
            )


def downgrade() -> None:
    for table in ("asset_reports", "needs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_telegram_user_id"))
            batch_op.drop_column("telegram_user_id")
