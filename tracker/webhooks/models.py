"""Webhook endpoints an admin registers, and each delivery to them (the outbox)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.db import Base, enum_type


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed, or the URL is refused


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    #: The HMAC-SHA256 key: shown once to the admin, kept to sign each delivery.
    secret: Mapped[str] = mapped_column(sa.String(100))
    #: The events sent (`webhooks.events.EVENTS`).
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The admin allowed this URL's host although it is on a loopback, link-local or
    #: private network.
    allow_private: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )


class WebhookDelivery(Base):
    """One event for one endpoint. Written in the transaction of the step it tells of,
    so a step that rolls back is never announced and one that commits always is."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(sa.String(40))
    #: The JSON body, exactly as sent (and signed).
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)
