"""Rule-based extraction: sentences in, facts out, each fact citing its sentences.

Each extractor reads one sentence with its section (the headings above it) and says what it
states. Negation is checked per clause before anything is counted as collected: "the Company
does not store card numbers" is a negative promise, never a category. Nothing is inferred
beyond the words: a value the text does not state is simply not found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise

from ruamel.yaml import YAML

from policykeeper.draft import dates
from policykeeper.draft.facts import Extraction, Fact, merged
from policykeeper.draft.japanese import (
    clauses,
    is_exception_frame,
    is_negative,
    qualifiers,
    token_bounds,
)
from policykeeper.draft.text import Sentence, normalise, split_sentences

# --- what a section is about -------------------------------------------------------------

TOPICS: tuple[tuple[str, str], ...] = (
    ("purpose_change", r"change of (?:the )?purpose|利用目的の変更"),
    ("definitions", r"definition|定義"),
    ("minors", r"child|minor|未成年|児童|子ども|子供|\bage requirement|\bminimum age"),
    (
        "cookies",
        r"cookie|クッキー|tracking|information gathering module|情報収集モジュール|similar technolog",
    ),
    ("retention", r"retention|retain(?!ed personal)|how long|保存期間|保管期間|保持|保管"),
    (
        "transfer",
        r"international|transfers?\b|outside (?:the|japan)|abroad|外国|国外|越境|移転|欧州経済領域|国際的な転送",
    ),
    (
        "share",
        r"third part|sharing|\bshar|provision of|disclosure to|service providers?|recipients?|where your data is sent|第三者|共同利用|委託|共有|advertis|広告"
        r"|\bdisclos\w* (?:\w+ ){0,3}?to (?:outside|other|external) (?:parties|organi[sz]ations)|外部(?:に|へ)(?:の)?(?:情報(?:を|の))?(?:開示|提供)",
    ),
    (
        "rights",
        r"\brights?\b|requests? (?:about|regarding|for)|your requests|make a request|correction|deletion|suspension|disclosure of|開示|訂正|利用停止|権利|請求",
    ),
    (
        "security",
        r"security|safeguard|protect your|安全管理|セキュリティ|management of personal|保護方法|organi[sz]ation\b",
    ),
    (
        "changes",
        r"change|revision|amend|modification|変更|改定|改訂|(?:ポリシー|方針|通知|規約)の修正",
    ),
    ("contact", r"contact|inquir|窓口|お問い合わせ|問い合わせ|問合せ|連絡"),
    ("operator", r"who we are|about us|who (?:decides|is responsible)|事業者|運営者|誰が"),
    ("purpose", r"purpose|how we use|\bwhy\b|\buse of\b|利用目的|なぜ|使用方法|利用方法"),
    (
        "collect",
        r"collect|acquisition|acquir|obtain|information (?:we|provided|collected)|personal information|privacy information|user information|取得|収集|対象"
        r"|\b(?:data|information) (?:sent|transmitted|received)\b|what (?:data|information) (?:is|are|gets) (?:sent|transmitted)",
    ),
)


_POLICY_TITLE = re.compile(
    r"privacy (?:policy|notice|statement)|プライバシー(?:ポリシー|に関する通知|ステートメント|通知)"
)
"""The document's own title ("Websites, Communications & Cookies Privacy Notice") names the
whole policy, not the topic of each of its sentences."""


def topic_of(sentence: Sentence) -> str:
    """The topic of the nearest heading that has one ('' when none does)."""
    for index, heading in reversed(list(enumerate(sentence.section))):
        if (
            index == 0
            and _POLICY_TITLE.search(normalise(heading))
            and not re.search(r"chang|updat|revis|amend|変更|改定|改訂", normalise(heading))
        ):
            continue
        if re.match(r"(?i)^to [a-z]", heading) or heading.endswith(("のため", "ため")):
            return "purpose"
        topic = _topic(heading)
        if topic:
            return topic
    return ""


@cache
def _topic(heading: str) -> str:
    text = normalise(heading)
    for topic, pattern in TOPICS:
        if re.search(pattern, text):
            return topic
    return ""


# --- lexicon -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    key: str
    pattern: re.Pattern[str]
    lang: str


@cache
def _resource(name: str) -> dict:
    return YAML(typ="safe").load(files("policykeeper.draft").joinpath(name).read_text("utf-8"))


@cache
def category_terms() -> tuple[Term, ...]:
    terms = []
    for key, by_lang in _resource("lexicon.yaml")["categories"].items():
        for lang, patterns in by_lang.items():
            for pattern in patterns:
                wrapped = rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])" if lang == "en" else pattern
                terms.append(Term(key, re.compile(wrapped), lang))
    return tuple(terms)


@cache
def use_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (key, re.compile("|".join(patterns)))
        for key, patterns in _resource("lexicon.yaml")["uses"].items()
    )


@cache
def country_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (code, re.compile("|".join(patterns)))
        for code, patterns in _resource("lexicon.yaml")["countries"].items()
    )


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    kind: str
    tracker: bool
    pattern: re.Pattern[str]


@cache
def vendors() -> tuple[Vendor, ...]:
    return tuple(
        Vendor(
            vendor_id,
            entry["name"],
            entry["kind"],
            bool(entry.get("tracker")),
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(entry["patterns"]) + r")(?![a-z0-9])"),
        )
        for vendor_id, entry in _resource("vendors.yaml").items()
    )


def term_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of category terms in normalised text; the longest match wins."""
    found = []
    bounds: frozenset[int] | None = None
    for term in category_terms():
        for match in term.pattern.finditer(text):
            if match.end() == match.start():
                continue
            if term.lang == "ja" and match.end() - match.start() <= 2:
                bounds = bounds if bounds is not None else token_bounds(text)
                if match.start() not in bounds or match.end() not in bounds:
                    continue
            found.append((match.start(), match.end(), term.key))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, key in sorted(found, key=lambda m: -(m[1] - m[0])):
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, key))
    return sorted(kept)


# --- sentence patterns -------------------------------------------------------------------

_HANDLING = re.compile(
    r"\bneed (?:certain |some |your |this |the )?(?:information|data)\b|\b(?:be |are |is )?asked to (?:set|enter|create|choose)\b|の設定を求められ|\b(?:is|are) required to (?:use|register|sign up|create|log in)\b|\binfer(?:s|red|ring)?\b|\bdetermin(?:e|es|ed|ing)\b|"
    r"\b(?:collect|stor|record|keep|kept|retain|obtain|acquir|receiv|process|use[sd]?\b|using|track|profil|shar(?:e|es|ed|ing)\b|sell|sold|rent|disclos|provid|sen[dt]|transfer|submit|giv(?:e|en|ing) us\b|shown to\b|display|publish|(?:made |publicly )available)|取得|収集|回収|保存|保管|記録|保持|利用|使用|処理|受信|受け取|共有|販売|提供|開示|送信|分析|集計|公開|表示"
)
_SHARING = re.compile(
    r"\bshar(?:e|ed|ing)\b|\bdisclos|\bprovid(?:e|ed|ing) (?:\w+ ){0,6}to\b|\bforward(?:s|ed|ing)? (?:\w+ ){0,6}to\b|\bsen(?:ds?|t|ding) (?:\w+ ){0,6}(?:to|through)\b|"
    r"\buse (?:a |an |our )?(?:[\w-]+ ){0,3}?(?:service providers?|payment processors?|processors?)\b|(?:処理業者|委託先|プロバイダー?)を(?:使用|利用)|\btransfer|\bsell|\bsale\b|\brent\b|\bmade available to|\baccess to|提供|共有|開示|販売|送信|移転|送られ|委託|共同(?:で)?利用"
    r"|\bcontract(?:s|ed|ing)? with\b|(?<![様員人方たー][がは])(?:プロバイダー?|事業者|業者|企業|会社)と契約(?!して(?:いる|おられる|いただいている))"
    r"|\b(?:work(?:s|ed|ing)? with|use) (?:[\w-]+ ){0,3}?(?:vendors?|contractors?|suppliers?)\b"
    r"|(?:決済業者|処理業者|決済代行会社|決済(?:サービス)?プロバイダー?)(?:\s*\d+\s*社)?(?:[（(][^）)]{0,80}[）)])?を(?:通じて|通して|介して)"
)
_INSTRUCTION = re.compile(
    r"\byou should(?: not)?\b(?! (?:know|be aware|understand|read|review)\b)|\byou must not\b|\bplease do not\b|\bavoid uploading\b|\bshould avoid\b"
    r"|^[-*•・\s]*(?:please )?(?:use|choose|create|pick|set|make sure|ensure|remember|keep|never share|do not share|don.t share)\b(?! of\b)"
    r"|\b(?:we|it is) (?:strongly )?(?:recommend|advise|suggest)|\bbe sure to\b|(?<!to )(?<!we )\bmake sure\b"
    r"|\b(?:users?|learners?|coaches|admins?|administrators?|everyone|parents|students?) (?:should|must|need to|are (?:encouraged|advised) to)\b"
    r"|\bit is (?:important|recommended|advisable|a good idea|best|wise) to\b|\bwe encourage you to\b"
    r"|\bconsider (?:using|choosing|creating|setting|changing)\b|\b(?:please )?be (?:careful|cautious|mindful) (?:about|with|when|of)\b"
    r"|^(?:for (?:security|safety|your (?:own )?(?:security|safety|protection))|to (?:stay|keep (?:your account )?)(?:safe|secure)),? (?:please )?(?:always )?(?:use|choose|create|pick|set|keep|remember|protect|never|do not|don.t)\b"
    r"|\bit is your responsibility\b|\byou are responsible for (?:keeping|protecting|maintaining|securing|safeguarding)\b"
    r"|してはいけません|しないでください|禁止|(?<!注意)(?<!確認)(?<!了承)してください|しましょう|お勧めします|推奨します|推奨されます"
    r"|お勧めしています|推奨しています|推奨いたします|(?:皆様|お客様|あなた|ユーザー)(?:ご自身)?の責任(?:です|となります)"
)
"""Advice and instructions to the reader ("Use strong passwords", 「パスワードは推測されにくいものを
設定してください」): the data they name is the reader's business, not collected."""
_CREDENTIALS = frozenset({"user.authorization.password"})
_CREDENTIAL_ADVICE = re.compile(
    r"\b(?:strong|secure|unique|complex|memorable)\w* passwords?|\b(?:hard|difficult|easy) to guess|\bforg[eo]t(?:ten)? (?:your |a |their )?passwords?"
    r"|推測されにくい|推測されやすい|強力なパスワード|安全なパスワード|パスワードを(?:忘れ|お忘れ)"
)
"""How to choose or recover a password ("choose a strong password", "if you forget your
password"): advice about the reader's secret, never that the operator collects it."""
_KEPT_BY_US = re.compile(
    r"\b(?:collect|stor|record|keep|kept|retain|obtain|acquir|receiv|hash|encrypt|sav(?:e|ed|ing)\b|log(?:s|ged)?\b|process)"
    r"|\b(?:required|asked) to (?:provide|enter|submit|set|create|choose)\b|\bduring registration\b"
    r"|取得|収集|回収|保存|保管|記録|保持|受け取|受領|暗号化|ハッシュ|お預かり|管理|(?:提供|入力)する必要があります|登録時|登録の際"
)
"""Verbs that say the operator holds a secret: users 'use', 'enter' and 're-enter' passwords
without the operator keeping them, so a credential is drafted only with one of these."""
_CONTACT_LINE = re.compile(
    r"^(?:address|e-?mail(?: address)?|phone(?: number)?|tel|fax|company name|department|operator|representative|name|country|the service|住所|所在地|メール|電話|担当|代表者|会社名|事業者名|名称|国)\s*[:：]",
)
_ASK_US = re.compile(
    r"contact us|please contact|contact the|send (?:us )?an? e-?mail|send us (?:an? )?(?:e-?mail|message|letter|note|request|questions?)\b|email us|write to us|お問い合わせください|ご連絡ください|までご連絡|までお問い合わせ|メールを送信"
)
_LEAD_IN = re.compile(r"[:：]$|following|as follows|below|以下|次の|下記")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s)）」>,]+[^\s)）」>,.]")
_PHONE = re.compile(
    r"(?:tel|phone|telephone|電話|ＴＥＬ)\s*(?:number)?\s*[:：.]?\s*(\+?\d[\d()\s-]{7,}\d)|(\+81[\d()\s-]{8,}\d)|(?<!\d)(0\d{1,4}-\d{1,4}-\d{3,4})(?!\d)",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"〒\s?\d{3}-?\d{4}|\b\d{3}-\d{4}\b|L-\d{4}\b|\b[A-Z]-\d{4}\b"
    r"|\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s\d{5}(?:-\d{4})?\b"
)
"""A postal code: Japanese (〒100-0001), Luxembourg or other European (L-1234), or a US state and
ZIP code ("San Francisco, CA 94107")."""
_HOURS_JI = re.compile(
    r"(\d{1,2})\s*時\s*(?:(\d{2})\s*分)?\s*(?:〜|～|~|-|から)\s*(\d{1,2})\s*時\s*(?:(\d{2})\s*分)?"
)
"""Hours written 10時〜18時 (the house style 'ji'), read as 10:00-18:00."""
_HOURS = re.compile(
    r"(\d{1,2}[:：]\d{2})\s*(?:a\.?m\.?|p\.?m\.?)?\s*(?:to|-|~|〜|～|から)\s*(\d{1,2}[:：]\d{2})",
    re.IGNORECASE,
)
_ORG = re.compile(
    r"(?:\b(?:inc|corp|corporation|co\.,? ?ltd|ltd|llc|gmbh|s\.a|s\.à r\.l|sarl|kft|plc|limited|company|k\.k)\b\.?|株式会社|合同会社|有限会社|一般社団法人|公益財団法人)",
    re.IGNORECASE,
)
_SELF = re.compile(
    r"\(?(?:hereinafter(?: referred to as)?|the)?\s*[\"“](?:the )?(?:company|we|us|operator)[\"”]|[（(]以下「(?:当社|弊社|当法人|運営者)」",
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"[\"“「]([^\"”」]{2,40})[\"”」]\s*(?:\(|（)\s*(?:the |以下)?\s*[\"“「]?(?:the )?(?:service|本サービス)",
    re.IGNORECASE,
)


def _facts_for(kind: str, key: str, sentence: Sentence, value: object = None) -> Fact:
    return Fact(
        kind, key, value, [sentence], qualifiers(sentence.text) & _QUALIFIED.get(kind, set())
    )


_QUALIFIED = {
    "deadline": {"as_a_rule"},
    "changes": {"best_efforts"},
    "retention": {"as_a_rule"},
    "negation": {"best_efforts"},
    "fee": {"as_a_rule"},
}


# --- categories and negative promises ---------------------------------------------------


_SOURCES = (
    (
        "third_party_login",
        r"third.party account|sign up or log in|google or paypal|外部サービス.*連携",
    ),
    ("age_verification", r"age verification"),
    (
        "partners",
        r"from (?:the company.s |our )?partners|through (?:our )?(?:alliance )?partners|提携先(?:など)?から|third part(?:y|ies) (?:sources|advertising)|affiliated partners may contact",
    ),
    ("public", r"publicly available|social media|公開可能|公に入手"),
    (
        "provided",
        r"provided (?:directly )?by (?:the )?users?|you provide|provided by you|when (?:a user|you) registers?|register on|ask (?:you )?for|choose to provide|提供いただ|ご登録|登録の際|入力|you give us|share with",
    ),
    (
        "automatic",
        r"automatic|collected by us|when (?:the user|you) uses?|log data|(?:through|by|using) cookies|cookies and (?:similar|other)|自動|ログ|when you (?:use|browse|visit)",
    ),
)


def _source_of(sentence: Sentence) -> str:
    """How the data is obtained, from the sentence itself, else its lead-in, else its headings."""
    for context in (sentence.text, sentence.lead, " ".join(reversed(sentence.section))):
        folded = normalise(context)
        found = [name for name, pattern in _SOURCES if re.search(pattern, folded)]
        if found:
            return found[0]
    return "unstated"


def categories(sentence: Sentence, topic: str) -> Iterator[Fact]:
    if sentence.kind == "heading" or topic in {
        "contact",
        "changes",
        "minors",
        "security",
        "operator",
    }:
        return
    text = sentence.norm
    if _CONTACT_LINE.match(text) or _ASK_US.search(text) or _EMAIL.search(text):
        return
    if _INSTRUCTION.search(text) or _INSTRUCTION.search(normalise(sentence.lead)):
        return
    if _POINTER.search(text):
        return
    if topic == "rights" and not re.search(r"collect|取得", text) and not _PERMISSION.search(text):
        return
    if _table_row_denied(sentence):
        # "Biometric information ｜ Fingerprints, faceprints … ｜ NO": a row of a table of what
        # is collected whose "Collected" cell says no names data not collected
        for _, _, key in term_matches(text):
            yield _facts_for("negation", key, sentence, {"what": key, "clause": text})
        return
    if _LOCAL_ONLY.search(text):
        for _, _, key in term_matches(text):
            yield _facts_for("negation", key, sentence, {"what": key, "clause": text})
        return
    outer = ""
    for start, end in clauses(text, sentence.lang):
        clause = text[start:end]
        inner = start > 0 and text[start - 1] in "(（"
        context, outer = (outer + " " + clause if inner else clause), (outer if inner else clause)
        if inner and text[end : end + 1] in ";；":
            # a bracketed definition the sentence goes on after ("a Daily Key (an identifier
            # which … is unique to that Device; the same applies hereinafter) is … recorded"):
            # what the sentence says of the thing defined is said of what defines it
            context += " " + re.split(r"[)）]", text[end:], maxsplit=1)[-1]
        matches = term_matches(clause)
        if not matches:
            continue
        negative = is_negative(clause, sentence.lang) and not is_exception_frame(
            clause, sentence.lang
        )
        if negative and _LIMIT_NOT_DENIAL.search(clause):
            continue
        if (
            negative
            and (_HANDLING.search(clause) or re.search(r"\bcontain|\binclud|含ま", clause))
            and _negates_data(clause, matches, sentence.lang)
        ):
            for _, _, key in matches:
                fact = _facts_for("negation", key, sentence, {"what": key, "clause": clause})
                fact.qualifiers |= qualifiers(clause) & {"best_efforts"}
                yield fact
            continue
        if negative:
            continue
        if _READERS_OWN.match(clause) and not re.search(
            r"\b(?:us|we|our)\b|\b(?:provide|send|give|submit|share|upload)", clause
        ):
            continue
        if (
            not _listed_data(sentence)
            and topic not in {"collect", "definitions"}
            and not _HANDLING.search(_NAMED_SETTING.sub(" ", context))
        ):
            continue
        source = _source_of(sentence)
        for match_start, match_end, key in matches:
            if key in _CREDENTIALS and (
                _CREDENTIAL_ADVICE.search(text)
                or (sentence.kind != "item" and not _KEPT_BY_US.search(text))
            ):
                continue
            surface = sentence.text if sentence.kind == "item" and len(matches) == 1 else None
            label = surface or _surface(sentence.text, clause, match_start, match_end)
            yield Fact(
                "category",
                key,
                {"label": label, "labels": {sentence.lang: label}, "source": source},
                [sentence],
            )
            if topic in {"collect", "cookies", "definitions", ""}:
                yield Fact("obtained", f"{key}={source}", None, [sentence])


