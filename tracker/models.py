"""Every model, imported in dependency order, so the metadata is complete."""

from tracker.agencies.models import Agency, AgencyGroup, AgencyKind, agency_group_member
from tracker.api.models import ApiRequestCount, ApiToken, IdempotentRequest
from tracker.assignments.models import (
    Assignment,
    ExtensionRequest,
    LateTally,
    ObligationTally,
    Period,
    Submission,
)
from tracker.audit import Event
from tracker.auth.models import LoginAttempt, User
from tracker.calendar.models import CalendarDay
from tracker.db import Base
from tracker.directives.models import Citation, Directive, ImportDraft, Indicator, Task
from tracker.documents.models import OutgoingDocument, RegisterCounter, ReportJob
from tracker.evidence.models import Evidence
from tracker.notifications.models import DigestSent, Notification, ReminderSent
from tracker.search.models import SearchEntry
from tracker.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agency",
    "AgencyGroup",
    "AgencyKind",
    "ApiRequestCount",
    "ApiToken",
    "Assignment",
    "Base",
    "CalendarDay",
    "Citation",
    "DigestSent",
    "Directive",
    "Event",
    "Evidence",
    "IdempotentRequest",
    "ExtensionRequest",
    "ImportDraft",
    "Indicator",
    "LateTally",
    "LoginAttempt",
    "Notification",
    "ObligationTally",
    "ReminderSent",
    "SearchEntry",
    "OutgoingDocument",
    "Period",
    "RegisterCounter",
    "ReportJob",
    "Submission",
    "Task",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "agency_group_member",
]
