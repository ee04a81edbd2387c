"""Promise checks: the published policy, section by section, held against the running service.

Reads everything, changes nothing: a site scan in a real browser, a sampled scan of the
service's databases, and the evidence PolicyKeeper already records, each finding tied to the
policy section it tests and drafting the change that would make the policy true.
"""

from policykeeper.checks.pages import SitePlan, load_pages
from policykeeper.checks.report import Check, CheckReport
from policykeeper.checks.run import Outcome, run_checks

__all__ = ["Check", "CheckReport", "Outcome", "SitePlan", "load_pages", "run_checks"]