_POINTER = re.compile(
    r"^(?:\W*)(?:learn|read|find out) more about\b|について[、,]?[^。]{0,80}(?:をご覧ください|を参照してください|をお読みください)[。]?$"
)
"""A sentence that only points the reader elsewhere ("Learn more about Mozilla's cookies and
analytics", 「Mozilla の Cookie と分析…について、詳細をご覧ください」): it names data without saying
that this service handles it."""


_LOCAL_ONLY = re.compile(
    r"\b(?:stored|processed|kept|remains?|resides?|stays?)\b[^.]{0,40}\blocally\b|\b(?:solely|only) on your (?:device|computer)"
    r"|\bnever (?:sent|shared|transmitted|uploaded) (?:to|with) us\b|\bnot sent to (?:us|mozilla|our servers)"
    r"|端末(?:上|内)(?:に|で)(?:のみ)?(?:保存|処理)|ローカル(?:に|で)(?:保存|処理)|(?:当社|弊社)?(?:に|へ)送信されることはありません"
)
"""Data that stays on the reader's device ("your name, your email messages … are stored and
processed locally on your device and never sent to us"): named, never collected."""
_READERS_OWN = re.compile(r"^(?:\w+ ){0,3}?you (?:can|may|could|might)\b")
"""What the reader can do on their own ("You can open a classic window in the File menu of your
browser"): the data it names is not handled by the operator."""
_NAMED_SETTING = re.compile(r"do[- ]not[- ]track|トラッキング拒否")
"""A setting's name, not a statement that anything is tracked."""
_JA_PREDICATE_END = re.compile(r"(?:ます|ません|です|ました|でした|ください|する|される)[。.]?$")


_LIMIT_NOT_DENIAL = re.compile(
    r"(?:for )?any other purpose|other than|目的以外|\d+\s*(?:days?|months?|years?|日|か月|ヶ月|年)\s*(?:以上|を超えて)|more than (?:\w+|\[[^\]]{1,40}\]|%\{\w+\}s?|\{\{\s*\w+\s*\}\}) (?:days?|months?|years?)"
    r"|(?:ようにする|を防ぐ)には|\bto prevent\b"
    r"|\bif you (?:do not|don't|choose not to|decline to|refuse to)\b|\byou (?:are not required|do not have|don't have|do not need|don't need)\b"
    r"|(?:いただけ|され|し)ない場合|しない(?:ことも|ことを選ぶことも)(?:でき|可能)"
    r"|(?:他|別|その他)の目的|\bnot (?:\w+ )?publicly\b"
    r"|(?:でき|使用でき|利用でき)な(?:い|くなる)可能性|\b(?:may|might|will) not be able to\b|\bwon.t be able to\b"
    r"|\bin (?:a|any) (?:manner|way|form) that (?:could |would |can |might |may )?(?:personally )?identif"
    r"|\bfor (?:the purposes? of )?(?:their|its|such (?:third )?part(?:y|ies)'s?|third part(?:y|ies)'s?) (?:own )?(?:direct )?marketing"
)
"""Negative words that limit rather than deny: "we will not use that email address for any
other purpose", 「25 か月以上保持されることはありません」 (a retention limit), the reader's own
opt-out ("To prevent Google Analytics from collecting …") and the reader's own choice ("if you
do not provide an email address, …", 「ご提供いただけない場合」); what the reader may then be unable
to do (「…使用できない可能性があります」) and a limit on publishing ("we will not publicly share
Wi-Fi location data"); a limit on the form of what is shared ("share it with third parties …,
provided that we will not share such data in a manner that could identify you") or on its purpose
("Zulip does not disclose Personal Data to any third parties for the purpose of such parties'
direct marketing": it does disclose it to them for other purposes)."""


def _table_row_denied(sentence: Sentence) -> bool:
    """A row of a table with a column saying whether the data is collected ("Collected", "Do we
    collect it?", 「取得の有無」) whose cell in that column says no."""
    if sentence.kind != "item" or " ｜ " not in sentence.text or not sentence.section:
        return False
    columns = [normalise(c) for c in sentence.section[-1].split(" ｜ ")]
    cells = [normalise(c).strip(" .。*") for c in sentence.text.split(" ｜ ")]
    if len(columns) != len(cells):
        return False
    return any(
        re.search(r"\bcollect|取得", column)
        and not re.search(r"\b(?:categor|examples?|sources?|purposes?)\b|目的|項目", column)
        and re.fullmatch(r"no|none|not collected|いいえ|なし|無し|×|✗|✘", cell)
        for column, cell in zip(columns[1:], cells[1:], strict=True)
    )


def _listed_data(sentence: Sentence) -> bool:
    """A list item that names data ('Name, email address'), not a sentence in a bullet that
    merely mentions it ('Install the … Opt-out Browser Add-on')."""
    if sentence.kind != "item":
        return False
    if " ｜ " in sentence.text and _data_table(sentence):
        return True  # a row of a table of the data collected, its examples in a column
    text = _URL.sub("", sentence.norm).strip()
    if sentence.lang == "ja":
        short = len(text) <= 40 and not _JA_PREDICATE_END.search(text)
    else:
        short = len(text.split()) <= 8
    return short or _only_data_items(sentence)


_EN_NEGATED_VERB = re.compile(
    r"(?:\bnot\b|\bnever\b|n't\b|\bno\b|\bavoid\w*)\s+(?:\w+\s+){0,3}?(?:collect|stor|record|keep|retain|obtain|acquir|receiv|process|use|track|profil|shar|sell|rent|disclos|provid|sen[dt]|transfer|contain|includ)\w*"
)

_EN_NOT_USED_TO = re.compile(
    r"\b(?:not|never)\s+use\s+(?:\w+\s+){1,4}?to\s+(?:collect|stor|record|keep|retain|obtain|acquir|receiv|track|profil|shar|sell|disclos|provid|transfer)\w*"
)
"""A denial worded with the means first ("does not use the App to collect the App User's name,
date of birth, …"): the verb of handling is the one after "to", so the data follows it."""


def _negates_data(clause: str, matches: list[tuple[int, int, str]], lang: str) -> bool:
    """Is it the data that is denied ('does not store card numbers'), not something else
    ('never to publish the algorithms used to encrypt activity history')? In Japanese, what is
    named with に is where, not what: 「これらの Cookie に、個人を特定できる情報が保存されることは
    ありません」 denies nothing about cookies."""
    if lang == "ja":
        return not all(
            re.match(r"\s*(?:に|には|では)[、\s]", clause[end:]) for _, end, _ in matches
        )
    verb = _EN_NOT_USED_TO.search(clause) or _EN_NEGATED_VERB.search(clause)
    if verb is None:
        return bool(re.search(r"\bno\b", clause)) and all(start < 40 for start, _, _ in matches)
    after = clause[verb.end() :]
    return (
        any(
            verb.end() <= start and len(clause[verb.end() : start].split()) <= 6
            for start, _, _ in matches
        )
        or not after.strip()
    )


def _surface(original: str, clause: str, start: int, end: int) -> str:
    """The matched words as the source spells them (the match was on normalised text)."""
    folded = normalise(original)
    where = folded.find(clause)
    if where >= 0 and len(folded) == len(original):
        return original[where + start : where + end].strip()
    return clause[start:end].strip()


_PERMISSION = re.compile(
    r"\b(?:give|gives|grant|grants)\b[^.]{0,30}\bpermission to use\b|使用する許可を[^。]{0,20}与え"
)
"""The reader's leave to use what they submit ("By choosing to submit feedback, you give Mozilla
permission to use the feedback to improve its products"): the data and its purpose, even on a
page whose title speaks of rights ("About Your Rights")."""
_THIRD_PARTY_RIGHTS = re.compile(
    r"\b(?:infring|violat|misappropriat)\w* (?:the |any )?(?:\w+ )?rights? of (?:any |a )?third part"
    r"|第三者の(?:\w{0,6})?権利(?:も|を)?(?:侵害|害)"
)
"""What the reader promises not to do to others ("your content will not infringe the rights of
any third party", 「いかなる第三者の権利も侵害していない」): no statement about sharing data."""
_EXCLUDED_FROM_DENIAL = re.compile(
    r"^(?:this|that|it|the (?:above|foregoing)) (?:does|do|shall|will) not (?:include|apply to|cover) (?:the )?"
    r"((?:(?!(?:of|about|from|for|by|on|in|with|to)\b)[\w-]+ ){0,3}?(?:third[- ]part(?:y|ies)|service providers?|partners?|vendors?|processors?|contractors?|affiliates?))"
    r"(?=\s*(?:[,.;:()]|$)|\s(?:who|whom|whose|that|which|and|or|acting|with|to|as|under|on|we|if|when|so)\b)"
    r"|^(?:これ|この|上記|前記)(?:に|には)[、,]?[^。]*?((?:信頼(?:でき|され)る)?(?:第三者|委託先|業務委託先|サービスプロバイダー?|提携先|パートナー))(?:は|を)含(?:まれ|み|め)ません"
)
"""The parties a denial of transfer leaves out ("We do not sell, trade, or otherwise transfer …
your personally identifiable information. This does not include trusted third parties who
assist us in operating our site …", 「これには、…信頼できる第三者は含まれません」): the data does
go to them, so they are recipients, and the sentence denies nothing. The party is the head of
what is left out, never a word describing something else ("It does not apply to third-party
websites", "This does not include data about third parties")."""
_NO_SHARING = re.compile(
    r"share|shar(?:ed|ing)|sell|sold|sale|rent|disclos|provid|transfer|trade|pass|give|gave"
    r"|receiv|access|^\W*no third[- ]part(?:y|ies)\W*$|共有|販売|売却|提供|開示|譲渡|移転|渡|受け取|アクセス",
    re.IGNORECASE,
)
"""A verb of sharing in a denial that names third parties: "we are not responsible for third
parties", 「第三者のサービスについて当社は責任を負いません」 deny no sharing."""


_SCRUBBED = re.compile(
    r"(?:scrubbed|stripped|cleared|free) of (?:all |any )?personal (?:data|information)"
    r"|personal (?:data|information) (?:is|are) (?:removed|stripped|scrubbed)"
    r"|個人(?:データ|情報)(?:は|が)(?:取り除かれ|除去され|削除され)"
)
"""Reports "scrubbed of personal data", 「個人データは取り除かれます」: no personal information in
what is sent, said without a negative word."""


def negations(sentence: Sentence, topic: str) -> Iterator[Fact]:
    """'We do not sell personal information', 'No third parties', '第三者と共有することはありません'."""
    text = sentence.norm
    if _SCRUBBED.search(text):
        yield _facts_for(
            "negation", "personal information", sentence, {"what": "personal information"}
        )
    for start, end in clauses(text, sentence.lang):
        clause = text[start:end]
        if not is_negative(clause, sentence.lang) or is_exception_frame(clause, sentence.lang):
            continue
        if _EXCLUDED_FROM_DENIAL.search(text):
            continue  # "This does not include trusted third parties who …": they receive it
        if _LIMIT_NOT_DENIAL.search(clause):
            continue  # "Account information: You don't need an account to use the app."
        if re.search(r"\bsell\b|\bsale\b|\brent\b|販売|売却", clause):
            yield _facts_for("negation", "sale", sentence, {"what": "sale", "clause": clause})
        elif re.search(
            r"第三者に該当し|not (?:be )?(?:considered |deemed )?(?:a |as )?third part", clause
        ):
            continue  # APPI Art. 27(5): a successor or processor "is not a third party"
        elif (
            re.search(r"third part|第三者", clause)
            and _NO_SHARING.search(clause)
            and not _THIRD_PARTY_RIGHTS.search(clause)
        ):
            yield _facts_for(
                "negation",
                "third_party_sharing",
                sentence,
                {"what": "third_party_sharing", "clause": clause},
            )
        elif re.search(r"\baccount (?:data|information)\b|アカウントの(?:いかなる)?データ", clause):
            yield _facts_for(
                "negation", "user.account", sentence, {"what": "user.account", "clause": clause}
            )
        elif re.search(
            r"personal(?:ly)? (?:identif\w+ )?(?:information|data)|\bno (?:data|information)\b[^.]{0,30}personally identifiable|nothing personal|個人情報|個人データ|個人を(?:特定|識別)"
            r"|(?:\bnot|\bnever|n't) (?:\w+ ){0,4}?(?:collect|record|stor|obtain)\w* [^.]{0,200}\binformation (?:which|that) (?:enables|allows|permits) [^.]{0,60}\b(?:personally|individually) identif"
            r"|個人として(?:特定|識別)(?:可能|でき)る?な?情報(?:は|を)[、,]?(?:一切)?(?:取得|収集|記録|保存|保管)",
            clause,
        ) and re.search(
            r"collect|record|store|取得|収集|回収|記録|保管|保存|保持|nothing personal", clause
        ):
            fact = _facts_for(
                "negation",
                "personal information",
                sentence,
                {"what": "personal information", "clause": clause},
            )
            fact.qualifiers |= qualifiers(clause) & {"best_efforts"}
            yield fact


# --- purposes ----------------------------------------------------------------------------


def uses_of(text: str) -> list[str]:
    folded = normalise(text)
    found = [key for key, pattern in use_patterns() if pattern.search(folded)]
    return found or ["essential.service"]


_PURPOSE_SENTENCE = re.compile(
    r"\b(?:helps? us(?: to)?|(?:let|lets|allow|allows|enable|enables) us(?: to)?|to help|in order to|so that we|for the purposes? of|(?:is|are) used (?:to|for (?!(?:these|those|such|similar|the above|other|any)\b))|we use .{3,80}? to|in order for|for (?!(?:these|those|such|similar|the above|other|any)\b)[\w ,&-]{3,60} purposes|to (?:better |consistently |continually |continuously |further )?(?:improve|provide|detect|prevent|verify|respond|send|understand|personali[sz]e|analy[sz]e|promote|determine|deliver|operate|display|suggest|recommend)|helps? \w+ (?:to )?(?:determine|improve|understand|identify|prioriti[sz]e|measure|detect|prevent|decide)|to (?:contact|notify|inform) you|to communicate with you)\b|ために利用|の目的で|のために(?:利用|使用|収集)|ために[^。]{0,80}(?:利用|使用|収集|取得|受信|受け取)(?:し|する|いた|され|り|ま)|目的で(?:も)?[^。]{0,40}(?:利用|使用|収集|取得|処理)(?:し|する|いた|され)"
    r"|(?:する|させる|(?<![いあなれ])る|[つうくぐすむぶ])ため[、,][^。]{0,160}(?:利用|使用|収集|取得|受信|受け取|送信)(?:し|する|いた|され|り|ま)"
    r"|(?:でき|られ|け|せ|え)るように[、,][^。]{0,160}(?:利用|使用|収集|取得|保存|保管|集計|分析|作成|コンパイル)(?:し|する|いた|され|り|ま)"
    r"|^(?!(?:(?!を(?:使用|利用)して)[^。]){0,20}(?:お客様|ユーザー|利用者|会員|あなた|皆様|皆さま|ご本人|本人)(?:の皆様)?(?:が|は|も))[^。]{1,30}を(?:使用|利用)して[、,][^。]{4,160}(?<!でき)(?:しています|します|いたします|しております)[。]?$"
)

_DATA_HELPS = re.compile(
    r"^(?:this|these|it|that|the (?:data|information)|such (?:data|information)|this (?:data|information))"
    r" (?:also )?(?:helps?|allows?|enables?|lets?) (?:us|maintainers|(?:the|our) (?:team|developers|maintainers)|(?:[\w-]+ ){1,3}?(?=(?:to )?(?:understand|improve|determine|measure|prioriti[sz]e|decide|detect|prevent|evaluate|assess)\b))\b"
    r"|(?:これらの|この|当該|得られる)(?:情報|データ)(?:は|によって)[^。]{0,80}(?:(?:のに|ことに|に)(?:も)?役立ち|でき(?:ます|る)|可能に)"
    r"|^(?:これ|それ)(?:は|により|によって)[、\s]*[^。]{0,120}(?:のに|ことに)(?:も)?役立"
    r"|(?:改善|向上|改良|開発)に役立て(?:る|ます|られ)"
)
"""A sentence whose subject is the data just described and which says what it lets the
operator do ("This helps us and other researchers improve …", "The data helps maintainers
prioritise …", 「これらの情報は、…皆様とのコミュニケーションを図るのにも役立ちます」,
「レポートを送信することで…の改善に役立てることができます」): a purpose, though it names no verb
of handling."""
_PURPOSE_LEAD_IN = re.compile(
    r"(?:以下|次|下記)の(?:目的|用途)|following purposes|purposes (?:listed )?below"
)
"""A sentence that announces the purposes listed after it ("… for the following purposes")."""

