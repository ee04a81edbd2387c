"""The privacy declaration: models, loading with located errors, taxonomy and checks."""

from policykeeper.policy.loading import load_policy
from policykeeper.policy.models import Policy

__all__ = ["Policy", "load_policy"]
