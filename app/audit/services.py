import sqlalchemy as sa

from app.extensions import db

from .models import AuditEvent


def record(actor_id: int | None, action: str, subject_type: str, subject_id, **details) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it durable with the change."""
    event = AuditEvent(actor_id=actor_id, action=action, subject_type=subject_type,
                       subject_id=str(subject_id), details=details)
    db.session.add(event)
    return event


def events_for(subject_type: str, subject_id) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(AuditEvent.created_at)))