_NOT_A_PURPOSE = re.compile(
    r"please (?:be aware|be advised|note|check|see|refer)|to learn more|for more (?:information|details)|"
    r"by giving your|上記の目的のために|詳細については|ご確認ください|follow the instructions|手順に従って|"
    r"^more details|その他の詳細|詳細はこちら|次のとおりです|以下のとおりです|"
    r"^in order (?:for you )?to (?:use|access|create|sign)\b|^[\w ]{2,40}? (?:allows|lets|enables) you to\b|"
    r"\b(?:agrees?|undertakes?) to (?:provide|send|notify|inform|respond|deliver)\b|"
    r"(?:^|[,;] )you (?:can|may) (?:also )?(?:install|opt|disable|turn|change|manage|control|set|choose|learn|visit|read|update|block|delete|decline)"
)
"""Pointers to more reading, and the reader's own choices ("To prevent Google Analytics from
collecting data …, you can install the … Add-on"), and what a party undertakes ("you agree to
provide the Instance with a written notice of Claim"): not what the operator uses data for."""
_LEGAL_BASIS = re.compile(
    r"(?:同意|正当な利益|契約の履行|法的義務)[。.]?$"
    r"|^(?:consent|legitimate interests?|performance of (?:a|the|our) contract|legal obligations?)\b[^.]{0,120}[.]?$"
)
"""The lawful basis beside a purpose in a table (「…オプトインした場合の同意。」, "Legitimate
interest in understanding usage."): the basis, not another purpose."""
_USES_THIRD_PARTIES = re.compile(
    r"(?:第三者|委託先|外部の事業者|サービスプロバイダー?)を(?:利用|使用)する"
    r"|\buse (?:a |an |our |certain |other )?(?:third[- ]part(?:y|ies)|service providers?|vendors|processors) to\b"
)
"""Why the operator engages others (「…を取り扱うために第三者を利用する場合があります」): a
recipient's task, not a purpose of the operator's own use of the data."""
_TITLE_LINK = re.compile(
    r"^[^.。:：]{1,80}?\s*\(https?://[^)\s]+\)(?:\s+(?:for|を対象とする)\b[^.。]{0,80})?$"
)
"""A list item that is a titled link ("Firefox Browser (https://…/privacy/firefox/)"): a pointer
to another notice, not a purpose."""


_SAFEGUARD_USED = re.compile(
    r"\buse (?:an? |the |industry[- ]standard )?(?:ssl|tls|https|encryption|firewalls?|secure sockets? layer|transport layer security)\b"
    r"|(?:ssl|tls|https|暗号化(?:技術|通信)?|ファイアウォール)(?:\s*\w{0,10})?を(?:使用|利用|採用|導入)"
)
"""A safeguard the operator uses ("We use SSL to encrypt communications", 「SSLを使用して、通信を
暗号化しています」): a security measure, not a purpose of using personal data."""


_THING_USED_TO = re.compile(
    r"^(?:the |a |an |our |this |its )?(?P<subject>[\w.`'-]+(?: [\w.`'-]+){0,5}) (?:is|are) (?:also )?used (?:to|for)\b"
)
"""What a tool is for ("The `dotnet` command is used to launch both apps and the .NET Core
Tools"): a description of the product, not a use of data, unless its subject names data."""


def _describes_a_thing(text: str) -> bool:
    match = _THING_USED_TO.match(text)
    if match is None:
        return False
    subject = match.group("subject")
    return (
        bool(_PRODUCT_HEAD.search(subject))
        and not term_matches(subject)
        and not re.search(
            r"\b(?:information|data|details|it|this|these|they|that|those|cookies?|logs?|records?)\b",
            subject,
        )
    )


_PRODUCT_HEAD = re.compile(
    r"`|\b(?:command|tool|cli|program|executable|binary|utility|script|installer|launcher|runtime"
    r"|framework|library|compiler|debugger|shell|terminal|editor|button|menu|toolbar)s?$"
)
"""The subject of "… is used to …" that names a piece of the product (a command, a tool, a button):
not "Google Analytics", "Web beacons", "Local storage" or "Session identifiers", whose use is a
use of data."""


_DENIED_USE_LEAD = re.compile(
    r"\b(?:will|shall|do|does|may|must|would|is|are)(?: not|n't| never)(?: be)? (?:use[sd]?|process(?:ed)?)\b"
    r"|\bnever (?:be )?(?:use[sd]?|process(?:ed)?)\b"
    r"|(?:利用|使用|処理)(?:しません|されません|いたしません|(?:する|される|いたす)こと(?:は|も)?(?:ありません|ございません|いたしません))"
)
"""A lead that denies the ways it lists ("Your information will never be used in any of the
following ways:", 「お客様の個人情報は、以下の方法で利用しません。」): its items are no purposes,
unless the lead limits use to them ("… for any purpose other than the following:", 「以下の目的
以外には利用しません」)."""


def purposes(sentence: Sentence, topic: str, has_purpose_section: bool) -> Iterator[Fact]:
    text = sentence.norm
    if (
        sentence.kind == "item"
        and _DENIED_USE_LEAD.search(normalise(sentence.lead))
        and not _LIMIT_NOT_DENIAL.search(normalise(sentence.lead))
        and not re.search(
            r"\b(?:except|unless|only)\b|以外|のみ|限り|限定", normalise(sentence.lead)
        )
    ):
        return  # "… will never be used in the following ways:"; not "… other than the following:"
    if _NOT_A_PURPOSE.search(text) or _EXAMPLE.match(text) or _LOCAL_ONLY.search(text):
        return
    if _SAFEGUARD_USED.search(text):
        return
    if sentence.lang == "en" and _describes_a_thing(text):
        return
    if _LEGAL_BASIS.search(text) or _USES_THIRD_PARTIES.search(text):
        return
    if sentence.kind == "item" and (
        _TITLE_LINK.match(sentence.text.strip()) or _other_topic_lead(sentence)
    ):
        return
    if (
        sentence.kind == "heading"
        and sentence.section
        and _PURPOSE_HEADING.search(normalise(sentence.section[-1]))
        and not _PURPOSE_HEADING.search(text)
    ):
        return  # what sits under a purpose heading ("Unique identifiers") is part of it
    if (
        sentence.kind == "heading"
        and (_PURPOSE_HEADING.search(text) or _completes_lead_in(sentence))
        and topic not in {"contact", "rights", "changes"}
    ):
        yield _purpose(sentence)
        return
    if topic == "purpose":
        if sentence.kind == "heading":
            own = _topic(sentence.text)
            if (
                (own in {"", "purpose"} or text.endswith("ため"))
                and not _LEAD_IN.search(text)
                and not _names_data(text)
            ):
                yield _purpose(sentence)
            return
        if (
            sentence.kind == "text"
            and sentence.section
            and _PURPOSE_HEADING.search(normalise(sentence.section[-1]))
        ):
            return
        if sentence.kind == "item" and not sentence.first:
            return
        if _LEAD_IN.search(text) or len(text) < 4:
            return
        if (
            is_negative(text, sentence.lang)
            and not re.search(r"ため|\bto\b", text[:12])
            and not _positive_main_clause(text, sentence.lang)
        ):
            return
        if _only_data_items(sentence):
            return
        consent = _CONSENT_OBTAINED.search(text)
        if consent and not _USE_AFFIRMED.search(
            text[: consent.start() + max(0, consent.group(0).rfind("obtain"))]
        ):
            return
        if (
            sentence.kind == "text"
            and not _PURPOSE_SENTENCE.search(text)
            and not _DATA_HELPS.search(text)
            and not re.search(r"^to |ため", text)
        ):
            return
        yield _purpose(sentence)
    elif (
        not has_purpose_section
        and sentence.kind != "heading"
        and (topic not in {"contact", "rights", "changes"} or _PERMISSION.search(text))
    ) and (
        (
            (_PURPOSE_SENTENCE.search(text) and _HANDLING.search(text))
            or _DATA_HELPS.search(text)
            or (sentence.kind == "item" and _ITEM_WITH_PURPOSE.search(text) and term_matches(text))
            or (sentence.kind == "item" and _USED_TO_LEAD.search(normalise(sentence.lead)))
        )
        and not is_negative(text, sentence.lang)
        and not _PURPOSE_LEAD_IN.search(text)
        and not re.search(r"(?:following|below|以下|次の)[^.。]*[:：]\s*$", text)
    ):
        yield _purpose(sentence)


_CONSENT_OBTAINED = re.compile(
    r"\b(?:will|shall|must|we)\b[^.]{0,120}\bobtain (?:\w+ ){0,2}consent (?:to|for|before)\b"
    r"|(?:明示的な|事前の|改めて)?同意を(?:取得|得)(?:します|いたします|る)[。]?$"
)
"""A sentence in a section about purposes that says consent will be obtained first ("… the
Ministry will, in advance and through the App, obtain explicit consent to (a) …", 「…について、
本アプリ上で改めて明示的な同意を取得します」): a condition of the use, not a purpose."""
_USE_AFFIRMED = re.compile(
    r"\b(?:we|i)\b(?: \w+){0,2} (?:use|process|collect)\b[^.;]*?\bto [a-z]+"
    r"|ため(?:に)?[、,]?[^。]{0,40}?(?:使用|利用|取得|収集)(?:し|する)"
)
"""A use affirmed before the consent («We will use your location to show nearby stores, and we will
obtain your consent before doing so», 「位置情報を近隣店舗の表示のために利用し、その際は事前に同意を取得します」):
the sentence states a purpose, and the consent is only its condition."""
_MAIN_AFTER_PURPOSE_JA = re.compile(
    r"ために[、,]([^。]*?(?:使用|利用|取得|収集)(?:します|いたします|しています))[。]?$"
)
_MAIN_BEFORE_PURPOSE_EN = re.compile(
    r"^((?:[\w,'’()-]+ ){1,12}?(?:uses?|processes|collects?|obtains?)\b[^.]*?),? (?:in order )?to [a-z]+"
)


def _positive_main_clause(text: str, lang: str) -> bool:
    """A purpose whose own words are negative («to ensure that a person who is not a Positive
    Tester is not registered», 「陽性者でない者が…登録をすることを避けるために、…を使用します」) said in a
    sentence whose main clause affirms the use: the negation is the purpose's, not the use's."""
    if lang == "ja":
        main = _MAIN_AFTER_PURPOSE_JA.search(text)
    else:
        main = _MAIN_BEFORE_PURPOSE_EN.match(text)
    return bool(main) and not is_negative(main.group(1), lang)


_ITEM_WITH_PURPOSE = re.compile(
    r"^[^(（]{2,60}[(（](?:to|in order to|so (?:that )?we can) [a-z][^)）]{4,}[)）]\s*$|^[^(（]{2,60}[(（][^)）]{4,60}ため[)）]\s*$"
)
"""A list item that names data and, in brackets, what it is for ("Facebook user id (to identify
the user)", 「国名（表示を調整するため）」): the bracket is a purpose."""

_USED_TO_LEAD = re.compile(
    r"\b(?:use|uses|using|collect|collects|process|processes) (?:[\w-]+ ){1,4}?to\s*[:：]$|(?:を|は)[^。]{0,30}(?:ために|目的で)(?:使用|利用)します[:：]$"
    r"|\b(?:be |is |are )?(?:used|processed) in (?:one or more of |one of |any of |some of )?the following ways\s*[:：.]?$"
    r"|(?:次|以下|下記)の(?:いくつかの)?(?:方法|用途)で(?:使用|利用)(?:され|し|いたし)[^。]{0,16}[。:：]?$"
    r"|(?:次|以下|下記)の(?:ような)?(?:目的|用途)(?:の範囲内|の範囲)?(?:で|に)(?:のみ)?(?:利用|使用)(?:し|いたし|され)[^。]{0,16}[。:：]?$"
    r"|(?:利用|使用)(?:する|の)目的は[、,]?\s*(?:次|以下|下記)の(?:とおり|通り)"
)
"""Items completing a lead "… also use cookies to:": each ("remember that you're logged in") is a
purpose; so are the items under an APPI-style lead that announces the purposes listed after it
(「…個人情報を、以下のような目的の範囲内で利用します」, 「当社が個人情報を利用する目的は、以下のとおりです」)."""

_PURPOSE_HEADING = re.compile(r"^to [a-z]|(?:の)?ため$|ため[（(][^）)]*[）)]$")
"""A heading that is itself a purpose ("To improve security", 「セキュリティを改善するため」); the
paragraphs under it describe that purpose (its list items may still be purposes of their own)."""
_EXAMPLE = re.compile(r"^(?:for example|for instance|e\.g\.|例えば|たとえば)")


def _completes_lead_in(sentence: Sentence) -> bool:
    """A heading under "Thunderbird Collects Data To:" or 「…のために:」 completes it: each such
    heading ("Improve Performance, Stability, and Functionality") is a purpose."""
    parent = normalise(sentence.section[-1]) if sentence.section else ""
    return bool(
        re.search(
            r"\b(?:collects?|uses?|process(?:es)?|shares?|sends?) (?:\w+ ){0,3}(?:to|for)\s*[:：]$|(?:ため|目的)(?:に|で)?\s*[:：]$",
            parent,
        )
    ) and not _names_data(normalise(sentence.text))


def _other_topic_lead(sentence: Sentence) -> bool:
    """An item under a label of another topic ("Retention and deletion:", "Data protection on
    your device:") says how data is kept or protected, not what it is used for."""
    lead = normalise(sentence.lead)
    return bool(
        lead.endswith((":", "："))
        and len(lead) <= 60
        and _topic(lead) in {"retention", "security", "rights", "share", "changes", "contact"}
    )


def _names_data(text: str) -> bool:
    """A heading that names data ('技術データ', 'Location information'), not a purpose."""
    covered = sum(end - start for start, end, _ in term_matches(text))
    return covered >= 0.45 * len(text) or bool(
        re.search(r"(?:データ|情報|\bdata|\binformation)$", text)
    )


def _purpose(sentence: Sentence) -> Fact:
    text = (
        re.sub(r"^(?:\d+[.)]|第\d+条)\s*", "", sentence.text)
        if sentence.kind == "heading"
        else sentence.text
    )
    label, _, description = text.partition(":")
    if not description.strip() or len(label) > 60:
        # "To improve our site — we continually strive to …": the words before the dash name it
        dash = re.search(r"\s+[—–]\s+", text)
        label, description = (text[: dash.start()], text[dash.end() :]) if dash else (text, "")
    if not description.strip() or len(label) > 60:
        label, description = text, ""
    return Fact(
        "purpose",
        normalise(re.sub(r"\s*\(https?://[^)\s]+\)", "", sentence.text)),
        {
            "label": label.strip(),
            "description": description.strip(),
            "uses": uses_of(sentence.text),
        },
        [sentence],
    )


def _only_data_items(sentence: Sentence) -> bool:
    """An item that lists data ('Name, date of birth, address'), not a purpose."""
    if sentence.kind != "item":
        return False
    text = sentence.norm
    if re.match(r"^(?:to |for |in order|we (?:may )?use|upon |when )", text) or re.search(
        r"ため[にの]?", text
    ):
        return False
    covered = sum(end - start for start, end, _ in term_matches(text))
    return covered >= 0.45 * len(re.sub(r"[\s,、・/()（）]", "", text)) or bool(
        re.match(r"^(?:information to use|data used|利用する情報)", text)
    )


# --- recipients, vendors, exceptions ----------------------------------------------------

_GENERIC_RECIPIENT = re.compile(
    r"(?:to|with|by|through one of|through)\s+(?:the\s+|our\s+|certain\s+|other\s+|any\s+|selected\s+|trusted\s+|an?\s+)?((?:[a-z][\w.-]*\s){0,3}?(?:service providers?|providers?|partners?|developers?|creators?|compan(?:y|ies)|processors?|advertisers?|affiliates?|authorities|agencies|banks?|institutions?|applications?|organi[sz]ations?|webmasters?|group companies|entities|service|administrators|coaches|foundation|equality|law enforcement|researchers|(?<=the )community|contractors|suppliers|successors|vendors))\b"
    r"|\buse (?:a |an |our )?((?:[\w-]+ ){0,3}?(?:service providers?|payment processors?|processors?|vendors?|contractors?))\b"
    r"|\bto (?:a |an |the )?(third[- ]party (?:[\w-]+ ){0,3}?[\w-]+)(?= \(| (?:on|for|to|in|with|that|who|which|and|or)\b|[,.;]|$)"
)
_GENERIC_RECIPIENT_JA = re.compile(
    r"(?:^|(?<=[、。はをが「」\s]))([^、。はをが「」\s]{0,20}?(?:事業者|会社|提供者|開発者|企業|パートナー|提携先|委託先|機関|当局|サービスプロバイダー|プロバイダー|金融機関|サードパーティサービス|外部サービス))(?:に|へ|と)(?:対し(?:て)?)?(?:[^。]{0,20})?(?:提供|共有|送|開示|委託|移転|共同(?:で)?利用)"
    r"|(?:^|(?<=[、。はをが「」\s]))(?<![様者員人方たー][がは])([^、。はをが「」\s]{0,20}?(?:事業者|業者|会社|企業|サービスプロバイダー|プロバイダー))と契約(?!して(?:いる|おられる|いただいている))"
    r"|(?:^|(?<=[、。はをが「」\s]))([^、。はをが「」\s（(]{0,20}?(?:決済業者|処理業者|決済代行会社|決済(?:サービス)?プロバイダー?))(?:\s*\d+\s*社)?(?:[（(][^）)]{0,80}[）)])?を(?:通じて|通して|介して)"
    r"|(?:^|(?<=[、。はをが「」\s]))([^、。はをが「」\s]{0,20}?(?:処理業者|決済業者|委託先|サービスプロバイダー|プロバイダー))を(?:使用|利用)"
)
_KIND = (
    (
        "joint_use",
        r"jointly (?:use|utili[sz])|共同(?:で)?利用|share (?:personal|user) information (?:of user )?with (?:the following )?affiliate partner|共同管理者",
    ),
    (
        "business_succession",
        r"merger|business succession|transfer(?:ring)? (?:of )?(?:our |the )?business|事業(?:の)?(?:承継|譲渡)|合併|業務移管",
    ),
    (
        "entrustment",
        r"outsourc|entrust|on (?:our|its) behalf|service providers?|processors?|hosting|委託|プロバイダー|処理業者",
    ),
)
_EXCEPTIONS = (
    ("state_cooperation", r"state organ|local government|国の機関|地方公共団体"),
    (
        "opt_out",
        r"notified or announced in advance|opt-out procedure|stopping the provision|オプトアウト|本人の求めに応じて.*停止",
    ),
    ("entrustment", r"\bentrusts? (?:all|the)|outsourc|委託"),
    (
        "business_succession",
        r"merger|business succession|transferring our business|事業の承継|合併",
    ),
    ("joint_use", r"jointly utili[sz]ed|jointly used|used jointly|共同して利用|共同利用"),
    ("public_health_children", r"public health|sound nurturing of children|公衆衛生|児童の健全"),
    (
        "life_body_property",
        r"life, body,? or property|life or property|life, body|生命[、・]身体|生命又は財産|生命または財産",
    ),
    (
        "protect_rights",
        r"protect (?:the company's|our|its)|protect or defend|legal actions? against|rights, property|権利.{0,10}保護",
    ),
    (
        "law",
        r"based on (?:relevant )?laws|required by law|laws and regulations|court|police|法令(?:の規定)?に基づ|法令に特別|裁判所|警察",
    ),
)


