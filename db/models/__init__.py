"""All tables, imported here so Alembic and the personal-data walk see every one."""

from db.models.base import Base, personal_columns, utcnow
from db.models.community import Broadcast, Delivery, Event, Reminder, Rsvp
from db.models.directory import (
    ACCESS_MODES,
    ASSET_KINDS,
    ASSET_STATUSES,
    Asset,
    AssetClassification,
    CategoryCorrection,
    Organisation,
)
from db.models.people import (
    Introduction,
    Need,
    Offer,
    Opportunity,
    OpportunityInterest,
    Resident,
    Role,
    Volunteer,
)

__all__ = [
    "ACCESS_MODES",
    "ASSET_KINDS",
    "ASSET_STATUSES",
    "Asset",
    "AssetClassification",
    "Base",
    "Broadcast",
    "CategoryCorrection",
    "Delivery",
    "Event",
    "Introduction",
    "Need",
    "Offer",
    "Opportunity",
    "OpportunityInterest",
    "Organisation",
    "Reminder",
    "Resident",
    "Role",
    "Rsvp",
    "Volunteer",
    "personal_columns",
    "utcnow",
]
