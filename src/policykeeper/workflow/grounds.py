"""Refusal grounds: the declared ones, plus the two the workflow itself may apply."""

from __future__ import annotations

from policykeeper.policy.models import Right
from policykeeper.policy.types import Text

SYSTEM_GROUNDS: dict[str, Text] = {
    "identity_not_verified": Text(
        ja="ご本人（または正当な代理人）であることを確認できなかったため",
        en="We could not verify that the request came from you or your authorised agent",
    ),
    "request_limit": Text(
        ja="一定期間内に請求できる回数の上限を超えたため",
        en="The number of requests allowed in the period has been reached",
    ),
    "not_corrected": Text(
        ja="ご請求の内容を確認した結果、訂正を行わないこととしたため（項目ごとの理由は下記のとおりです）",
        en="Having checked your request, we decided not to make the correction (the reason for "
        "each item is given below)",
    ),
}
"""Applied only by the workflow (a failed identity check, a declared limit, a correction staff
declined item by item with reasons), never chosen from a list by staff."""


def declared_ground(right: Right, ground_id: str) -> Text | None:
    return next((g.label for g in right.refusal_grounds if g.id == ground_id), None)


def ground_label(right: Right, ground_id: str) -> Text:
    return partial_ground(right, ground_id) or SYSTEM_GROUNDS.get(ground_id) or Text(en=ground_id)


WITHHELD_IN_PRINCIPLE = "withheld_in_principle"
"""The reason for a partial disclosure that withholds what the declaration withholds in
principle (ALLIN STUDIO: history and characteristic information), in the declaration's words."""


def partial_ground(right: Right, ground_id: str) -> Text | None:
    """The wording of a reason for withholding part of a disclosure: a declared refusal
    ground, or the declared statement of what is withheld in principle."""
    if ground_id == WITHHELD_IN_PRINCIPLE:
        return right.withheld
    return declared_ground(right, ground_id)
