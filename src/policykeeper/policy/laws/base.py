"""What a law is to PolicyKeeper: its clocks, its calendar, its fee rule, its checks of a
declaration and its section of the rendered policy, in one object. The workflow, validate and
the renderer ask the law; none of them names one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from policykeeper.policy.models import Fee, Policy, RequestLimit, RightKind
from policykeeper.policy.types import Duration, Text

if TYPE_CHECKING:
    from policykeeper.document import Line, Paragraph, Section
    from policykeeper.policy.checks import Finding
    from policykeeper.policy.source import Location


class SectionBuilder(Protocol):
    """What a law's policy section is built with: the renderer's Builder (render.build) for one
    language. Named here so that the laws import no renderer module (render asks the laws)."""

    policy: Policy
    cat: Any  # the language's message catalogue (render.catalog.Catalog)

    def say(self, key: str, **values: object) -> str: ...
    def t(self, value: Text | str | None) -> str: ...
    def phrase(self, text: str) -> str: ...
    def lines(self, value: Text | str | None) -> list[Line]: ...
    def paragraphs(self, value: Text | None) -> list[Paragraph]: ...
    def category_label(self, key: str) -> str: ...
    def recipient_name(self, recipient_id: str) -> str: ...
    def countries(self, codes: Any) -> str: ...
    def contact_line(self, contact: Any, contact_id: str = "") -> Line: ...
    def entity_lines(self, entity: Any) -> list[Line]: ...
    def authority_lines(self, authority: Any) -> list[Line]: ...
    def signals_paragraph(self) -> Paragraph: ...


@dataclass(frozen=True)
class Calendar:
    """Where business days are counted: a `holidays` country (and subdivision) and a time zone."""

    country: str | None
    timezone: str
    subdivision: str | None = None
    extra_holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class LegalClock:
    """The workflow's clock for every request under the law: `period` None is 'without delay',
    run on the configurable working period."""

    period: Duration | None
    extension: Duration | None
    acknowledgment: Duration | None
    acknowledgment_business_days: bool = False


@dataclass(frozen=True)
class StatutoryDeadline:
    """The law's answer time for one kind of request: `period` None means 'without delay'."""

    period: Duration | None
    extension: Duration | None
    acknowledgment: Duration | None
    acknowledgment_business_days: bool
    citation: Text


@dataclass(frozen=True)
class StatutoryFee:
    """Whether the law lets the business charge for this request."""

    allowed: bool
    citation: Text


@dataclass(frozen=True)
class LimitFloor:
    """The strictest limit on repeated requests the law lets a business declare."""

    kinds: frozenset[RightKind]
    limit: RequestLimit
    citation: str

    def allows(self, limit: RequestLimit) -> bool:
        """Whether a declared limit gives the person at least what the law guarantees."""
        return limit.count / max(limit.per.approx_days(), 1) >= self.limit.count / max(
            self.limit.per.approx_days(), 1
        )


@dataclass(frozen=True)
class SpecialCare:
    """How a law names a category of data it protects more: the citation validate quotes and
    the render catalogue's key for the term the policy uses."""

    citation: str
    term: str


class Law(ABC):
    """One law a declaration can name in `jurisdictions`. Subclass it, set the class
    attributes, override what the law adds, and `register` an instance."""

    key: ClassVar[str]
    """The value in a declaration's `jurisdictions` (and the enum member's name)."""
    name: ClassVar[Text]
    clock: ClassVar[LegalClock]
    calendar: ClassVar[Calendar]
    limit_floor: ClassVar[LimitFloor | None] = None
    record_keeping: ClassVar[dict[str, Duration]] = {}
    """How long the records the law asks for are kept, by record kind."""

    @abstractmethod
    def deadline(self, kind: RightKind) -> StatutoryDeadline | None:
        """The law's own answer time for `kind`; None where the law has no such request."""

    @abstractmethod
    def fee(self, kind: RightKind) -> StatutoryFee:
        """Whether the law lets a business charge for `kind`."""

    def special_care(self, key: str) -> SpecialCare | None:
        """Whether the law treats the taxonomy category `key` as special-care data."""
        return None

    def fee_findings(self, kind: RightKind, fee: Fee, location: Location) -> Iterator[Finding]:
        """What validate says of a declared fee (not 'free') for `kind` under this law."""
        return iter(())

    def checks(self, policy: Policy) -> Iterator[Finding]:
        """The law's own checks of a declaration that names it."""
        return iter(())

    def section(self, builder: SectionBuilder) -> Section | None:
        """The law's own section of the rendered policy, if it has one."""
        return None