_NO_RECIPIENT_TOPICS = {"contact", "definitions", "rights", "changes", "minors"}
_USES_TO_HANDLE = re.compile(
    r"(?i)\bwe (?:also )?use\b.{0,400}?\bto (?:handle|manage|process|host|store|send|e-?mail|administer|deliver)"
    r"|を利用し.{0,80}?(?:処理|管理|取り扱|扱|受付|保管|送信)|(?:処理|管理|取り扱|扱|受付|保管|送信).{0,300}?を利用"
)
_LINKED_NAME = re.compile(r"([A-Z][\w.]*(?: [A-Z][\w.]*){0,3}) \(https?://[^)\s]+\)")
"""Services the operator says it uses to handle data, each named with its link: "We use
Greenhouse (…) to handle employment applications", 「…の処理にあたって、Greenhouse (…) を利用し」."""


def _named_processors(sentence: Sentence) -> list[str]:
    if not _USES_TO_HANDLE.search(sentence.text):
        return []
    known = [v for v in vendors()]
    names = []
    for match in _LINKED_NAME.finditer(sentence.text):
        name = match.group(1).strip()
        if any(v.pattern.search(normalise(name)) for v in known):
            continue  # a catalogued vendor is named by the catalogue
        names.append(name)
    return names


_NAME = r"[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,3}"
_SENT_TO_NAME = re.compile(
    rf"\b(?:shares?|shared|sharing|disclos\w*|sends?|sent|transmit\w*|forward\w*|partner(?:s|ed)?)\b"
    rf"(?: [\w'’,]+){{0,6}}? (?:with|to) (?:our partner )?({_NAME}(?:,? (?:and|&) {_NAME})?)"
    rf"|\bour partners? ({_NAME})"
    rf"|\b[Ww]e use ({_NAME}) to (?:provide|facilitate|host|process|store|send|deliver|handle|run|serve|operate)\b"
    rf"|\bstored (?:on (?:the )?servers )?(?:at|with|by) ({_NAME})"
    rf"|\bour (?:[\w-]+ )?(?:providers?|processors?|vendors?) ({_NAME}(?:,? (?:and|&) {_NAME})?)"
)
_NAME_RECEIVES = re.compile(
    rf"(?:^|[.:;,] )({_NAME}) (?:also |will |may |then )*receives? (?:and \w+ )?(?:your|the|this|these|such|basic)\b"
)
"""An organisation the text says receives the reader's data ("Amazon receives and interprets
your voice data", "Mullvad receives your internet traffic"): a recipient unless it is the
operator or its product."""
_SENT_TO_NAME_JA = re.compile(
    r"([A-Za-z][\w.&'-]*(?: [A-Za-z][\w.&'-]*){0,3})\s*(?:と(?:共有|提携)|に(?:送信|提供|開示|転送))"
    r"|(?:プロバイダー?|処理業者|委託先|パートナー|提携先)である\s*"
    r"([A-Za-z][\w.&'-]*(?: [A-Za-z][\w.&'-]*){0,3}(?:\s*(?:および|及び|ならびに|または|又は|もしくは|と|、)\s*[A-Za-z][\w.&'-]*(?: [A-Za-z][\w.&'-]*){0,3})*)"
)
"""Names where data is sent (「Adjust と共有」) or named in passing as the operator's providers
(「Mozilla のメールプロバイダーである SalesForce および Amazon」)."""
_LINKED_ITEM = re.compile(r"^(" + _NAME + r")[.。]?\s*(?:\(https?://[^)\s]+\)|$)")
_NOT_A_NAME = frozenset(
    {
        "we",
        "our",
        "us",
        "you",
        "your",
        "the",
        "this",
        "these",
        "that",
        "it",
        "they",
        "learn",
        "read",
    }
)


_USES_NAMED_SERVICE = re.compile(
    r"\b[Uu]s(?:es|ing) ((?:[A-Z][\w-]* ){1,4}(?:Service|Services|API))\b"
    r"|((?:[A-Z][\w-]* ){1,4}(?:Service|Services|API))\s*を(?:使用|利用)"
)
"""An outside service a feature uses by name ("Uses Mozilla Location Service: Privacy Policy",
「Mozilla Location Service を使用します」): what the feature handles goes to it."""


def _named_recipients(
    sentence: Sentence, title: str, handlers: frozenset[str] = frozenset()
) -> list[str]:
    """Organisations named where the text says data goes to them: "Mozilla shares this with
    Adjust", "send it to Mullvad", "partnered with Gandi.net and Mailfence", 「Adjust と共有」,
    or a list item that starts with a linked name under "We use:" or "We support the following
    providers:". A name in the policy's own title (the operator's product) is not drafted; a
    catalogued vendor is, here where the text says data goes to it ("shared with Twitter")."""
    found: list[str] = []
    if _SHARING.search(sentence.norm) or re.search(
        r"partner|提携|\bour (?:[\w-]+ )?(?:providers?|processors?|vendors?) [a-z]|(?:プロバイダー?|処理業者|委託先|パートナー)である"
        r"|\bwe use [a-z][\w.-]* to|\bstored (?:on (?:the )?servers )?(?:at|with|by) ",
        sentence.norm,
    ):
        pattern = _SENT_TO_NAME_JA if sentence.lang == "ja" else _SENT_TO_NAME
        for match in pattern.finditer(sentence.text):
            if re.search(
                r"\byou\b(?!.*\bwe\b)",
                normalise(sentence.text[max(0, match.start() - 40) : match.start()]),
            ):
                continue  # the reader shares ("you communicate to and/or share with AI Models")
            clause = next(
                (
                    sentence.text[a:b]
                    for a, b in clauses(sentence.text, sentence.lang)
                    if a <= match.start() < b
                ),
                sentence.text,
            )
            if is_negative(normalise(clause), sentence.lang):
                continue
            group = next(g for g in match.groups() if g)
            found += [
                n.strip(" ,.")
                for n in re.split(
                    r",? (?:and|&) |\s*(?:および|及び|ならびに|または|又は|もしくは|、)\s*|\s+と\s+",
                    group,
                )
            ]
    found += [next(g for g in m.groups() if g) for m in _USES_NAMED_SERVICE.finditer(sentence.text)]
    if sentence.lang == "en":
        found += [
            m.group(1)
            for m in _NAME_RECEIVES.finditer(sentence.text)
            if normalise(m.group(1)) not in handlers
        ]
    linked = _LINKED_ITEM.match(sentence.text.strip())
    if (
        linked
        and sentence.kind == "item"
        and re.search(
            r"\bwe use\b|使用して|利用して|\b(?:following|these) (?:\w+ )?(?:providers|partners|services|processors|vendors|companies)\b",
            normalise(sentence.lead),
        )
    ):
        found.append(linked.group(1).strip(" ."))
    title = normalise(title)
    names = []
    for name in found:
        folded = normalise(name)
        if (
            len(folded) < 3
            or folded.endswith("'s")
            or folded.split()[0] in _NOT_A_NAME
            or (title and re.sub(r"'s$", "", folded.split()[0]) in title)
        ):
            continue
        names.append(name)
    return list(dict.fromkeys(names))


_RECIPIENT_LABEL = re.compile(
    r"^(?:other |our )?(?:(?!(?:shared?|disclosed|sent|transferred|provided|made|with|to)\b)[\w/-]+,? ){0,4}?(?:service providers?|providers|partners|parties|processors"
    r"|vendors|affiliates|advertisers|authorities|users|administrators|consultants|contractors)"
    r"(?: (?:you|we) [\w ,]{1,40})?\.?$"
)
"""A kind of recipient as the label of a list item or table cell, a noun phrase and nothing
more: "Analytics Partners.", "Hosting, technology and communications providers.", "Parties You
Authorize, Access or Authenticate.", "- Service Providers"; not what is shared with them
("Content shared with other users.")."""


def _labelled_recipients(sentence: Sentence, topic: str) -> list[str]:
    """Kinds of recipients a sharing section lists as items' labels ("**Business Partners.**
    These parties may include: …"), and the cells of a table's recipients column (a table of the
    data collected whose column says "Categories of Third Parties With Whom We Share this
    Personal Data")."""
    if sentence.kind != "item" or is_negative(sentence.norm, sentence.lang):
        return []
    header = sentence.section[-1] if sentence.section else ""
    if " ｜ " in sentence.text:
        columns = [normalise(c) for c in header.split(" ｜ ")]
        if len(columns) < 2 or not any(
            re.search(r"third parties|recipients?|shared? (?:it )?with|disclosed to|提供先", c)
            for c in columns[1:]
        ):
            return []
        cells = [c.strip(" -・") for c in sentence.text.split(" ｜ ")[1:]]
        return [c for c in cells if _RECIPIENT_LABEL.match(normalise(c))]
    if topic != "share" or not sentence.first or sentence.lang == "ja":
        return []
    announcing = _announcing(sentence.lead) if sentence.lead else ""
    if is_negative(announcing, sentence.lang) and re.search(
        r"[:：]$|following|\b(?:share|disclos|transfer|provide|give|send)", announcing
    ):
        # "We do not share your personal information with: - Advertisers" (a lead closing on
        # "We do not sell Personal Data." still announces who receives it)
        return []
    label = sentence.text.strip()
    return [label.rstrip(".")] if _RECIPIENT_LABEL.match(normalise(label)) else []


def _data_table(sentence: Sentence) -> bool:
    """A table whose first column names the data (「Category of Personal Data ｜ Examples …
    ｜ Categories of Third Parties …」): its rows' first cells are no recipients."""
    header = sentence.section[-1] if sentence.section else ""
    first = normalise(header.split(" ｜ ")[0]) if " ｜ " in header else ""
    return bool(re.search(r"categor|\bdata\b|information|データ|情報", first)) and not re.search(
        r"third part|recipient|provider|partner|提供先", first
    )


def _table_row_recipient(sentence: Sentence, topic: str) -> str | None:
    """A table under a sharing heading whose first column names who receives data
    ("Authorities ｜ Mozilla requires a valid Legal Process …")."""
    if topic != "share" or sentence.kind != "item" or " ｜ " not in sentence.text:
        return None
    if _data_table(sentence):
        return None
    first = sentence.text.split(" ｜ ")[0].strip()
    if len(first) > 60 or _HANDLING.search(normalise(first)) or term_matches(normalise(first)):
        return None
    return first


def _recipient_fact(sentence: Sentence, kind: str, name: str) -> Fact:
    value = {"name": name, "kind": kind, "purpose": None, "countries": countries_in(sentence.text)}
    return Fact("recipient", f"{kind}:{normalise(name)}", value, [sentence])


_USES_VENDOR = re.compile(r"\b(?:use|uses|using)\s+$")
_TO_HANDLE = r"\bto (?:receive|forward|store|process|host|send|deliver|handle|manage|run|serve|facilitate|authenticate|provide access)\b"
_VENDOR_LABEL_USED = re.compile(
    r"^\s*(?:\([^)]{1,12}\))?\s*:[^.]{0,80}?\b(?:use|uses|using)\b[^.]{0,80}?" + _TO_HANDLE
)
_VENDOR_HANDLES = re.compile(
    r"^[^.;]{0,60}?(?:"
    + _TO_HANDLE
    + r"|\bas (?:our|its|a|the) (?:[\w-]+ ){0,3}(?:provider|processor|host|platform)\b)"
)
"""A catalogued vendor the operator says it uses to handle data ("We use Amazon Web Services
(AWS) as our cloud storage provider to store and process data", "Relay uses AWS to receive
emails", "Amazon Web Services (AWS): the app uses Amazon's storage service to store …"): a
recipient by entrustment, not only a name the text mentions."""


def _vendors_handling(sentence: Sentence) -> Iterator[Vendor]:
    text = re.sub(r"\s*\(https?://[^)\s]+\)", "", sentence.norm)
    for vendor in vendors():
        match = vendor.pattern.search(text)
        if match and (
            (
                _USES_VENDOR.search(text[max(0, match.start() - 12) : match.start()])
                and _VENDOR_HANDLES.search(re.sub(r"^\s*\([^)]{1,12}\)", "", text[match.end() :]))
            )
            or (match.start() < 3 and _VENDOR_LABEL_USED.search(text[match.end() :]))
        ):
            yield vendor


_OTHERS_PRACTICE_BEFORE = re.compile(
    r"\b(?:what|unlike|instead of|alternatives? to|compared (?:to|with)|different from)\s+$"
)
"""A vendor named to compare ("what Google Analytics does", "an alternative to Google
Analytics"): not a service the operator uses."""


_PLACEHOLDER = re.compile(r"%\{\w+\}s?|\{\{\s*\w+\s*\}\}|\$\{\w+\}")
"""A template's placeholder ("Address: %{dmca_address}"): the text published as a template
states no value until the site that uses it fills it in."""


def _notice_link(sentence: Sentence) -> bool:
    """A titled link listed under a lead about privacy notices ("Our Privacy Notices describe in
    more detail the data we receive from each service:" then "[Firefox Monitor](…)"): a pointer
    to another notice, not a recipient of data."""
    return (
        sentence.kind == "item"
        and bool(_TITLE_LINK.match(sentence.text.strip()))
        and bool(
            re.search(r"privacy (?:notice|polic|statement)|プライバシー", normalise(sentence.lead))
        )
    )


def recipients(
    sentence: Sentence, topic: str, title: str = "", handlers: frozenset[str] = frozenset()
) -> Iterator[Fact]:
    text = sentence.norm
    negative = is_negative(text, sentence.lang) and not is_exception_frame(text, sentence.lang)
    spans = clauses(text, sentence.lang)
    for vendor in vendors():
        match = vendor.pattern.search(text)
        if match is None:
            continue
        if _OTHERS_PRACTICE_BEFORE.search(text[: match.start()]) or re.match(
            r"\s+(?:does|did)\b", text[match.end() :]
        ):
            continue  # "This is essentially what Google Analytics does": another's practice
        clause = next((text[a:b] for a, b in spans if a <= match.start() < b), text)
        if not (is_negative(clause, sentence.lang) and _HANDLING.search(clause)):
            yield Fact(
                "vendor",
                vendor.id,
                {"name": vendor.name, "kind": vendor.kind, "tracker": vendor.tracker},
                [sentence],
            )
    if (
        sentence.kind != "heading"
        and topic not in _NO_RECIPIENT_TOPICS
        and not _notice_link(sentence)
    ):
        for name in _named_recipients(sentence, title, handlers):
            yield _recipient_fact(sentence, _recipient_kind(sentence, topic), name)
    if sentence.kind != "heading" and topic not in _NO_RECIPIENT_TOPICS and not negative:
        for name in _named_processors(sentence):
            yield _recipient_fact(sentence, "entrustment", name)
        for vendor in _vendors_handling(sentence):
            yield _recipient_fact(sentence, "entrustment", vendor.name)
        row = _table_row_recipient(sentence, topic)
        if row:
            yield _recipient_fact(sentence, _recipient_kind(sentence, topic), row)
        for label in _labelled_recipients(sentence, topic):
            yield _recipient_fact(sentence, _labelled_kind(label), label)
    if sentence.kind == "heading" or topic in {"contact", "definitions"}:
        return
    found_exceptions = _exceptions(sentence, topic)
    for exception in found_exceptions:
        yield _facts_for("exception", exception, sentence, {"text": sentence.text})
    entrusted = _ENTRUSTEE.search(text) if "entrustment" in found_exceptions else None
    if entrusted:
        yield _recipient_fact(sentence, "entrustment", entrusted.group(0))
    outsourced = None if negative else _OUTSOURCED.search(text)
    if outsourced:
        name = outsourced.group(1) or outsourced.group(2)
        yield _recipient_fact(sentence, "entrustment", name)
    if found_exceptions or topic in {"rights", "security", "changes", "minors"}:
        return
    kind_of_others = _recipient_kind(sentence, topic)
    for match in _OTHER_USERS.finditer(text):
        clause = next((text[a:b] for a, b in spans if a <= match.start() < b), text)
        if not is_negative(clause, sentence.lang) and _names_data_handled(
            text[max(0, match.start() - 120) : match.start()]
        ):
            yield _recipient_fact(sentence, kind_of_others, match.group(1) or match.group(2))
    kind = _recipient_kind(sentence, topic)
    excluded = _EXCLUDED_FROM_DENIAL.search(text) if topic in {"share", "transfer", ""} else None
    if excluded:
        yield _recipient_fact(sentence, kind, next(g for g in excluded.groups() if g))
        return
    named = _named_item(sentence) if topic in {"share", "transfer", "cookies"} else None
    if named:
        name, purpose = named
        yield Fact(
            "recipient",
            f"{kind}:{normalise(name)}",
            {
                "name": name,
                "kind": kind,
                "purpose": purpose,
                "countries": countries_in(sentence.text),
            },
            [sentence],
        )
        return
    published = _PUBLISHED_ON.search(text) if sentence.lang == "ja" and not negative else None
    if published and not _PUBLISHED_NO_DATA.search(text, 0, published.start()):
        yield _recipient_fact(sentence, "third_party", published.group(1) or "public")
    if negative or not _SHARING.search(text):
        return
    if sentence.lang == "ja" and _FOREIGN_THIRD_PARTY.search(text):
        yield _recipient_fact(sentence, kind, "外国にある第三者")
    pattern = _GENERIC_RECIPIENT_JA if sentence.lang == "ja" else _GENERIC_RECIPIENT
    verb = _SHARING.search(text)
    for match in pattern.finditer(text, verb.start() if verb and sentence.lang != "ja" else 0):
        if re.search(
            r"common (?:control|ownership)(?: or (?:control|ownership))?\s+with\s*$",
            text[: match.start(1)],
        ):
            continue  # "organisations under common control with Example Foundation": the group
        name = re.sub(
            r"^(?:following|above|below|such|these|those)\s+",
            "",
            next(g for g in match.groups() if g).strip(),
        )
        if sentence.lang == "ja":
            name = re.sub(r"^.*(?:ために|ため、|して)", "", name) or name  # 「…するために」 is why
            # 「Mozilla のサードパーティー決済業者」, 「当社の決済業者」: whose they are is no part of it
            name = re.sub(r"^(?:当社|弊社)?の(?=\S)", "", name)
        if sentence.lang == "ja" and re.match(r"^(?:類似の|その他の|同様の)", name):
            listed = _ja_listed_before(text, match.start(1))
            for item in listed:
                yield _recipient_fact(sentence, kind, item)
            if listed:
                continue
        follow = re.match(
            r"(?:\s+(?:partners?|providers?|compan(?:y|ies)|developers?|services?))+",
            text[match.end() :],
        )
        name += follow.group(0) if follow else ""
        if (
            re.search(r"以下|次の|上記|当社", name)
            or re.match(r"^(?:another|any|other|an?)\s", name)
            or name in {"会社", "企業", "事業者"}
        ):
            continue
        if (
            re.match(
                r"^(?:third[- ]part(?:y|ies)$|the company|company\b|us\b|you\b|users?\b|protect|help|improve|provide|our service)",
                name,
            )
            or name in {"service", "services"}
            or re.search(
                r"\b(?:web ?sites?|sites?|links?|content|terms|polic(?:y|ies)|notices?)$", name
            )
        ):
            continue
        yield Fact(
            "recipient",
            f"{kind}:{name}",
            {
                "name": _original(sentence.text, name),
                "kind": kind,
                "purpose": None,
                "countries": countries_in(sentence.text),
            },
            [sentence],
        )


