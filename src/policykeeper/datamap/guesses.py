"""Guesses from names, in English, Japanese and romaji: what a column holds, what a table is.

Each guess is a list of (pattern, answer) tried in order; patterns match whole words of a
snake_case or camelCase name, or any substring for names written in Japanese.
"""

from __future__ import annotations

import re

Word = str

CATEGORY_WORDS: list[tuple[tuple[Word, ...], str]] = [
    (("ip", "ipaddress", "remoteaddr", "ipaddr"), "user.device.ip_address"),
    (("email", "mail", "mailaddress", "e_mail", "メール", "メールアドレス"), "user.contact.email"),
    (
        ("phone", "tel", "telephone", "mobile", "keitai", "denwa", "電話", "電話番号"),
        "user.contact.phone_number",
    ),
    (("fax",), "user.contact.fax_number"),
    (
        ("zip", "zipcode", "postal", "postcode", "yubin", "yuubin", "郵便番号"),
        "user.contact.address.postal_code",
    ),
    (("prefecture", "todofuken", "state", "province", "都道府県"), "user.contact.address.state"),
    (("city", "shikuchoson", "town", "市区町村"), "user.contact.address.city"),
    (("country",), "user.contact.address.country"),
    (
        (
            "street",
            "banchi",
            "building",
            "番地",
            "line1",
            "line2",
            "line3",
            "line4",
            "address1",
            "address2",
        ),
        "user.contact.address.street",
    ),
    (("address", "addr", "jusho", "juusho", "住所"), "user.contact.address"),
    (
        (
            "birthday",
            "birthdate",
            "dob",
            "seinengappi",
            "tanjoubi",
            "tanjobi",
            "生年月日",
            "誕生日",
        ),
        "user.demographic.date_of_birth",
    ),
    (("gender", "sex", "seibetsu", "性別"), "user.demographic.gender"),
    (("age", "nenrei", "年齢"), "user.demographic.age_range"),
    (("password", "passwd", "pwd", "pass", "パスワード"), "user.authorization.password"),
    (("token", "secret", "credential", "apikey"), "user.authorization.credentials"),
    (("useragent", "ua", "browser", "os", "device", "platform"), "user.device.telemetry"),
    (("deviceid", "idfa", "adid", "udid"), "user.device.device_id"),
    (("cookie",), "user.device.cookie_id"),
    (
        ("latitude", "longitude", "lat", "lng", "lon", "geo", "location", "ichi", "位置"),
        "user.location.precise",
    ),
    (("card", "cardnumber", "last4", "pan"), "user.financial.credit_card"),
    (("bank", "iban", "koza", "kouza", "口座"), "user.financial.bank_account"),
    (("mynumber", "マイナンバー", "個人番号"), "user.government_id.my_number"),
    (("passport",), "user.government_id.passport_number"),
    (("license", "licence", "menkyo", "免許"), "user.government_id.drivers_license_number"),
    (
        ("avatar", "photo", "picture", "image", "icon", "gazou", "shashin", "写真", "画像"),
        "user.content.self_image",
    ),
    (("firstname", "givenname", "forename", "mei", "名"), "user.name.first"),
    (("lastname", "familyname", "surname", "sei", "姓"), "user.name.last"),
    (
        ("nickname", "displayname", "handle", "handlename", "ニックネーム", "表示名"),
        "user.name.display",
    ),
    (("username", "login", "loginid", "account"), "user.account.username"),
    (
        (
            "name",
            "fullname",
            "shimei",
            "namae",
            "kana",
            "furigana",
            "氏名",
            "名前",
            "フリガナ",
            "カナ",
        ),
        "user.name",
    ),
    (("bio", "profile", "introduction", "jikoshokai", "自己紹介"), "user.demographic.profile"),
    (
        ("occupation", "job", "jobtitle", "shokugyo", "職業", "役職"),
        "user.professional_information.job_title",
    ),
    (
        ("company", "employer", "workplace", "kinmusaki", "勤務先", "会社"),
        "user.professional_information.workplace",
    ),
    (("language", "locale", "lang", "gengo", "言語"), "user.demographic.language"),
    (("search", "query", "keyword", "kensaku", "検索"), "user.behavior.search_history"),
    (("url", "path", "page", "referer", "referrer"), "user.behavior.browsing_history"),
    (
        ("position", "progress", "watched", "played", "duration", "seconds", "視聴"),
        "user.behavior.media_consumption",
    ),
    (
        (
            "amount",
            "price",
            "total",
            "quantity",
            "qty",
            "subtotal",
            "kingaku",
            "金額",
            "数量",
            "coins",
        ),
        "user.behavior.purchase_history",
    ),
    (
        (
            "message",
            "body",
            "comment",
            "content",
            "text",
            "note",
            "notes",
            "memo",
            "details",
            "inquiry",
            "naiyou",
            "内容",
            "本文",
            "備考",
        ),
        "user.content.private",
    ),
]
"""Column words and the category they suggest, most specific first."""

