from __future__ import annotations

from datetime import datetime

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.columns import UTCDateTime, utcnow
from app.extensions import db

ROLES = ("learner", "teacher", "ambassador", "leader", "admin")  # leader: reads the reports


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL OR username IS NOT NULL",
                           name="has_login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(15), unique=True)
    # A short login for someone with neither phone nor email (an ambassador's citizen): eight
    # characters from an alphabet without look-alikes, lower case (auth.services.parse_sign_in).
    username: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    group_slug: Mapped[str] = mapped_column(sa.String(40))
    province_code: Mapped[int] = mapped_column()
    commune_code: Mapped[int] = mapped_column(index=True)
    village: Mapped[str | None] = mapped_column(sa.String(120))  # thôn, bản, tổ dân phố: free text
    # The agency, school, enterprise… of the learner's commune they belong to (app/reports).
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"),
                                                index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="learner")
    # Set for accounts made from a roster with a one-time password: change it at first login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Someone with a right over the account (teacher, ambassador, admin) reset its password: the
    # next sign-in says who and when (read from the audit log), once.
    password_reset_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Part of the id in the session cookie; a new value at logout or password change makes
    # every copy of an old cookie (another phone, a stolen one) worthless.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(8),
                                               server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the person agreed to the processing stated at sign-up (None: made by a teacher's
    # roster or an ambassador, who state it on their behalf and the person confirms later).
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the person deleted their account: the row stays, anonymised, so issued
    # certificates (their snapshot) keep verifying and the province's counts stay right.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def get_id(self) -> str:
        return f"{self.id}-{self.session_nonce}"

    def end_sessions(self) -> None:
        """Invalidate every session of this account (commit to make it stick)."""
        self.session_nonce = secrets.token_hex(8)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        """One of `roles`; an admin counts for every role (admins may do everything)."""
        return self.role == "admin" or self.role in roles

    @property
    def login(self) -> str:
        return self.email or self.phone or self.username or ""

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login}>"
