"""Every table, importable from one place (Alembic and the data registry need them all)."""

from .commerce import Communication, ExternalRecord, Order, PaymentMethod
from .consent import ConsentEvent, ConsentState, NoticeVersion, PacingState
from .console import ConsoleCount, ConsoleWeek
from .messages import Campaign, OutboxMessage, UnsubscribeFeedback
from .people import AuditEvent, LoginSession, Person
from .requests import ErasureReceipt, RightsRequest, Suppression
from .staff import (
    STAFF_ROLES,
    ApiKey,
    StaffAudit,
    StaffRecoveryCode,
    StaffSession,
    StaffUser,
)

__all__ = [
    "ApiKey", "AuditEvent", "Campaign", "Communication", "ConsentEvent", "ConsentState",
    "ConsoleCount", "ConsoleWeek",
    "ErasureReceipt", "ExternalRecord", "LoginSession", "NoticeVersion", "Order",
    "OutboxMessage", "PacingState", "PaymentMethod", "Person", "RightsRequest", "STAFF_ROLES",
    "StaffUser",
    "StaffAudit", "StaffRecoveryCode", "StaffSession", "Suppression", "UnsubscribeFeedback",
]