OTHER_PERSON_TABLE = (
    "staff",
    "staffs",
    "employee",
    "employees",
    "admin",
    "admins",
    "administrator",
    "administrators",
    "operator",
    "operators",
    "agent",
    "agents",
    "moderator",
    "moderators",
    "manager",
    "managers",
    "rep",
    "reps",
    "representative",
    "worker",
    "workers",
    "shain",
    "jugyoin",
    "tantousha",
    "tantosha",
    "社員",
    "従業員",
    "担当者",
    "スタッフ",
    "管理者",
)
OTHER_PERSON_COLUMN = (
    "created_by",
    "updated_by",
    "deleted_by",
    "modified_by",
    "approved_by",
    "reviewed_by",
    "handled_by",
    "resolved_by",
    "assigned_to",
    "assignee",
    "invited_by",
    "referred_by",
    "referrer",
    "referrer_id",
    "inviter_id",
    "manager_id",
    "staff_id",
    "employee_id",
    "agent_id",
    "rep_id",
    "support_rep_id",
    "operator_id",
    "moderator_id",
    "admin_id",
    "parent_id",
    "tantousha_id",
)
CATALOGUE_WORDS = (
    "product",
    "products",
    "item",
    "items",
    "episode",
    "episodes",
    "video",
    "videos",
    "series",
    "title",
    "titles",
    "work",
    "works",
    "category",
    "categories",
    "tag",
    "tags",
    "genre",
    "genres",
    "city",
    "cities",
    "country",
    "countries",
    "prefecture",
    "prefectures",
    "region",
    "regions",
    "plan",
    "plans",
    "sku",
    "skus",
    "catalog",
    "catalogue",
    "brand",
    "brands",
    "store",
    "stores",
    "shop",
    "shops",
    "warehouse",
    "warehouses",
    "currency",
    "currencies",
    "movie",
    "movies",
    "song",
    "songs",
    "track",
    "tracks",
    "album",
    "albums",
    "course",
    "courses",
    "shohin",
    "shouhin",
    "商品",
    "作品",
    "店舗",
    "カテゴリ",
)
DEPENDENT_WORDS = (
    "address",
    "addresses",
    "addr",
    "profile",
    "profiles",
    "contact",
    "contacts",
    "detail",
    "details",
    "setting",
    "settings",
    "preference",
    "preferences",
    "prefs",
    "jusho",
    "住所",
    "avatar",
    "avatars",
    "card",
    "cards",
    "wallet",
    "wallets",
    "bank_account",
    "bank_accounts",
    "billing",
    "identity",
    "identities",
    "kyc",
)
TRANSACTION_WORDS = (
    "order",
    "orders",
    "purchase",
    "purchases",
    "payment",
    "payments",
    "invoice",
    "invoices",
    "transaction",
    "transactions",
    "ledger",
    "payout",
    "payouts",
    "billing",
    "receipt",
    "receipts",
    "charge",
    "charges",
    "refund",
    "refunds",
    "tip",
    "tips",
    "booking",
    "bookings",
    "reservation",
    "reservations",
    "yoyaku",
    "予約",
    "torihiki",
    "kessai",
    "chumon",
    "chuumon",
    "注文",
    "決済",
    "取引",
    "購入",
    "支払",
)
LOG_WORDS = (
    "log",
    "logs",
    "access",
    "accesses",
    "event",
    "events",
    "audit",
    "history",
    "rireki",
    "履歴",
    "ログ",
)
RESTRICTION_COLUMNS = (
    "processing_restricted",
    "restricted",
    "is_restricted",
    "suspended",
    "is_suspended",
    "riyou_teishi",
    "利用停止",
)
CLOCK_COLUMNS = (
    "created_at",
    "created",
    "created_on",
    "ordered_at",
    "paid_at",
    "occurred_at",
    "timestamp",
    "logged_at",
    "inserted_at",
    "sakusei_nichiji",
    "登録日時",
    "作成日時",
)
IDENTITY_KINDS = (
    ("email", "user.contact.email"),
    ("phone", "user.contact.phone_number"),
    ("login", "user.account.username"),
)


def words(name: str) -> list[str]:
    """snake_case, camelCase and kebab-case words, lowercased; Japanese stays whole."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[_\-\s.]+", spaced.lower()) if w]


def _japanese(name: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in name)


def mentions(name: str, vocabulary: tuple[str, ...]) -> bool:
    parts = words(name)
    joined = "".join(parts)
    for word in vocabulary:
        if _japanese(word):
            if word in name:
                return True
        elif word in parts or word == joined or word == "_".join(parts):
            return True
    return False


def category_of(column: str) -> str | None:
    parts = words(column)
    joined = "".join(parts)
    if parts and parts[-1] == "id" and len(parts) > 1 and joined not in ("deviceid", "loginid"):
        return None
    for vocabulary, category in CATEGORY_WORDS:
        for word in vocabulary:
            if _japanese(word):
                if word == column or (len(word) > 1 and word in column):
                    return category
            elif word in parts or word == joined:
                return category
    return None


def is_other_person_table(table: str) -> bool:
    return mentions(table, OTHER_PERSON_TABLE)


def is_other_person_column(column: str) -> bool:
    name = column.lower()
    return name in OTHER_PERSON_COLUMN or name.endswith("_by")


def is_catalogue(table: str) -> bool:
    parts = words(table)
    return bool(parts) and mentions(parts[-1], CATALOGUE_WORDS) and not is_transaction(table)


def is_dependent(table: str) -> bool:
    """A person's own detail row: an address (also a compound: shippingaddress), a profile."""
    if mentions(table, DEPENDENT_WORDS):
        return True
    parts = words(table)
    return bool(parts) and any(
        parts[-1].endswith(word) for word in DEPENDENT_WORDS if len(word) > 5 and word.isascii()
    )


def is_transaction(table: str) -> bool:
    return mentions(table, TRANSACTION_WORDS)


def is_amount(column: str) -> bool:
    """An amount, price or quantity: what a transaction record is kept for."""
    return category_of(column) == "user.behavior.purchase_history"


def is_log(table: str) -> bool:
    return mentions(table, LOG_WORDS)