_OUTSOURCED = re.compile(
    r"(?:業務|運用|運営|処理|取扱い?)(?:の(?:全部|一部)(?:又は一部|または一部)?)?を(?:外部に)?委託する(?:場合|とき|こと)[^。]{0,30}?(?:当該|その)?((?:業務)?委託先)"
    r"|\b(?:partially |partly |wholly |in part )?(?:contracted|outsourced|entrusted|subcontracted) (?:out )?to (?:an?other |an? |one or more |third[- ]party )?(organi[sz]ations?|compan(?:y|ies)|contractors?|service providers?|vendors?)\b"
)
"""Handling entrusted to others, said as a measure (「本アプリのシステムの運用の一部を委託する場合には、
当該委託先に対しても、…対策を講じさせます」, "In the event that the system(s) for operating the App are
partially contracted to another organization, that organization shall be required to …"): the
entrustee receives the data, even in a section about security."""
_OTHER_USERS = re.compile(
    r"(他の(?:アプリ)?(?:利用者|ユーザー?))(?:の[^、。]{0,15}?)?(?:に|へ)(?:対し(?:て)?)?(?:[^、。]{0,10})?提供(?:され|し|する)"
    r"|\b(?:is|are|be|being) (?:automatically )?provided to (?:the |said )?(?:[\w-]+ ){0,3}?(?:of |for )?(?:said |the )?((?:an)?other (?:app )?users?)\b"
)
"""Data provided to other users, or to their devices (「日次鍵が…他のアプリ利用者のアプリ導入端末に自動的に
提供され」, "the Daily Key … is automatically provided to the App-Installed Device of said other App
User"): the other users are recipients."""
_DATA_WORD = re.compile(
    r"\b(?:information|data|keys?|codes?|identifiers?|ids?|numbers?|records?|logs?|profiles?|contents?"
    r"|messages?|posts?|photos?|names?|addresses)\b|情報|データ|鍵|符号|識別子|ID|番号|記録|ログ|履歴"
    r"|プロフィール|投稿|メッセージ|コンテンツ|写真|氏名|名前|アドレス"
)


def _names_data_handled(text: str) -> bool:
    """Does the text name data (a term of the lexicon, or a word such as information, key, code,
    情報, 鍵, 符号)? What is provided to other users, or what expires, is data only then, not a
    discount, a service or a membership («discounts that are provided to other users»,
    「同様のサービスが他の利用者にも提供されます」, 「会員資格は…30日が経過した後に自動的に無効となります」)."""
    return bool(term_matches(text)) or bool(_DATA_WORD.search(text))


_ENTRUSTEE = re.compile(r"(?:業務)?委託先")
"""An exception that names those entrusted (「サービス運営に必要な業務委託先への提供」): they receive the
data by entrustment."""
_FOREIGN_THIRD_PARTY = re.compile(
    r"外国(?:[（(][^）)]{0,30}[）)])?にある第三者(?:に|へ)(?:対し(?:て)?)?"
    r"(?:(?!に関する|について|に係る)[^。]){0,20}(?:提供|移転)(?:を行|する|し|され|いたし|でき)"
)
"""APPI Art. 28's 「外国にある第三者に提供することができます」 (with or without the statute's bracket
「（本邦の域外にある国又は地域）」): an unnamed recipient abroad. The provision is done, not talked
about: 「外国にある第三者への提供に関する情報を提供します」 (Art. 28(3)'s information) names no
recipient."""
_PUBLISHED_ON = re.compile(
    r"(?:「([^」]{2,30})」|一般)(?:に|で|上で)公開(?:される(?:場合|こと)|されます|します|いたします|することがあります|する場合)"
)
"""Data made public on a named platform (「…は、…プラットフォーム「○○」に公開される場合があります」)
or to the public (「一般に公開します」): a recipient."""
_PUBLISHED_NO_DATA = re.compile(
    r"(?:ポリシー|方針|規約|ソースコード|統計(?:データ|情報)?|集計(?:結果|データ)?)(?:は|を|も)|個人を特定(?:でき|し|され)ない|匿名"
)
"""What is published is no one's data: the policy itself (「本ポリシーを「○○」上で公開します」), source
code, statistics or data made anonymous."""


def _ja_listed_before(text: str, end: str | int) -> list[str]:
    """「法執行機関、政府当局、または類似の機関」: the organisations listed before 類似の…."""
    before = text[: int(end)]
    before = re.sub(r"(?:、|,)?\s*(?:または|又は|および|及び|や)\s*$", "", before)
    items = []
    for part in reversed(re.split(r"、|,|または|又は|および|及び", before)):
        part = re.split(r"[をはにが]", part.strip())[-1]
        if (
            not re.search(r"(?:機関|当局|会社|事業者|事業体|業者|プロバイダー?|パートナー)$", part)
            or len(part) > 20
        ):
            break
        items.append(part)
    return list(reversed(items))


def _original(original: str, folded_part: str) -> str:
    index = normalise(original).find(folded_part)
    return (
        original[index : index + len(folded_part)]
        if index >= 0 and len(normalise(original)) == len(original)
        else folded_part
    )


def _exceptions(sentence: Sentence, topic: str) -> list[str]:
    """APPI Art. 27(1)-style cases where data is provided without consent."""
    context = normalise(sentence.lead + " " + " ".join(sentence.section))
    frame = (
        sentence.kind == "item"
        and re.search(r"except|following cases|exceptions?|除き|場合|not fall under|次の", context)
        and re.search(r"第三者|third part|" + _SHARING.pattern, context)
    )
    third_party_lead = re.search(r"third part|第三者", normalise(sentence.lead)) and re.search(
        r"except|unless|除き|場合", normalise(sentence.lead)
    )
    if topic not in {"share", "transfer", ""} and not third_party_lead:
        return []
    if not frame and not re.search(
        r"^(?:cases? where|where|whenever|場合)|may (?:disclose|provide|share)[^.]{0,40}(?:when|where|if)",
        sentence.norm,
    ):
        return _disclosure_grounds(sentence.norm, sentence.lang)
    found = [name for name, pattern in _EXCEPTIONS if re.search(pattern, sentence.norm)]
    if "state_cooperation" in found:
        # 「国の機関若しくは地方公共団体又はその委託を受けた者が…」: the state's entrustee, not
        # the operator's entrustment
        found = [name for name in found if name != "entrustment"]
    if not found:
        found = _disclosure_grounds(sentence.norm, sentence.lang)
    return (
        found[:1]
        if found and found[0] in {"opt_out", "entrustment", "business_succession", "joint_use"}
        else found
    )


_DISCLOSES = re.compile(
    r"\b(?:disclos|releas|hand over|provid|shar|transfer|included among|turn over)\w*|開示|提供|共有|移転|引き継|譲渡された資産"
    r"|(?:情報|データ)を(?:公開|公表)"
)
_GROUNDS = (
    (
        "law",
        r"required by law|comply with (?:applicable |the )?laws?|legal process|law enforcement|subpoena|court order"
        r"|\b(?:meet(?:ing)?|compl(?:y|ying|iance) with|fulfil+(?:ing)?) (?:our |any |applicable )?legal (?:requirements|obligations)"
        r"|法執行機関|法的手続|法令に(?:基づ|従)|適用法に従|法律(?:で|により|によって|上)(?:義務付け|要求|必要)|法令(?:の)?遵守|法令を遵守",
    ),
    (
        "business_succession",
        r"merger|acquisition|(?:assets|we) (?:are|is) acquired|asset sale|sale of (?:assets|all or)|corporate transaction|bankruptcy"
        r"|合併|買収|事業(?:の)?譲渡|資産(?:の)?売却|企業取引|事業(?:の)?承継",
    ),
    (
        "protect_rights",
        r"protect (?:the )?(?:rights|safety|property)|rights, property,? (?:and|or|and/or) safety"
        r"|\benforc(?:e|ing) (?:our |any |the )?(?:legal terms|terms of (?:service|use)|agreements)"
        r"|権利、財産(?:、|または|又は|および|及び|もしくは)?安全|権利(?!利益)[^。]{0,16}(?:の)?保護",
    ),
)


_GIVEN_TO_US = re.compile(
    r"\b(?:shar|provid|disclos|submit|giv)\w* (?:\w+ ){0,3}?(?:with|to) us\b|当社に(?:提供|開示)"
)
"""What the reader shares with the operator ("any personal information you may share with us"):
no disclosure by the operator, so "as otherwise required by law" beside it is no ground."""


_SERVICE_PROVIDED = re.compile(
    r"(?:アプリ(?:ケーション)?|サービス|サイト|ウェブサイト|ソフトウェア)(?:[（(][^）)]{0,40}[）)])?(?:を|の)(?:提供|運営)"
    r"|\b(?:provid\w*|provision of|operat\w*) (?:the |our |this )?(?:[\w-]+ ){0,3}?(?:app|application|service|website|site|software)s?\b"
)
"""The operator providing its own service (「…アプリケーション（以下「本アプリ」といいます。）の提供に関し、
適用ある法令を遵守する…本アプリを提供します」, "in the provision of the App"): no disclosure of data, so
the laws it complies with beside it are no ground for one."""


_GROUND_EXCEPTED = re.compile(
    r"\b(?:except|unless|other than|save (?:where|as|when))\b|除き|除いて|場合を除|限り"
)
"""What lets a ground stand inside a denial: "we do not disclose it except as required by law",
「法令に基づく場合を除き、第三者に提供しません」."""


def _disclosure_grounds(text: str, lang: str = "en") -> list[str]:
    """Grounds on which data is disclosed without the reader's say, in a policy without an
    APPI-style list of exceptions: "we will release personal information if required by law",
    "as part of a corporate transaction, such as a merger", 「法執行機関…に開示しなければならない」.

    A ground said only in a clause that denies disclosure without excepting anything
    (「当社は、法令を遵守し、…個人情報を第三者に提供しません」, "We comply with applicable laws and
    never share …") is the operator's compliance, not a case in which it discloses."""
    text = _SERVICE_PROVIDED.sub(" ", _GIVEN_TO_US.sub(" ", text))
    if not _DISCLOSES.search(text):
        return []
    denied = [
        (start, end)
        for start, end in clauses(text, lang)
        if is_negative(text[start:end], lang) and not _GROUND_EXCEPTED.search(text[start:end])
    ]
    return [
        name
        for name, pattern in _GROUNDS
        if any(
            not any(start <= m.start() and m.end() <= end for start, end in denied)
            for m in re.finditer(pattern, text)
        )
    ]


def _recipient_kind(sentence: Sentence, topic: str) -> str:
    context = normalise(" ".join((*sentence.section[-1:], sentence.lead, sentence.text)))
    for kind, pattern in _KIND:
        if re.search(pattern, context):
            return kind
    return "third_party"


def _labelled_kind(label: str) -> str:
    """A labelled kind of recipient is entrusted when the label says so ("Service Providers",
    "Payment processors"), else a third party ("Business Partners", "Other users")."""
    folded = normalise(label)
    return next((kind for kind, pattern in _KIND if re.search(pattern, folded)), "third_party")


def _named_item(sentence: Sentence) -> tuple[str, str | None] | None:
    """'Stripe, Inc.: Payment processing' or 'Byborg IP S.à r.l., 44, Avenue ...' in a list."""
    if sentence.kind != "item" or (" ｜ " in sentence.text and _data_table(sentence)):
        return None
    text = sentence.text.lstrip("·• ").strip()
    head, separator, tail = text.partition(":")
    if not separator:
        head, separator, tail = text.partition("：")
    candidate = head if separator and len(head) <= 80 else text.split(",  ")[0]
    organisation = _ORG.search(candidate)
    vendor = any(v.pattern.search(normalise(candidate)) for v in vendors())
    if not (organisation or vendor):
        return None
    if (
        not separator
        and not organisation
        and (len(candidate) > 40 or _JA_PREDICATE_END.search(candidate))
    ):
        return None  # a sentence that mentions a vendor ("For example, we use Google Analytics …")
    if not separator:
        cut = organisation.end() if organisation else len(candidate)
        return candidate[:cut].strip(" ,;"), None
    return candidate.strip(), tail.strip() or None


def countries_in(text: str) -> list[str]:
    folded = normalise(text)
    return [code for code, pattern in country_patterns() if pattern.search(folded)]


def transfers(sentence: Sentence, topic: str) -> Iterator[Fact]:
    """Countries data is sent to, from a transfer section or a sentence about transfers."""
    text = sentence.norm
    if sentence.kind == "heading":
        return
    if topic == "transfer" or re.search(
        r"transferred to|transfer(?:s)? (?:to|outside)|移転|転送される", text
    ):
        for code in countries_in(sentence.text):
            if code != "JP" or re.search(r"transferred to japan|日本に移転", text):
                yield Fact("country", code, None, [sentence])


# --- cookies and trackers ---------------------------------------------------------------

_COOKIE_NAME = re.compile(
    r"\b([a-z][a-z0-9]*_[a-z0-9_]+)\b(?=[^.]{0,20}cookie)|cookie\s*[(（]([a-z][a-z0-9_]+)[)）]",
    re.IGNORECASE,
)


