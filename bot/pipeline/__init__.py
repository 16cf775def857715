"""How an update is handled: one unit of work per person's update, their conversation kept in the
database between updates (see application.py)."""
