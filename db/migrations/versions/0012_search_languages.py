"""search languages: the language the bot spoke counted with each search and kept with each need

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = ["day", "zone", "category", "answered"]


def upgrade() -> None:
    # Everything counted before this was counted without a language: it is taken as English.
    with op.batch_alter_table("search_tallies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), server_default="en", nullable=False))
        batch_op.drop_constraint("uq_search_tallies_day", type_="unique")
        batch_op.create_unique_constraint("uq_search_tallies_day", [*OLD_KEY, "language"])
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), server_default="en", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("language")
    # One counter per day, zone, need and outcome again: each language's counts are added into the
    # first of its counters and the others deleted, so no search is lost and the old key holds.
    same_key = " AND ".join(f"t.{column} = search_tallies.{column}" for column in OLD_KEY)
    first_of_each = f"SELECT MIN(id) FROM search_tallies GROUP BY {', '.join(OLD_KEY)}"
    op.execute(
        f"UPDATE search_tallies SET count = (SELECT SUM(t.count) FROM search_tallies t WHERE {same_key}) "
        f"WHERE id IN ({first_of_each})"
    )
    op.execute(f"DELETE FROM search_tallies WHERE id NOT IN ({first_of_each})")
    with op.batch_alter_table("search_tallies", schema=None) as batch_op:
        batch_op.drop_constraint("uq_search_tallies_day", type_="unique")
        batch_op.create_unique_constraint("uq_search_tallies_day", OLD_KEY)
        batch_op.drop_column("language")
