"""Where a learner stands with their group's confirmation, decided here and said the same way
on every page (home, /confirmation, the ambassador's): confirmed, revoked (with the reason),
or not yet; and whether the rules let them take it (again) now."""

from __future__ import annotations

from dataclasses import dataclass

from app.assessment.services import missing_requirements
from app.catalog import Catalog
from app.catalog.types import Assessment

from .models import Certificate
from .services import find_certificate


@dataclass(frozen=True)
class ConfirmationStanding:
    assessment: Assessment
    certificate: Certificate | None  # the valid confirmation, else the latest revoked one
    missing: tuple  # courses to finish before taking the assessment

    @property
    def confirmed(self) -> bool:
        return self.certificate is not None and not self.certificate.revoked

    @property
    def revoked(self) -> bool:
        return self.certificate is not None and self.certificate.revoked

    @property
    def may_take(self) -> bool:
        """Taking it (again) can earn the confirmation: none valid, the courses done."""
        return not self.confirmed and not self.missing


def confirmation_standing(user_id: int, assessment: Assessment,
                          catalog: Catalog) -> ConfirmationStanding:
    return ConfirmationStanding(
        assessment, find_certificate(user_id, assessment.slug, kind="confirmation"),
        tuple(missing_requirements(user_id, assessment, catalog)))
