"""Japanese and English clause analysis: negation, qualifiers and word boundaries.

Japanese is tokenised with fugashi and the UniDic dictionary that unidic-lite ships, so nothing
is downloaded at run time. A clause is negative when its predicate is ("取得しません",
"共有することはありません"); "原則として" and "努めます" are qualifiers, kept with the value.
"""

from __future__ import annotations

import re
from functools import cache

import fugashi

_EN_NEGATION = re.compile(
    r"\b(?:not|never|no|nothing|neither|nor|avoid|avoids|avoiding)\b|n't\b", re.IGNORECASE
)
_EN_NOT_A_DENIAL = re.compile(
    r"\bdo[- ]not[- ]track\b|\bnot only\b|\bno longer than\b|\bnot (?:be )?(?:kept|retained|stored) (?:any )?longer than\b|\bwhether or not\b",
    re.IGNORECASE,
)
"""Words that look like a denial but deny nothing: the "Do Not Track" setting, "not only … but",
a limit ("no longer than 30 days" keeps data, for at most 30 days)."""
_JA_NOT_A_DENIAL = re.compile(
    r"(?:なければ|なくては|なくちゃ|ないと|ねば)(?:なら|なり|いけ)(?:ない|ず|ぬ|ません)"
    r"|明か(?:す|さ)(?:ことなく|ずに)"
    r"|ざるを得(?:ない|ません)|ずには(?:いられ|おかない)|トラッキング拒否|に限らず|のみならず|に(?:関わらず|かかわらず|拘らず)"
)
"""Obligations and other double negatives: 「提供しなければなりません」 is a duty to provide,
not a denial; 「トラッキング拒否」 names the Do Not Track setting; 「…に限らず」 means "not only"; 「…に関わらず」 "regardless of"; 「メールアドレスを明かすことなく」 ("without revealing") says what a
feature keeps private, not that the address is not collected."""
_EN_EXCEPTION = re.compile(
    r"\b(?:except|unless|notwithstanding|not fall under|other than|without (?:(?:the |your |user.s |obtaining )?(?:prior |express )?(?:consent|agreement|approval))|only (?:when|with|if|to the extent))\b",
    re.IGNORECASE,
)
_JA_EXCEPTION = re.compile(r"除き|除いて|場合を除|同意なく|同意を得ることなく|同意を得ずに|限り")
_EN_CLAUSE = re.compile(r";|\(|\)|｜|\||\bbut\b|\bhowever\b|\bwhereas\b", re.IGNORECASE)
_JA_CLAUSE = re.compile(r"。|；|（|）|\(|\)|｜|\||が、|ただし|但し|ものの")

AS_A_RULE = re.compile(
    r"as a (?:general )?rule|in principle|as a general matter|normally|typically|原則として|原則的に|原則、|通常",
    re.IGNORECASE,
)
BEST_EFFORTS = re.compile(
    r"endeavou?r|make (?:every )?efforts?|strive|commercially reasonable efforts|best efforts|努め|努力"
    r"|\b(?:we|will) (?:generally |always )?aim to\b",
    re.IGNORECASE,
)


@cache
def _tagger() -> fugashi.Tagger:
    return fugashi.Tagger()


def token_bounds(text: str) -> frozenset[int]:
    """Character offsets where a Japanese word starts or ends in `text`."""
    bounds = {0, len(text)}
    position = 0
    for word in _tagger()(text):
        start = text.find(word.surface, position)
        if start < 0:
            continue
        bounds.update({start, start + len(word.surface)})
        position = start + len(word.surface)
    return frozenset(bounds)


def clauses(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a sentence: negation and qualifiers apply within one."""
    splitter = _JA_CLAUSE if lang == "ja" else _EN_CLAUSE
    spans, start = [], 0
    for match in splitter.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def is_negative(clause: str, lang: str) -> bool:
    """Does the clause deny its predicate ('does not store', '取得しません', 'No third parties')?"""
    if lang != "ja":
        return bool(_EN_NEGATION.search(_EN_NOT_A_DENIAL.sub(" ", clause)))
    clause = _JA_NOT_A_DENIAL.sub("。", clause)
    words = list(_tagger()(clause))
    for index, word in enumerate(words):
        lemma = word.feature.lemma or word.surface
        if word.feature.pos1 == "助動詞" and lemma in {"ず", "ない", "ぬ"}:
            return True
        if word.feature.pos1 == "形容詞" and lemma in {"無い", "ない"} and index > 0:
            return True
        if word.surface in {"なし", "無し"}:
            return True
    return False


def is_exception_frame(clause: str, lang: str) -> bool:
    """'... except in the following cases', '同意なく…提供しません': a rule with exceptions."""
    return bool((_JA_EXCEPTION if lang == "ja" else _EN_EXCEPTION).search(clause))


def qualifiers(text: str) -> set[str]:
    found = set()
    if AS_A_RULE.search(text):
        found.add("as_a_rule")
    if BEST_EFFORTS.search(text):
        found.add("best_efforts")
    return found