def trackers(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.norm
    if "cookie" not in text and "クッキー" not in text:
        return
    for match in _COOKIE_NAME.finditer(sentence.text):
        name = (match.group(1) or match.group(2)).strip()
        yield Fact("tracker", name, {"name": name, "text": sentence.text}, [sentence])
    if is_negative(text, sentence.lang) and not re.search(r"no personal data|personal data$", text):
        return
    periods = dates.periods_in(sentence.text)
    if re.search(
        r"cookies? (?:will )?(?:last|expire|persist)|cookies? (?:is|are) (?:kept|stored)|expires? after|will persist for|有効期限|保存期間",
        text,
    ):
        for _, period in periods:
            yield Fact(
                "tracker",
                f"cookie:{period}",
                {"duration": str(period), "text": sentence.text},
                [sentence],
            )
    if re.search(
        r"discarded when you close|(?<![_\w])session cookies?|deleted when you close|ブラウザを閉じ",
        text,
    ):
        yield Fact(
            "tracker", "cookie:session", {"duration": "session", "text": sentence.text}, [sentence]
        )


# --- retention ---------------------------------------------------------------------------

_CLOCKS = (
    ("superseded", r"former usernames|blacklist|旧ユーザー名|以前のユーザー名"),
    (
        "account_deletion",
        r"after (?:account )?deletion|after (?:the )?(?:account is )?(?:deleted|closed)|退会後|削除後",
    ),
    (
        "last_activity",
        r"last activity|last (?:use|login|payment|donation)|not been used|since (?:the )?last|not been (?:signed|logged) in|inactiv"
        r"|最終(?:利用|ログイン|支払)|最後の(?:支払|寄付|利用|ログイン)|使用されていない|(?:サインイン|ログイン)されていない",
    ),
    (
        "resolution",
        r"(?:after|upon|following|report|complaint|dispute|its|their) resolution|(?:is|are|been) resolved|解決(?:後|まで|した|して)",
    ),
    (
        "contract_end",
        r"end of (?:the )?contract|契約終了"
        r"|(?:completion|end) of (?:the |each |your )?(?:[\w-]+ ){0,3}(?:program(?:me)?|testing|participation|subscription|trial|study)\b",
    ),
    (
        "statutory",
        r"statutory|required by law|legal(?:ly)? (?:required|obligation)|tax|accounting|法定|法律|法令|税|保存義務",
    ),
    (
        "account_active",
        r"while (?:the |your )?account (?:is|remains) active|as long as (?:the |your )?account|アカウントが有効な間|在籍中"
        r"|\b(?:as long as|while) you (?:have|maintain|keep|hold) (?:an? |your )?(?:open |active |registered )?account"
        r"|\bfor the (?:life(?:time)?|duration) of (?:your|the) account\b"
        r"|アカウントが(?:アクティブ|有効)である(?:限り|間)",
    ),
    (
        "while_needed",
        r"as long as (?:we consider it )?necessary|as long as we need|only during the term|necessary for our business|必要な期間|必要な限り"
        r"|(?:once|as soon as|when|after) (?:these|those|the|its|such) purposes? (?:(?:have|has) been|(?:is|are)) (?:met|fulfilled|achieved|served|accomplished)"
        r"|(?:利用)?目的(?:を|が)(?:達成|終了|完了)し(?:た(?:後|とき|場合)|次第)",
    ),
)
_DELETED_ON_COMPLETION = re.compile(
    r"\b(?:deleted|erased|destroyed)\b[^.]{0,80}\bimmediately (?:upon|after) (?:the )?completion of\b"
    r"|(?:確認|処理|手続き?)が完了した後[、,]?[^。]{0,60}直ちに(?:削除|消去|廃棄)"
)
"""Data deleted as soon as the step it serves is done («deleted immediately upon completion of the
inquiry», 「照会が完了した後、直ちに削除します」): kept while needed. Only where the sentence states no
period: a period said beside it is another datum's («Payment data is deleted immediately upon
completion of the transaction, and order records are kept for 7 years» keeps its clock)."""


def retention(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.norm
    if sentence.kind == "heading":
        return
    keeps = re.search(
        r"retain|retention|kept|keep|stored?|blacklist|available for new|maintain|hold(?:s|ing)? onto|server logs? for"
        r"|delet\w* [^.]{0,80}\b(?:after|within|as soon as|once)\b|保存|保管|保持|削除|消去"
        r"|\bdelet\w* [^.]{0,80}\bimmediately (?:upon|after)\b",
        text,
    )
    expires = re.search(
        r"\b(?:automatically )?(?:invalidated|expires?|expired)\b[^.]{0,20}\b(?:after|\d+ (?:days?|hours?|weeks?|months?))\b"
        r"|経過(?:した)?後[^。]{0,20}(?:自動的に)?無効(?:と|に)な",
        text,
    )
    if not keeps and expires and _names_data_handled(text[: expires.start()]):
        keeps = expires  # what expires is data («The Daily Key is automatically invalidated …»)
    if topic != "retention" and not keeps:
        return
    if "cookie" in text:
        return
    before_unless = re.split(r"\bunless\b|場合を除き", text)[0]  # "… unless legally required"
    clock = next(
        (name for name, pattern in _CLOCKS if re.search(pattern, before_unless)), "collection"
    )
    label = sentence.text.split(":")[0].strip() if ":" in sentence.text[:60] else ""
    periods = [p for _, p in dates.periods_in(sentence.text)]
    if re.search(r"indefinitely|無期限", text):
        yield _facts_for(
            "retention",
            "indefinite|",
            sentence,
            {"period": None, "clock": "indefinite", "label": label},
        )
        return
    if not periods:
        open_ended = dict(_CLOCKS)
        clock = next(
            (c for c in ("account_active", "while_needed") if re.search(open_ended[c], text)), clock
        )
        if clock == "collection" and _DELETED_ON_COMPLETION.search(text):
            clock = "while_needed"
        if clock in {"account_active", "while_needed"} and (topic == "retention" or keeps):
            yield _facts_for(
                "retention", f"|{clock}", sentence, {"period": None, "clock": clock, "label": label}
            )
        if clock not in {"account_active", "while_needed"} and _KEPT_AS_LAW_REQUIRES.search(text):
            # "… only for as long as we need it … or as required by law" is one open-ended
            # rule; the law alone ("we retain it for longer … to comply with our legal
            # obligations") is a rule of its own
            yield _facts_for(
                "retention",
                "|statutory",
                sentence,
                {"period": None, "clock": "statutory", "label": label},
            )
        return
    if (
        re.search(r"within|以内に(?:回答|対応)|respond", text)
        and topic != "retention"
        and not re.search(r"\bdelet\w* [^.]{0,60}\bwithin\b", text)
    ):
        return  # a deadline to answer, unless it is a deadline to delete
    if clock == "account_active" and len(periods) == 1 and re.search(r"plus|after|後", text):
        clock = "account_deletion"
    longest = max(periods, key=lambda p: p.approx_days())
    yield _facts_for(
        "retention",
        f"{longest}|{clock}",
        sentence,
        {"period": str(longest), "clock": clock, "label": label},
    )


_KEPT_AS_LAW_REQUIRES = re.compile(
    r"\b(?:retain|keep|store|hold|preserve)(?:s|ed|ing)?\b(?![^.]{0,120}\b(?:unless|except)\b)[^.]{0,120}?"
    r"(?:\bto comply with (?:our |any |its |applicable )?(?:legal|statutory|regulatory) (?:obligations?|requirements?)"
    r"|\b(?:as|where|when|if) (?:otherwise )?(?:permitted or )?required by (?:applicable )?law)"
)
"""Data kept, without a period, for as long as the law requires: "In some cases we retain
Personal Data for longer, if doing so is necessary to comply with our legal obligations", "we
keep it as required by law". Not where the law is the exception to a deletion ("we delete it
unless we have a legal obligation to keep it", "we store it in the United States, except where
required by law")."""


# --- rights ------------------------------------------------------------------------------

_RIGHTS = (
    (
        "portability",
        r"portability|machine-readable|exported file|export (?:your )?data|データの(?:ダウンロード|ポータビリティ)|ポータビリティ|移植性|データを(?:エクスポート|ダウンロード)",
    ),
    (
        "rectification",
        r"correct|rectif|amend|訂正|誤った情報|(?:情報|データ)を修正"
        r"|\b(?:change|update) (?:the |your )?(?:information|personal (?:information|data)|details) in your account",
    ),
    (
        "restriction",
        r"restrict|suspen|cessation of use|stop using|halt to the processing|利用停止|処理の?制限|処理を停止|(?:使用|利用)を制限",
    ),
    (
        "erasure",
        r"erase|erasure|delet|right to be forgotten|削除|消去|忘れ|\bterminate your account|\bremove (?:all |your )?(?:data|personal)",
    ),
    ("objection", r"\bobject\b|object to|\bobjection\b|異議"),
    ("automated_decision", r"automated (?:decision|processing)|自動化された"),
    (
        "withdraw_consent",
        r"(?:revok(?:e|ing)|withdraw(?:ing|al of)?|retract(?:ing|ion of)?|revocation of) (?:your |this |that |such )?consent|同意(?:を|の)撤回|turn this off|opt[- ]out"
        r"|\bconsent\b[^.]{0,60}\b(?:can|may) (?:be )?(?:withdrawn|revoked|retracted)\b|同意(?:は|について(?:は)?)[、,]?[^。]{0,60}撤回(?:する(?:こと)?が)?でき"
        r"|(?:disable|turn off) (?:\w+ ){0,3}(?:telemetry|tracking|analytics|data collection|reporting|checking|sharing|location services|usage data|statistics)"
        r"|(?:共有|送信|収集|サービス|トラッキング|テレメトリ)[^。]{0,30}(?:無効化|無効に|オフに)"
        r"|(?:共有|送信|収集|テレメトリ|統計情報|トラッキング)(?:機能)?(?:は|を)(?:選択|使用|利用|有効に)しない(?:ことも|ことを選ぶことも)(?:でき|可能)",
    ),
    ("third_party_records", r"records? of (?:third-party )?provision|第三者提供記録"),
    (
        "access",
        r"\baccess\b|disclos(?:e|ure) (?:of )?(?:your |the |their )?(?:retained )?personal|request(?:ed)? (?:the company )?to disclose|ask (?:the company |us )?to disclose|right to know|copy of (?:your |the )?(?:personal|data)|開示|知る権利|アクセスする権利|アクセス権(?!限)|コピーを(?:要求|請求)|(?:情報|データ)にアクセス",
    ),
)
_OPT_OUT_STEP = re.compile(
    r"^(?:to opt[- ]out(?: of [^,]{1,40})?,? )?(?:disable|turn off|opt out of) (?:\w+ ){0,3}?(?:telemetry|tracking|analytics|data collection|(?:usage |error )?reporting)\b"
)
_OPT_OUT_STEP_AFTER = re.compile(r"^(?:alternatively,? )?(?:set|run|use|unset|export) ")
_OPT_OUT_HEADING = re.compile(r"opt(?:ing)?[- ]?out|disabl|turn(?:ing)? off|オプトアウト|無効")
"""The steps to opt out of telemetry, written as instructions ("Disable analytics persistently
with: …", and under an "Opting out" heading "Alternatively, set this variable: …"):
the reader can withdraw consent."""
_RIGHT_CONTEXT = re.compile(
    r"\bright|request|ask|may|can|want|wish|請求|求め|できます|ことができ|有し|申し出"
)
_REFUSAL_UNLESS = re.compile(
    r"\b(?:honou?r|fulfil+|comply with|respond to|act on) (?:your |the |all |any )?requests?[^.]{0,40}\bunless\b"
    r"|場合を除き[^。]{0,40}(?:リクエスト|請求|求め|ご依頼)に(?:お応え|応じ|対応)"
)
"""A ground for refusing a request, outside a rights section: "We will honor your request
unless a legal requirement prevents us from doing so"."""
_VERIFICATION = (
    ("registered_email", r"registered e-?mail|登録(?:された|の)?メールアドレス"),
    (
        "account_login",
        r"account information|log(?:ging)? in|sign(?:ing)? in|re-?authenticat|アカウント情報|ログイン",
    ),
    (
        "id_document",
        r"cop(?:y|ies) of (?:a |the |your )?(?:document|proof of identity|identification|identity|driver.s licen[cs]e|passport|(?:health )?insurance card|residence card)|運転免許証|健康保険証|パスポート|proof of identity|driver.s licen[cs]e, insurance card|identity document|本人確認書類|身分証明書",
    ),
    (
        "postal_application",
        r"by postal|by post\b|postal service|application form by|郵送(?:で|により)?(?:の)?申請",
    ),
    (
        "company_procedure",
        r"procedures? (?:established|specified|set) by|当社(?:所定|が定める)の(?:手続|方法)",
    ),
    (
        "additional_information",
        r"proof of (?:your )?identity may be requested|additional information|追加情報|(?:身元|本人)を確認するために(?:さらなる|追加の)情報",
    ),
)


def rights(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.norm
    if sentence.kind == "heading":
        return
    in_rights = topic == "rights"
    refusal = _REFUSAL_UNLESS.search(text)
    if refusal and not in_rights:
        yield Fact("refusal", normalise(sentence.text), {"label": sentence.text}, [sentence])
    if not in_rights and not re.search(
        r"\bright (?:of|to)\b|権利を有し|請求することができ|request (?:the )?(?:disclosure|correction|deletion)|you can request|may request|you have the right"
        r"|\byou (?:can|may) (?:(?:also |always |\w+ly )?(?:access|correct|delete|export|download|rectify|erase|review|view|remove|withdraw)\b,? (?:or |and )?)+"
        r"|\bwould (?:at any time )?like to (?:review|change|update|delete|terminate)\b"
        r"|\byou can (?:always |also |at any time )?(?:opt[- ]out|withdraw|disable|turn (?:it |this )?off)\b"
        r"|\b(?:want|wish|would like) to (?:make a )?(?:correct|correction|delete|deletion|access|erase)\b"
        r"|(?:アクセス|修正|訂正|削除|消去|エクスポート)したり[^。]{0,120}(?:できます|可能です)"
        r"|(?<!を)(?:削除|消去|無効化|無効に)(?:する)?こと(?:が|も)でき|(?<!を)(?:削除|消去|無効化)でき(?:ます|る)"
        r"|(?:選択|使用|利用)しない(?:ことも|ことを選ぶことも)(?:でき|可能)"
        r"|\bconsent\b[^.]{0,60}\b(?:can|may) (?:be )?(?:withdrawn|revoked|retracted)\b|同意(?:は|について(?:は)?)[、,]?[^。]{0,60}撤回(?:する(?:こと)?が)?でき",
        text,
    ):
        if _OPT_OUT_STEP.search(text) or (
            _OPT_OUT_STEP_AFTER.search(text)
            and _OPT_OUT_HEADING.search(normalise(" ".join(sentence.section[-1:])))
        ):
            yield Fact("right", "withdraw_consent", None, [sentence])
        return
    if in_rights or _RIGHT_CONTEXT.search(text):
        head = text.split(":")[0] if ":" in text[:60] else text
        kinds = [name for name, pattern in _RIGHTS if re.search(pattern, head)]
        if (
            "rectification" in kinds
            and "erasure" in kinds
            and re.search(
                r"correct(?:ion)?,? (?:add|addition)|correction,? or delet|訂正(?:、|又は|または|・)?(?:追加|削除)",
                head,
            )
        ):
            kinds.remove("erasure")
        if "restriction" in kinds and "erasure" in kinds:
            kinds.remove("erasure")
        if (
            # a request may be 「…の依頼があった場合」 or 「…の申し出があったとき」 too
            not re.search(
                r"\bright|request|ask|請求|求め|権利|依頼|申し?出|can|may|want|wish|できます", text
            )
            and sentence.kind != "item"
        ):
            kinds = []
        if sentence.lang == "ja" and _REQUESTS_DECLINED.search(text):
            kinds = []  # 「開示のお申し出には応じかねます」 refuses the request: it grants no right
        for kind in kinds:
            yield Fact("right", kind, None, [sentence])
    if re.search(r"identity|identif|本人確認|本人であること|verify|verif", text) or in_rights:
        spans = []
        for name, pattern in _VERIFICATION:
            match = re.search(pattern, text)
            if (
                match
                and (in_rights or name != "account_login")
                and (
                    name != "additional_information"
                    or re.search(r"identit|identif|verif|本人|身元|確認", text)
                )
            ):
                spans.append((match.start(), match.end()))
                yield Fact("verification", name, None, [sentence])
        joined = join_of(text, spans)
        if joined:
            yield Fact("join", f"verification={joined}", {"join": joined}, [sentence])
    if in_rights:
        joined = join_of(text, _channel_spans(text))
        if joined:
            yield Fact("join", f"channels={joined}", {"join": joined}, [sentence])
    fee = _fee(sentence)
    if fee:
        yield _facts_for("fee", fee[0], sentence, fee[1])
    if in_rights or re.search(r"respond|answer|回答|対応|開示", text):
        yield from _deadlines(sentence)
    excepted = _RIGHT_EXCEPTED.search(sentence.text) if in_rights else None
    if (
        excepted
        and re.search(r"請求|求め|依頼|申し?出", text)
        and _GRANTED_BEFORE.search(sentence.text[: excepted.start()])
        and not re.search(
            r"手数料|費用|料金|以内|期間|方法|郵送|窓口|電話|受け付け", excepted.group(0)
        )
    ):
        ground = (excepted.group(1) or excepted.group(2)).strip()
        yield Fact("refusal", normalise(ground), {"label": ground}, [sentence])
    third_party_lead = re.search(r"third part|第三者", normalise(sentence.lead))
    if (
        in_rights
        and sentence.kind == "item"
        and not third_party_lead
        and re.search(
            r"not (?:be )?disclos|may not|refus|開示しない|応じられない|お断り|not be able to accommodate",
            _announcing(sentence.lead),
        )
    ):
        yield Fact("refusal", normalise(sentence.text), {"label": sentence.text}, [sentence])
    elif in_rights and re.search(
        r"(?:will not|shall not) be disclosed in principle|in principle,? (?:not|never) disclos|原則として(?:、)?開示(?:いた)?しません",
        text,
    ):
        yield Fact("withheld", normalise(sentence.text), {"text": sentence.text}, [sentence])
    elif in_rights and re.search(
        r"not be able to accommodate|may not be able to|we are not required|応じる義務を負わない",
        text,
    ):
        yield Fact("refusal", normalise(sentence.text), {"label": sentence.text}, [sentence])


def _announcing(lead: str) -> str:
    """The sentence of a list's lead that announces its items: the one naming "the following"
    (以下・次の) or ending in a colon, else the last one. A paragraph that grants rights and
    then says "in some circumstances, we may not be able to fully comply …" before a list of
    the rights does not make each right a refusal ground; "However, if disclosure falls under
    any of the following, all or part of it may not be disclosed" does."""
    parts = [normalise(text) for _, text in split_sentences(lead)]
    announcing = [
        i for i, p in enumerate(parts) if re.search(r"following|以下|次の|次に掲げる|[:：]$", p)
    ]
    at = announcing[-1] if announcing else len(parts) - 1
    if at < 0:
        return ""
    if at > 0 and _BARE_INTRODUCER.match(parts[at]):
        # "We may refuse your request where an exception applies. Such exceptions include:"
        return f"{parts[at - 1]} {parts[at]}"
    return parts[at]


_BARE_INTRODUCER = re.compile(
    r"^(?:for (?:example|instance)|e\.g\.|such (?:\w+ )?(?:include|are)|these (?:\w+ )?(?:include|are)"
    r"|this (?:includes|means)|they (?:include|are)|examples? (?:include|are)|including|namely)\b"
    r"|^例えば|^具体的には"
)
"""An announcing sentence that only introduces the items ("Such exceptions include:", "For
example:"): what the items are is said by the sentence before it."""


_REQUESTS_DECLINED = re.compile(
    r"(?:請求|求め|依頼|申し?出)(?:に|には|について(?:は)?)[^。、]{0,10}"
    r"(?:応じ(?:ません|ておりません|かねます|られません|ることはできません|ることができません)"
    r"|お応えでき(?:ません|かねます)|対応(?:しません|しておりません|いたしかねます|できません))"
)
"""A sentence that declines the requests outright (「当社は、個人情報の開示の依頼には応じておりません」)."""
_RIGHT_EXCEPTED = re.compile(
    r"[（(]([^（）()]{4,60}?場合)を除(?:く|きます)[。]?[)）]|ただし[、,]\s*([^。]{4,60}?場合)を除(?:く|きます)"
)
"""A right granted with a bracketed exception (「個人情報の削除を請求できます（法令上の保存義務がある場合を
除く）」): the case excepted is a ground for refusing the request."""
_GRANTED_BEFORE = re.compile(
    r"(?:請求|求め|申し?出|依頼)[^。（(]{0,20}(?:でき(?:ます|る)|可能です)[。、,]?\s*(?:が[、,]?\s*)?$"
    r"|(?:請求|求め|申し?出|依頼)に(?:応じ|対応し|お応えし)(?:ます|いたします)[。、,]?\s*$"
)
"""The exception must follow the grant itself (「…を請求できます（…場合を除く）」, 「…を求めることが
できますが、ただし、…場合を除きます」), not a fee (「1,000円の手数料をいただきます（…の請求の場合を除く）」), a deadline
(「2週間以内に回答します（調査に時間を要する場合を除く）」) or a way of asking (「郵送により受け付けます
（当社が別途認めた場合を除く）」), whose exceptions refuse nothing."""


def _fee(sentence: Sentence) -> tuple[str, dict] | None:
    text = sentence.norm
    if not re.search(r"fee|charge|cost|手数料|費用|料金|無料|free", text):
        return None
    amounts = dates.amounts_in(sentence.text)
    if amounts and re.search(r"fee|charge|手数料", text):
        unit = "per case" if re.search(r"per case|1件", text) else None
        return f"{amounts[0][1]} JPY", {"kind": "fixed", "amount": amounts[0][1], "unit": unit}
    if re.search(
        r"no fee|free of charge|\bfor free\b|at no (?:cost|charge)|無料(?:で|です|とし|にて)|手数料はかかりません|used free"
        r"|\b(?:will|do|does|shall) not charge (?:you )?(?:a |any )?fees? for (?:making |submitting )?(?:a |your |any )?(?:\w+ )?requests?",
        text,
    ) or (
        re.search(r"\bfree\b", text)
        and re.search(r"request|cop(?:y|ies)|access|disclos|charge", text)
        and not re.search(r"free (?:and|or) (?:open|paid)|free software|free to\b|feel free", text)
    ):
        return "free", {"kind": "free"}
    if re.search(r"cost of|実費|charged for the cost|送料", text):
        return "actual_cost", {"kind": "actual_cost"}
    return None


_EXTENDED = re.compile(
    r"complex|number of requests|numerous|extend|if necessary|where necessary|延長|複雑|多数|必要に応じ"
)
_FURTHER = re.compile(r"(?:further|additional|another|さらに|更に|追加で?)\s*$")
_CONDITION_JA = re.compile(r"([^。、]{2,60}場合)(?:は|には|、)")
_CONDITION_EN = re.compile(
    r"(?:^|[,;]\s*)((?:if|where|when|in case(?: of)?|for)\b[^,;]{3,120}?)(?=,|;| we\b)",
    re.IGNORECASE,
)


def _deadlines(sentence: Sentence) -> Iterator[Fact]:
    """How fast requests are answered; a longer time for some requests ('複雑なリクエスト…の場合、
    60日以内') is kept as an extension with its condition, in the sentence's own words."""
    text = sentence.norm
    if re.search(r"without delay|遅滞なく|as soon as|速やかに|promptly", text):
        yield _facts_for("deadline", "without_delay", sentence, {"without_delay": True})
    if re.search(r"within|以内|further|additional|延長", text):
        extended = bool(_EXTENDED.search(text))
        folded = dates.fold(sentence.text)
        for position, period in dates.periods_in(sentence.text):
            value: dict[str, object] = {"period": str(period)}
            if extended:
                further = _FURTHER.search(folded[max(0, position - 20) : position])
                value["extension"] = "extension" if further else "extended_to"
                condition = (_CONDITION_JA if sentence.lang == "ja" else _CONDITION_EN).search(
                    sentence.text
                )
                if condition:
                    value["when"] = condition.group(1).strip()
            elif not re.search(r"within|以内", text):
                continue
            yield _facts_for("deadline", str(period), sentence, value)


_OR_BETWEEN = re.compile(r"\bor\b|\beither\b|又は|または|もしくは|若しくは|あるいは|か、|いずれか")
_AND_BETWEEN = re.compile(
    r"\band\b|\btogether with\b|\balong with\b|\bas well as\b|及び|および|並びに|ならびに|とともに|と共に|添えて|同封|併せて"
)
_CHANNEL_WORDS = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|https?://\S+|\be-?mail\b|(?:電子)?メール|\bpost(?:al)?\b|\bmail(?:ing)?\b|郵送|郵便"
    r"|\b(?:inquiry |contact |web )?forms?\b|フォーム|\b(?:tele)?phone\b|電話|privacy settings|アカウント設定"
)


def join_of(text: str, spans: list[tuple[int, int]]) -> str | None:
    """'or' or 'and', when the words between listed items say which (and only one of them)."""
    ordered = sorted(spans)
    gaps = [text[a[1] : b[0]] for a, b in pairwise(ordered) if b[0] >= a[1]]
    said = {
        word
        for gap in gaps
        for word, pattern in (("or", _OR_BETWEEN), ("and", _AND_BETWEEN))
        if len(gap) <= 60 and pattern.search(gap)
    }
    return said.pop() if len(said) == 1 else None


def _channel_spans(text: str) -> list[tuple[int, int]]:
    """Where a sentence names ways to send a request (an address, email, post, a form, a phone)."""
    return [match.span() for match in _CHANNEL_WORDS.finditer(text)]


# --- contacts, operator, service --------------------------------------------------------


_POLICY_LINK = re.compile(
    r"/(?:[\w-]*privacy(?:[-_]?(?:policy|notice|statement|notices))?|legal|terms|policies|tos)(?:/[\w-]*)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
"""A link to a policy page (a vendor's privacy policy, "our Mozilla Privacy Policy"): where to
read, not a channel to write to."""


def contacts(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.text
    for email in _EMAIL.findall(text):
        yield Fact(
            "contact", f"email:{email.lower()}", {"kind": "email", "value": email}, [sentence]
        )
    for match in _PHONE.finditer(text):
        number = next(g for g in match.groups() if g)
        digits = re.sub(r"[^\d+]", "", re.sub(r"\(0\)", "", number))
        digits = re.sub(r"^\+(\d{1,3})0", r"+\1", digits)
        if len(digits) >= 9:
            yield Fact(
                "contact", f"phone:{digits}", {"kind": "phone", "value": number.strip()}, [sentence]
            )
    if topic in {"contact", "rights", ""} or re.search(r"\bforms?\b|フォーム", sentence.norm):
        for url in _URL.findall(text):
            if _POLICY_LINK.search(url):
                continue
            before = normalise(text[: text.find(url)])[-80:]
            if re.search(r"authorit|監督機関|データ保護機関", before):
                continue  # where to complain to a regulator, not the operator's channel
            if re.search(
                r"\bforms?\b|\bcontact|inquir|access requests?|request portal|フォーム|お問い合わせ|ご連絡|要求ポータル|リクエストポータル",
                sentence.norm,
            ):
                yield Fact("contact", f"url:{url}", {"kind": "web_form", "value": url}, [sentence])
    hours = _HOURS.search(dates.fold(text))
    if hours:
        yield Fact(
            "hours",
            f"{hours.group(1)}-{hours.group(2)}".replace("：", ":"),
            {"text": text},
            [sentence],
        )
    elif ji := _HOURS_JI.search(dates.fold(text)):
        opens, closes = (f"{ji.group(n)}:{ji.group(n + 1) or '00'}" for n in (1, 3))
        yield Fact("hours", f"{opens}-{closes}", {"text": text, "ji": True}, [sentence])
    if re.search(r"complain|苦情", sentence.norm) and (
        topic == "contact" or re.search(r"contact|お問い合わせ|窓口", sentence.norm)
    ):
        yield Fact("complaints", "complaints", {"text": text}, [sentence])


SELF_REFERENCES = (
    "当社",
    "弊社",
    "当法人",
    "当省",
    "当庁",
    "当協会",
    "当財団",
    "当組合",
    "当機構",
    "当会",
    "本会",
    "当行",
    "当院",
    "本学",
    "当店",
    "本法人",
    "当団体",
    "本団体",
)
"""How a Japanese policy names its operator; 当サイト only when the policy defines it so."""
_SELF_DEFINED_AS = re.compile(
    r"^「("
    + "|".join(SELF_REFERENCES)
    + r")」とは[、,]?\s*(.{2,60}?)(?:を(?:指し|いい|意味し)|のことを)"
)
"""A definition of the self-reference (「「本法人」とは、一般社団法人○○を指します。」, 「「当社」とは、
株式会社○○をいいます。」): the self-reference and the operator's name."""
_DESCRIBED_NOT_NAMED = re.compile(
    r"^(?:当|本|この|その)|[るたい](?:事業者|法人|者|会社|団体|組織|方|もの)$"
)
"""A self-reference defined by a description (「「当社」とは、本ポリシーを定める事業者をいいます」) names
no operator; a name is only what the definition gives before 「及び」 (「株式会社○○及びその子会社」)."""
_SELF_DEFINED = re.compile(
    r"以下[、,]?\s*「("
    + "|".join(SELF_REFERENCES)
    + r"|当サイト|本サイト)」(?:と(?:いい|いう|総称))?"
)


_AT_ORGANISATION = re.compile(
    r"^(?:At|Welcome to) ([A-Z][^()]{1,60}?)\s*(?:\([\"“][^\"”]{1,40}[\"”]\))?,\s*(?:we|our)\b"
)
"""A policy that opens with its operator: "At Kandra Labs, Inc. (“Zulip”), we take your privacy
seriously." The name must be an organisation's (Inc., LLC, GmbH …)."""


def operator(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.text
    opening = (
        _AT_ORGANISATION.match(text)
        if sentence.kind == "text" and len(sentence.section) <= 1
        else None
    )
    if opening and _ORG.search(opening.group(1)):
        name = opening.group(1).strip(" ,")
        yield Fact("operator", normalise(name), {"name": name}, [sentence])
    defined = _SELF_DEFINED.search(text) if sentence.lang == "ja" else None
    if defined:
        yield Fact("self_reference", defined.group(1), {"name": defined.group(1)}, [sentence])
    defined_as = _SELF_DEFINED_AS.match(text) if sentence.lang == "ja" else None
    if defined_as:
        name = re.split(r"(?:及び|および|並びに|ならびに|又は|または|、)", defined_as.group(2))[0]
        name = name.strip()
        yield Fact("self_reference", defined_as.group(1), {"name": defined_as.group(1)}, [sentence])
        if not _DESCRIBED_NOT_NAMED.search(name):
            yield Fact("operator", normalise(name), {"name": name}, [sentence])
    self_reference = _SELF.search(text)
    if self_reference:
        before = text[: self_reference.start()]
        before = re.sub(
            r"[(（]\s*(?:hereinafter(?: referred to as)?|the|以下)?\s*$", "", before
        ).strip()
        tail = re.search(r"((?:[A-Z0-9][\w&.,'’-]*\s*){1,6})$|([^\s、。「」]{2,30})$", before)
        name = (tail.group(1) or tail.group(2)).strip(" ,、") if tail else ""
        if 1 < len(name) <= 60 and not re.match(r"(?i)^(?:this|the|privacy|policy)\b", name):
            yield Fact("operator", normalise(name), {"name": name}, [sentence])
    label = re.match(
        r"^(?:company name|operator name|事業者名|会社名|運営者|運営会社|商号|組織名|団体名|法人名"
        r"|名称\s*[（(]個人情報取扱事業者[)）]|個人情報取扱事業者(?:の名称)?)\s*[:：]\s*(.+)$",
        text,
        re.IGNORECASE,
    )
    if (
        label
        # a field of a form the user fills in (「- 組織名: 所属する組織の名称（任意）」 under 「取得する
        # 情報」) is data collected, not the operator
        and not (topic == "collect" and sentence.kind == "item")
        and not re.search(r"名称|[(（](?:任意|必須)[)）]|場合", label.group(1))
    ):
        yield Fact(
            "operator", normalise(label.group(1)), {"name": label.group(1).strip()}, [sentence]
        )
    representative = re.match(
        r"^(?:representative(?: director)?|operator|代表者|代表取締役|manager-in-charge of [\w ]+?)\s*[:：]\s*(.+)$",
        text,
        re.IGNORECASE,
    )
    if representative and not _ORG.search(representative.group(1)):
        person = representative.group(1).strip()
        role = "privacy_manager" if re.match(r"manager", text, re.IGNORECASE) else "representative"
        if role == "privacy_manager":
            words = person.split()
            person = " ".join(words[:2]) if len(words) > 2 else person
        yield Fact("representative", normalise(person), {"name": person, "role": role}, [sentence])
    department = re.match(
        r"^(?:department|部署|担当部署|担当)\s*[:：]\s*(.+)$", text, re.IGNORECASE
    )
    if department:
        yield Fact(
            "department",
            normalise(department.group(1)),
            {"name": department.group(1).strip()},
            [sentence],
        )
    if topic == "operator" and _ORG.search(text) and len(text) <= 60 and sentence.kind != "item":
        yield Fact("operator", normalise(text), {"name": text.strip()}, [sentence])
    address = re.match(r"^(?:address|所在地|住所)\s*[:：]\s*(.+)$", text, re.IGNORECASE)
    if (
        address
        or (topic == "operator" and _POSTAL.search(text) and sentence.kind != "heading")
        or (
            topic == "contact"
            and _POSTAL.search(text)
            and not _EMAIL.search(text)
            and not _PHONE.search(text)
        )
    ):
        value = address.group(1).strip() if address else text.strip()
        postal = _POSTAL.search(value)
        # a US address is keyed by its words, not by a state and ZIP code many addresses share
        key = (
            re.sub(r"[〒\s]", "", postal.group(0))
            if postal and not re.fullmatch(r"[A-Z]{2}\s\d{5}(?:-\d{4})?", postal.group(0))
            else normalise(value)
        )
        if len(value) > 8 and not _PLACEHOLDER.fullmatch(value):
            yield Fact(
                "address", key, {"text": value, "countries": countries_in(value)}, [sentence]
            )
    service = _SERVICE.search(text)
    if service:
        yield Fact(
            "service", normalise(service.group(1)), {"name": service.group(1).strip()}, [sentence]
        )
    public_body = (
        _PUBLIC_BODY_PROVIDES.match(text)
        if sentence.kind == "text"
        and len(sentence.section) <= 1
        and sentence.first
        and sentence.index <= 3
        else None
    )
    if public_body:
        name = (public_body.group(1) or public_body.group(2)).strip()
        yield Fact("operator", normalise(name), {"name": name}, [sentence])


_PUBLIC_BODY_PROVIDES = re.compile(
    r"^([^\s、。「」（(]{0,20}(?:省|庁|委員会|都庁|道庁|府庁|県庁|市役所|区役所|役場))は、(?:[^。]|。(?=[）)」]))*?(?:を|の)提供(?:し|いたし|に関し)"
    r"|^(?:The )?(?!(?:Our|Your|Their|Its|This|That)\b)((?:(?:[A-Z][\w'’-]*|of|and|for),?\s+){0,3}?(?:Ministry|Department|Agency|Office|Commission|Government|Prefecture|City)"
    r"(?:\s+of(?:\s+(?:[A-Z][\w'’-]*,?|and|the))+)?)\s+(?:is committed to|provides|operates|offers|is responsible for)\b"
)
"""A public body as the subject of a policy's opening sentence (「厚生労働省は、…アプリ…の提供に関し、…
本アプリを提供します。」, "The Ministry of Health, Labour and Welfare is committed to complying … in
the provision of the … Application"): the operator, which names itself with no 「以下「当社」」."""


# --- minors, changes, dates, jurisdictions, security --------------------------------------


def minors(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.norm
    if topic != "minors" and not re.search(
        r"under (?:the age of )?\d+|aged \d+|\d+ years? old|\d+\s*歳|未成年|children", text
    ):
        return
    for age in dates.ages_in(sentence.text):
        yield Fact("minors", f"minimum_age={age}", {"minimum_age": age}, [sentence])
    discovered = re.search(r"delete|削除", text) and re.search(
        r"aware|判明|collected|\b(?:unknowingly|inadvertently|accidentally) collect|\bwe (?:learn|discover)",
        text,
    )
    if discovered:
        yield Fact("minors", "on_discovery=delete", {"on_discovery": "delete"}, [sentence])
    if re.search(r"parent|guardian|保護者|親権者|法定代理人", text):
        yield Fact("minors", "guardian", {"guardian": True}, [sentence])


def changes(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.norm
    if topic not in {"changes", "purpose_change"} and not re.search(
        r"(?:this|the) (?:privacy )?policy (?:may|will) be (?:changed|revised|updated)|本ポリシー.*変更",
        text,
    ):
        return
    if topic == "purpose_change":
        yield Fact("changes", "purpose_change", {"text": sentence.text}, [sentence])
        return
    found = []
    without_notice = re.search(
        r"without (?:prior )?(?:notif\w*|notice)|予告(?:なく|無く|なしに|無しに)|通知することなく",
        text,
    )
    if without_notice and not (
        _NOT_WITHOUT_NOTICE.match(text, without_notice.end())
        or re.search(r"\b(?:not|never)\b[^.;,]{0,60}$", text[: without_notice.start()])
    ):
        found.append("without_notice")
    if not (
        re.search(r"効力発生日(?:を|から|まで|以降)", text) or _EFFECT_AFTER_POSTING.search(text)
    ) and re.search(
        r"(?:effect|effective).{0,60}(?:post|publish|release|掲載)|掲載した(?:時|とき)|公表した時"
        r"|\bpost(?:ed|ing)?\b.{0,60}\b(?:online|on (?:this|our|the) (?:page|web ?site|site|service))"
        r"|(?:オンライン|ウェブサイト|サイト|本ページ)(?:上)?(?:で|に)(?:遅滞なく|速やかに|直ちに)?(?:公開|掲載|投稿)"
        r"|(?:掲載|公開|公表)(?:によって|により|した(?:時点|時|とき)(?:から|より)?)[^。]{0,20}効力を(?:生じ|発し|有し)"
        r"|(?:この|本|当)(?:ページ|ウェブサイト|サイト)(?:上)?(?:で|に)[^。、]{0,16}を(?:公開|掲載|投稿)"
        r"|投稿(?:する|した|される)?(?:ことで|ことにより|時点)|投稿されてから",
        text,
    ):
        found.append("on_posting")
    days = re.search(
        r"(\d+)\)? (?:calendar |business )?days (?:in advance|before|after (?:they are |it is |being )?(?:initially |first )?(?:posted|published))|(\d+)日前"
        r"|(?:投稿|掲載|公開)されてから\s*(\d+)\s*日後",
        text,
    )
    if days:
        found.append(f"notice_days={next(g for g in days.groups() if g)}")
    if re.search(
        r"material changes?|significant changes?|substantive changes?|changes are substantive|重要な変更|重大な変更|実質的な変更",
        text,
    ):
        found.append("material_changes_only")
    if re.search(
        r"continued use.{0,100}(?:accept|consent|agree)|continue to use .{0,60}(?:accept|deemed)"
        r"|\bif you (?:continue to )?use (?:the|our) (?:\w+ ){0,2}after (?:any |the |such )?changes?\b(?:(?!\bnot\b|n't\b).){0,80}\byou (?:agree|accept|consent)|(?:継続して|引き続き).{0,40}(?:利用|使用).{0,40}(?:同意|承諾|変更後の内容)|ご利用いただいた場合.{0,30}同意いただいたものとみなし",
        text,
    ):
        found.append("continued_use_is_acceptance")
    if re.search(r"obtain (?:the )?user.?s? consent|ask for your consent|同意を得", text):
        found.append("consent_when_required")
    for key in found:
        yield _facts_for("changes", key, sentence, {"text": sentence.text})
    if re.search(r"notif|notice|announce|inform|tell|通知|お知らせ|連絡|周知|公表", text):
        yield from _notice_channels(sentence)


_NOT_WITHOUT_NOTICE = re.compile(
    r"[、,]?[^。、,]{0,30}?(?:こと(?:は|も)(?:ありません|ございません|いたしません|しません)|(?:し|いたし)ません)"
)
"""A change never made without notice (「予告なく本ポリシーを変更することはありません」, "We will not
change this Policy without notice"): no without_notice clause."""
_EFFECT_AFTER_POSTING = re.compile(
    r"(?:掲載|公開|公表|投稿)[^。]{0,20}(?:から|より)[^。]{0,20}(?:経過|後に|日後|週間後|か月後|ヶ月後|カ月後)"
    r"[^。]{0,20}効力"
)
"""A revision that takes effect a period after it is posted (「掲載した時から7日を経過した時点で効力を生じる」)
or on its stated effective date (「効力発生日から…適用します」) does not take effect on posting."""

_NOTICE_CHANNELS = (
    re.compile(
        r"\b(?:an? )?(?:announcements?|notices?|notifications?|posting) (?:on|at|in) (?:the |our |this )?(?:service|website|site|app)s?\b"
        r"|(?:関連する|当社の?|本)?(?:ウェブ)?サイト|本サービス|ホームページ|アプリ",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:an? )?(?:notifications? (?:to|sent to) |notice (?:to|sent to) )?(?:your |the )?(?:registered )?e-?mail(?: address(?:es)?)?\b|(?:電子)?メール",
        re.IGNORECASE,
    ),
)
"""Where a change is announced: on the site or service, by email; as the policy names them."""


def _notice_channels(sentence: Sentence) -> Iterator[Fact]:
    """'via announcement on the Service and notification to registered email addresses':
    each channel in the policy's words, and whether they are alternatives or combined."""
    spans = []
    for pattern in _NOTICE_CHANNELS:
        match = pattern.search(sentence.text)
        if match and match.group(0).strip():
            spans.append((match.start(), match.end()))
            words = match.group(0).strip()
            yield Fact(
                "notice_channel", normalise(words), {"text": words, "at": match.start()}, [sentence]
            )
    joined = join_of(sentence.text, spans)
    if joined:
        yield Fact("join", f"changes_channels={joined}", {"join": joined}, [sentence])


_DATE_KIND = (
    ("established", r"establish|制定"),
    ("revised", r"revis|改定|改訂|更新"),
    ("updated", r"last updated|最終更新|\bdated\b"),
    ("effective", r"effective|効力|発効|施行|有効日"),
)


_ONLY_A_DATE = re.compile(
    r"^\W*(?:version\s+[\d.]+,?\s+)?(?:(?:令和|平成)?\s*\d+\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[a-z]+\s+\d{4}|\d{4}-\d{2}-\d{2})\W*$",
    re.IGNORECASE,
)
"""A line that is only a date (after a version number, "Version 1.0.1, October 11, 2018"), at the
head of the policy: the date of the version published."""


def dated(sentence: Sentence, topic: str) -> Iterator[Fact]:
    found = dates.dates_in(sentence.text)
    if not found:
        return
    text = sentence.norm
    kind = next((name for name, pattern in _DATE_KIND if re.search(pattern, text)), None)
    if kind is None and sentence.index <= 5 and _ONLY_A_DATE.match(dates.fold(sentence.text)):
        kind = "updated"
    if kind is None:
        return
    if kind == "revised" and re.search(r"last updated|最終更新", text):
        kind = "updated"
    for _, day in found:
        yield Fact("date", f"{kind}={day.isoformat()}", {"kind": kind, "date": day}, [sentence])


def jurisdictions(sentence: Sentence, topic: str) -> Iterator[Fact]:
    text = sentence.norm
    if re.search(
        r"\bgdpr\b|general data protection regulation|一般データ保護規則", text
    ) and not re.search(r"such as (?:the )?gdpr|gdpr等", text):
        yield Fact("jurisdiction", "gdpr", None, [sentence])
    if re.search(r"\bccpa\b|\bcpra\b|california consumer privacy", text):
        yield Fact("jurisdiction", "ccpa", None, [sentence])
    if re.search(
        r"personal information protection (?:act|law)|protection of personal information act|act on the protection of personal information|個人情報(?:の)?保護(?:に関する)?法",
        text,
    ):
        yield Fact("jurisdiction", "appi", None, [sentence])
    authoritative = re.search(
        r"(japanese|english|日本語|英語)(?: version)?(?: of this privacy policy)?(?: is the| shall|版を|版が)[^.。]{0,20}(?:authoritative|prevail|優先|正本)",
        text,
    )
    if authoritative:
        lang = "ja" if authoritative.group(1) in {"japanese", "日本語"} else "en"
        yield Fact("language", f"authoritative={lang}", {"authoritative": lang}, [sentence])


_SECURITY_KIND = (
    (
        "technical",
        r"encrypt|hash|tls|ssl|password|firewall|monitor|penetration|access (?:control|rights)|暗号|アクセス制御|不正アクセス",
    ),
    ("human", r"employee|staff|training|pledge|従業者|従業員|教育"),
    ("physical", r"physical|storage and management of (?:the )?medi|媒体|入退室"),
    (
        "organizational",
        r"internal system|rules|review|person in charge|responsible|organi[sz]ation|規程|体制|責任者",
    ),
)


def security(sentence: Sentence, topic: str) -> Iterator[Fact]:
    if topic != "security" or sentence.kind == "heading" or _LEAD_IN.search(sentence.norm):
        return
    kind = next(
        (name for name, pattern in _SECURITY_KIND if re.search(pattern, sentence.norm)), None
    )
    if kind and (
        sentence.kind == "item" or not re.search(r"cannot be guaranteed|保証", sentence.norm)
    ):
        yield Fact(
            "security", normalise(sentence.text), {"kind": kind, "text": sentence.text}, [sentence]
        )


def definitions(sentence: Sentence, topic: str) -> Iterator[Fact]:
    if sentence.kind == "heading":
        return
    match = re.search(
        r"[\"“「]([^\"”」]{2,60})[\"”」](?:\s*\([^)]*\))?\s*(?:means|shall (?:refer to|mean)|refers to|とは)",
        sentence.text,
    )
    if match:
        yield Fact(
            "definition",
            normalise(match.group(1)),
            {"term": match.group(1), "meaning": sentence.text},
            [sentence],
        )


# --- the whole document -------------------------------------------------------------------

NOTE_TOPICS = {
    "cookies": "tracker_note",
    "security": "security_note",
    "retention": "retention_note",
    "transfer": "cross_border_note",
    "changes": "changes_note",
    "purpose_change": "purpose_change",
    "minors": "minors_note",
    "contact": "complaints_note",
    "rights": "rights_note",
    "share": "recipients_note",
    "collect": "categories_note",
    "purpose": "purposes_note",
    "operator": "operator_note",
    "definitions": "definitions_note",
    "": "other_note",
}


def _most_named(sentences: list[Sentence]) -> str:
    """The proper name the text uses most (in a policy, its operator: "Mozilla")."""
    counts = Counter(
        word
        for sentence in sentences
        for word in re.findall(r"(?<![\w.])([A-Z][a-z]\w{2,})\b", sentence.text)
        if word.lower() not in _NOT_A_NAME
    )
    return counts.most_common(1)[0][0] if counts else ""


_SELF_NAMED = re.compile(
    r"\b[Aa]t ([A-Z][\w.]+), we\b|\b[Oo]ur ([A-Z][\w.]+) [Pp]rivacy (?:[Pp]olicy|[Nn]otice|[Ss]tatement)\b|\b([A-Z][\w.]+) \((?:that.s us|[\"“]?we[\"”]?)[,)]"
)


def _self_named(sentences: list[Sentence]) -> str:
    """Names the operator gives itself ("At Mozilla, we …", "Mozilla (that's us)", "our Mozilla
    Privacy Policy"): never a recipient, even where the product, not the operator, is the name
    the text uses most."""
    return " ".join(
        next(g for g in match.groups() if g)
        for sentence in sentences
        for match in _SELF_NAMED.finditer(sentence.text)
    )


_HANDLES = re.compile(
    rf"(?:^|[.:;,] )({_NAME}) (?:also |will |may |then |only )*(?:receives|stores|collects|maintains|processes|uses|keeps|retains)\b"
)


def _handlers(sentences: list[Sentence]) -> frozenset[str]:
    """Names the text makes the subject of handling data more than twice ("Mozilla receives …",
    "Mozilla stores …", "Mozilla maintains …"): the operator, whose "Mozilla receives your data"
    names no recipient, while "Amazon receives and interprets your voice data", said once, does."""
    counts = Counter(
        normalise(match.group(1))
        for sentence in sentences
        if sentence.lang == "en"
        for match in _HANDLES.finditer(sentence.text)
    )
    return frozenset(name for name, count in counts.items() if count > 2)


def extract(sentences: list[Sentence]) -> Extraction:
    """Every fact the sentences state, one per (kind, key), each with its evidence."""
    has_purpose_section = any(topic_of(s) == "purpose" for s in sentences)
    title = " ".join(
        (
            next((s.text for s in sentences if s.kind == "heading"), ""),
            _most_named(sentences),
            _self_named(sentences),
        )
    )
    handlers = _handlers(sentences)
    found: list[Fact] = []
    for sentence in sentences:
        topic = topic_of(sentence)
        sentence_facts = [
            *categories(sentence, topic),
            *negations(sentence, topic),
            *purposes(sentence, topic, has_purpose_section),
            *recipients(sentence, topic, title, handlers),
            *transfers(sentence, topic),
            *trackers(sentence, topic),
            *retention(sentence, topic),
            *rights(sentence, topic),
            *contacts(sentence, topic),
            *operator(sentence, topic),
            *minors(sentence, topic),
            *changes(sentence, topic),
            *dated(sentence, topic),
            *jurisdictions(sentence, topic),
            *security(sentence, topic),
            *definitions(sentence, topic),
        ]
        if sentence.kind != "heading":
            for fact in sentence_facts:
                for qualifier in sorted(fact.qualifiers):
                    sentence_facts.append(
                        Fact(
                            "qualifier",
                            f"{qualifier}:{fact.kind}",
                            {"text": sentence.text},
                            [sentence],
                        )
                    )
        note = NOTE_TOPICS.get(topic)
        lead_in = bool(re.search(r"[:：]$|following|as follows|以下|次の|下記", sentence.norm))
        if not sentence_facts and note and sentence.kind != "heading" and not lead_in:
            sentence_facts.append(Fact("note", note, {}, [sentence]))
        found.extend(sentence_facts)
    collected = {f.key for f in found if f.kind == "category"}
    found = [
        f
        for f in found
        if not (
            f.kind == "negation"
            and f.key in collected
            and isinstance(f.value, dict)
            and _scoped_to_a_part(str(f.value.get("clause", "")))
        )
    ]
    denied = {
        f.key
        for f in found
        if f.kind == "negation"
        and _DENIES_COLLECTION.search(
            (isinstance(f.value, dict) and str(f.value.get("clause") or ""))
            or " ".join(s.norm for s in f.evidence)
        )
    }
    found = [
        f
        for f in found
        if not (
            f.kind in {"category", "obtained"}
            and f.key.split("=")[0] in denied
            and f.evidence
            and all(_only_a_destination(s, f.key.split("=")[0]) for s in f.evidence)
        )
    ]
    found = [
        f
        for f in found
        if not (
            f.kind == "purpose"
            and f.evidence
            and all(_heading_names_data_used_under_it(s, sentences) for s in f.evidence)
        )
    ]
    return Extraction(sentences, merged(found))


_DENIES_COLLECTION = re.compile(
    r"(?i)collect|obtain|acquir|gather|record|stor(?:e|ing)|retain|keep|request|\bask|取得|収集|記録|保存|保管|保持"
)
"""A denial of having the data at all («does not use the App to collect …», 「…を取得しません」), not
of selling or sharing it: only then does a mention of it as a destination say nothing of
collection («We do not sell your email address. Newsletters are sent to your email address.» is
a collected email address)."""
_DESTINATION_AFTER_JA = re.compile(
    r"\s*(?:(?:又は|または|や|、|及び|および)[^。、]{0,15}?)?(?:に|へ)(?:対し(?:て)?)?[^。、]{0,4}?(?:通知|送信|送付|送ら|届)"
)
_DESTINATION_BEFORE_EN = re.compile(
    r"\b(?:sent|send|delivered|communicated|notified|texted|emailed|forwarded) to (?:[\w'’-]+ ){0,8}$"
)


def _only_a_destination(sentence: Sentence, key: str) -> bool:
    """Is the data named in this sentence only as where something is sent («a Processing Number …
    sent to said App User's mobile telephone number or email address», 「…携帯電話番号又はメール
    アドレスに通知された処理番号」)? In a document that denies collecting it, such a mention says
    nothing of collection."""
    text = sentence.norm
    spans = [(start, end) for start, end, k in term_matches(text) if k == key]
    if not spans:
        return False
    if sentence.lang == "ja":
        return all(_DESTINATION_AFTER_JA.match(text[end:]) for _, end in spans)
    return all(_DESTINATION_BEFORE_EN.search(text[:start]) for start, _ in spans)


def _heading_names_data_used_under_it(heading: Sentence, sentences: list[Sentence]) -> bool:
    """A heading in a section about purposes that names the data the sentences under it say
    they use («1. Processing Number» over "… uses the Processing Number … to ensure …", 「1. 処理番号」
    over 「…の処理番号を使用します」): it heads that data's purposes and is none itself."""
    if heading.kind not in {"heading", "item"}:
        return False
    if heading.kind == "item" and (
        len(heading.norm.split()) > 4
        or (
            heading.lang == "ja"
            and (len(heading.norm) > 12 or _JA_PREDICATE_END.search(heading.norm))
        )
    ):
        return False
    core = re.sub(r"^[\s\d０-９()（）.．\-‐]+", "", normalise(heading.text)).strip()
    if not 2 <= len(core) <= 30:
        return False
    if heading.lang == "ja":
        used = re.compile(re.escape(core) + r"(?:を|は)[^。]{0,10}(?:使用|利用|用い)")
    else:
        used = re.compile(
            r"\b(?:uses?|use of|using) (?:the |its |their |this |such )?(?:[\w-]+ ){0,3}?"
            + re.escape(core)
            + r"\b"
        )
    if heading.kind == "item":
        # a short list item over sub-items («1. Daily Key» then "1. … uses the Daily Key …")
        at = next((i for i, s in enumerate(sentences) if s is heading), None)
        if at is None:
            return False
        return any(used.search(s.norm) for s in sentences[at + 1 : at + 3])
    own = normalise(heading.text)
    return any(
        s.kind != "heading"
        and s.section
        and normalise(s.section[-1]) == own
        and used.search(s.norm)
        for s in sentences
    )


_SCOPED_DENIAL = re.compile(r"\b(?:itself|themselves)\b|自体(?:は|では|が|も)")
"""A denial scoped to one part ("The `dotnet` command itself does not collect telemetry",
「dotnet コマンド自体は製品利用統計情報を回収しません」) in a document that says the data is
collected (by the tools the command launches): the part is contrasted with the rest, and the
service does not deny collecting it."""


def _scoped_to_a_part(clause: str) -> bool:
    """Is "itself"/「自体」 said of a part of the product, not of the data? "Your precise location
    itself is never collected", 「正確な位置情報自体は取得しません」 deny the data, however much else
    about it (an approximate location) the document says is collected."""
    match = _SCOPED_DENIAL.search(clause)
    return match is not None and not term_matches(clause[: match.start()])
