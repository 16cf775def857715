"""All tables, imported here so Alembic and the personal-data walk see every one."""

from db.models.base import Base, personal_columns
from db.models.community import Broadcast, Delivery, Event, OutgoingMessage, Reminder, Rsvp
from db.models.conversation import ConversationState
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
    AssetReport,
    Introduction,
    Invite,
    Need,
    Offer,
    Opportunity,
    OpportunityInterest,
    Resident,
    Role,
    SearchTally,
    Volunteer,
)

__all__ = [
    "ACCESS_MODES",
    "ASSET_KINDS",
    "ASSET_STATUSES",
    "Asset",
    "AssetClassification",
    "AssetReport",
    "Base",
    "Broadcast",
    "CategoryCorrection",
    "ConversationState",
    "Delivery",
    "Event",
    "Introduction",
    "Invite",
    "Need",
    "Offer",
    "Opportunity",
    "OpportunityInterest",
    "Organisation",
    "OutgoingMessage",
    "Reminder",
    "Resident",
    "Role",
    "Rsvp",
    "SearchTally",
    "Volunteer",
    "personal_columns",
]
