"""All tables, imported here so that Alembic and the tests see the whole metadata."""

from app.models.api_key import ApiKey, ApiKeyRegion
from app.models.audit import AuditEntry, IdempotencyRecord
from app.models.backlog import StaleSeries
from app.models.goal import Plan, Target
from app.models.history import GoalStatusHistory
from app.models.observation import Observation
from app.models.reference import Document, Indicator, Region
from app.models.tally import GoalStatusTally

__all__ = [
    "ApiKey",
    "ApiKeyRegion",
    "AuditEntry",
    "Document",
    "GoalStatusHistory",
    "GoalStatusTally",
    "IdempotencyRecord",
    "Indicator",
    "Observation",
    "Plan",
    "Region",
    "StaleSeries",
    "Target",
]
