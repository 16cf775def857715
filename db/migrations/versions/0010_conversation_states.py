"""conversation states: each person's place in a conversation, kept in the database

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "conversation_states",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", JSON, nullable=True),
        sa.Column("handled", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_conversation_states")),
    )
    op.create_index(
        op.f("ix_conversation_states_updated_at"), "conversation_states", ["updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_conversation_states_updated_at"), table_name="conversation_states")
    op.drop_table("conversation_states")
