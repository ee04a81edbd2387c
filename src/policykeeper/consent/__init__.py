"""Consent: an append-only ledger, GPC and DNT, the banner, and the runtime check `allowed()`."""

from policykeeper.consent.catalog import Catalog
from policykeeper.consent.checker import ConsentChecker
from policykeeper.consent.export import consent_export
from policykeeper.consent.ledger import Ledger
from policykeeper.consent.middleware import ConsentMiddleware
from policykeeper.consent.reconsent import scope_changes
from policykeeper.consent.service import ConsentService, open_service

__all__ = [
    "Catalog",
    "ConsentChecker",
    "ConsentMiddleware",
    "ConsentService",
    "Ledger",
    "consent_export",
    "open_service",
    "scope_changes",
]
