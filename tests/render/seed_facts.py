"""The five seed policies' key facts, and the sentences they never wrote.

Each `Fact` is something the original policy says (a name, period, fee, deadline, channel,
recipient or country), as it must read in the Japanese and the English rendering ('a|b': either
wording). `altered`
lists wordings that mean the fact was changed (a qualifier dropped, "or" turned into "and").
Each `Invented` is a sentence the original never wrote; `limit` allows it that many times where
the original says it once (e.g. "free of charge" for disclosure only).

`count(name, ja, en)` classifies a rendering: facts present, changed, missing, and inventions
added. `tests/render/test_fidelity.py` requires every fact present and no invention; the report
`tests/render/fidelity_report.py` prints the counts for any pair of renderings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fact:
    what: str
    ja: tuple[str, ...]
    en: tuple[str, ...]
    altered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invented:
    what: str
    ja: str | None
    en: str | None
    limit: int = 0


@dataclass(frozen=True)
class Seed:
    seed: str
    facts: list[Fact] = field(default_factory=list)
    invented: list[Invented] = field(default_factory=list)


def fact(what: str, ja: str | tuple[str, ...], en: str | tuple[str, ...], *altered: str) -> Fact:
    as_tuple = lambda v: (v,) if isinstance(v, str) else v  # noqa: E731
    return Fact(what, as_tuple(ja), as_tuple(en), altered)


NOT_STATED_ON_REQUEST = Invented(
    "'answered on request' where the policy says nothing",
    "本人の求めに応じて遅滞なく回答します",
    "Provided without delay on request",
)
COMMON = [
    Invented(
        "a Telecommunications Business Act claim",
        "電気通信事業法",
        "Telecommunications Business Act",
    ),
    Invented("a GPC promise", "Global Privacy Control", "Global Privacy Control"),
    Invented("a raw 'not stated' token", "取得方法の記載なし", "Not stated"),
    Invented(
        "'not sent' for a cookie", "外部への送信はありません", "Nothing is sent to other parties"
    ),
    Invented(
        "'we do not keep it longer' for unswept data",
        "記載の期間を超えて保存しません",
        "we do not keep them longer than stated",
    ),
    Invented("'telling you why' for an extension", "理由をお知らせしたうえで", "telling you why"),
    Invented("agents for every request", "本人又はその代理人は", "or an agent acting for you"),
    Invented("'mainly' for the recipients", "主な提供先", "mainly to the following"),
]

SEEDS: dict[str, Seed] = {
    "ainema": Seed(
        "000",
        [
            fact("operator", "AInema運営事務局", "AInema Operations"),
            fact("representative", "荒谷 貴斗", "Takato Araya"),
            fact(
                "address",
                "〒150-0021 東京都渋谷区恵比寿西2-4-8 ウィンド恵比寿ビル8F",
                "Wind Ebisu Bldg. 8F, 2-4-8 Ebisu-Nishi, Shibuya-ku, Tokyo 150-0021, Japan",
            ),
            fact("contact email", "contact@ainema.tv", "contact@ainema.tv"),
            fact("operated in Japan", "日本国内で運営", "operated in Japan"),
            fact(
                "card numbers not stored",
                "カード番号は当社では保存せず",
                "the Company does not store them",
            ),
            fact(
                "PayPay authentication data not stored",
                "決済認証情報は当社では保存せず",
                "Payment authentication data is processed by PayPay Corporation",
            ),
            fact(
                "categories",
                (
                    "氏名（表示名）",
                    "パスワード（ハッシュ化して保存）",
                    "コイン残高・利用履歴",
                    "Stripe Connect経由",
                    "視聴履歴（視聴したエピソード、視聴時間、再生位置）",
                ),
                (
                    "Name (display name)",
                    "Password (stored in hashed form)",
                    "Coin balance and usage history",
                    "via Stripe Connect",
                    "playback position",
                ),
            ),
            fact(
                "purposes",
                (
                    "サービスの提供・運営",
                    "決済処理",
                    "レコメンド",
                    "分析・改善",
                    "お知らせ",
                    "カスタマーサポート",
                    "法令遵守",
                ),
                (
                    "Service provision and operation",
                    "Payment processing",
                    "Recommendations",
                    "Analysis and improvement",
                    "Notifications",
                    "Customer support",
                    "Legal compliance",
                ),
            ),
            fact(
                "service providers",
                (
                    "Stripe, Inc.",
                    "Amazon Web Services (AWS)",
                    "Vercel Inc.",
                    "Neon Inc.",
                    "PayPay株式会社",
                    "株式会社デジタルフィンテック（デジコ）",
                ),
                (
                    "Stripe, Inc.",
                    "Amazon Web Services (AWS)",
                    "Vercel Inc.",
                    "Neon Inc.",
                    "PayPay Corporation",
                    "Digital Financial Technology, Inc. (Digico)",
                ),
            ),
            fact(
                "what each provider does",
                (
                    "決済処理（クレジットカード決済、クリエイターへの支払い）",
                    "メディアファイルの保存・配信（S3、CloudFront）",
                    "データベースのホスティング",
                ),
                (
                    "Payment processing (credit card payments, creator payouts)",
                    "Media file storage and delivery (S3, CloudFront)",
                    "Database hosting",
                ),
            ),
            fact("legal requests, court order included", "裁判所の命令", "court order"),
            fact(
                "rights' protection exception",
                "当社の権利、財産又は安全を保護するために必要な場合",
                "to protect our rights, property or safety",
            ),
            fact(
                "transfers to the US",
                ("米国", "適切な保護措置"),
                ("United States", "Appropriate safeguards"),
            ),
            fact(
                "session cookie",
                ("ainema_session", "ログイン状態の維持"),
                ("ainema_session", "Maintaining login state"),
            ),
            fact(
                "refusing cookies in the browser",
                "ブラウザの設定によりCookieの受け入れを拒否できます",
                "refuse cookies through your browser settings",
            ),
            fact(
                "account retention",
                ("アカウントが有効な間、及び削除後30日間", "30日"),
                ("plus 30 days after deletion", "30 days"),
            ),
            fact(
                "transaction retention",
                ("7年", "法定保存期間"),
                ("7 years", "Statutory retention period"),
            ),
            fact(
                "access log retention", ("12か月", "最長12か月"), ("12 months", "Up to 12 months")
            ),
            fact(
                "content report retention",
                ("1年", "対応の完了時"),
                ("1 year", "Resolution of the matter"),
            ),
            fact(
                "subject lines",
                ("件名「個人情報開示請求」", "件名「個人情報訂正請求」"),
                (
                    '"Personal Information Disclosure Request"',
                    '"Personal Information Correction Request"',
                ),
            ),
            fact(
                "identity check: either",
                "ご登録のメールアドレスの確認又はアカウント情報の確認",
                "Confirming your registered email address or confirming your account information",
                "アカウントへのログイン",
                "Signing in to your account",
            ),
            fact(
                "two weeks as a general rule",
                "原則として2週間以内",
                "Within 2 weeks, as a general rule",
                "2週間以内",
                "Within 2 weeks",
            ),
            fact(
                "a reasonable period after verification",
                "合理的な期間内に回答します",
                "we will respond within a reasonable period",
            ),
            fact("no fee for disclosure", "無料", "Free of charge"),
            fact(
                "security measures",
                (
                    "bcrypt",
                    "TLS/SSL",
                    "アクセス制御の管理",
                    "不正アクセスの監視",
                    "定期的なセキュリティレビュー",
                ),
                (
                    "bcrypt",
                    "TLS/SSL",
                    "Access control management",
                    "Unauthorized access monitoring",
                    "Regular security reviews",
                ),
            ),
            fact(
                "no complete security",
                "完全な安全性を保証するものではありません",
                "complete security of data transmission over the internet cannot be guaranteed",
            ),
            fact(
                "adults only",
                ("18歳以上", "意図的に取得することはありません", "速やかに削除"),
                ("18 or older", "does not intentionally collect", "promptly delete"),
            ),
            fact(
                "14 days' notice, endeavoured",
                ("14日前までに", "お知らせするよう努めます"),
                ("at least 14 days", "we will endeavour to tell you"),
                "14日前までに、本サービス上でのお知らせ及びご登録のメールアドレスへの通知によりお知らせします。",
            ),
            fact(
                "notice on the Service and by email",
                "本サービス上でのお知らせ及びご登録のメールアドレスへの通知",
                "announcement on the Service and notification to registered email addresses",
            ),
            fact(
                "continued use is acceptance", "同意いただいたものとみなします", "deemed to accept"
            ),
            fact("last updated", ("2026年3月23日", "最終更新"), ("March 23, 2026", "Last updated")),
            fact(
                "Japanese is authoritative",
                "日本語版を正本",
                "The Japanese version of this Privacy Policy is authoritative",
            ),
        ],
        [
            *COMMON,
            Invented(
                "a change clause taking effect on posting",
                "掲載した時点から効力を生じます",
                "A revised Policy takes effect when it is posted",
            ),
            Invented(
                "a consent requirement for the analytics cookie", "同意が必要", "Consent required"
            ),
            Invented("an 'equivalent system' safeguard", "基準に適合する体制", "APPI Art. 28"),
            Invented("a statute for the 7 years", "法人税法", "Corporation Tax Act"),
            Invented("AInema as the cookies' provider", "AInema（当社）", "AInema (our own)"),
            Invented("a complaints window", "苦情・相談は", "Please send complaints"),
            Invented("electronic disclosure", "電磁的記録の提供", "Electronically"),
            Invented("'viewers' as a kind of user", "視聴者", "Viewer"),
            Invented("required fields", "必須・任意", "Required?"),
            Invented("free of charge beyond disclosure", "無料", "Free of charge", limit=1),
            Invented("a hard two weeks for every right", "2週間", "2 weeks", limit=1),
        ],
    ),
    "allin-studio": Seed(
        "001",
        [
            fact("operator", "ALL IN CO.,LTD.", "ALL IN CO.,LTD."),
            fact("brand", "ALLIN STUDIO", "ALLIN STUDIO"),
            fact(
                "address",
                "〒150-0011 東京都渋谷区東1-3-5 MORE-EXCELLENCE 2階",
                "2nd Floor, MORE-EXCELLENCE, 1-3-5 Higashi, Shibuya-ku, Tokyo 150-0011, Japan",
            ),
            fact("department", "Film Production Group", "Film Production Group"),
            fact("email", "filmproduction@allhero.co.jp", "filmproduction@allhero.co.jp"),
            fact(
                "definitions",
                ("個人情報", "履歴情報及び特性情報"),
                ("Personal Information", "History Information and Characteristic Information"),
            ),
            fact(
                "registration data",
                ("生年月日", "銀行口座番号", "クレジットカード番号", "運転免許証番号"),
                (
                    "Date of birth",
                    "Bank account number",
                    "Credit card number",
                    "Driver's licence number",
                ),
            ),
            fact(
                "partners",
                "情報提供元、広告主、広告配信先",
                "information providers, advertisers and advertising distribution destinations",
            ),
            fact("certified mail", "配達証明付き郵便の到達結果", "certified mail"),
            fact(
                "creators' data",
                ("ポートフォリオのURL", "使用可能なAIツール", "過去の実績"),
                ("Portfolio URL", "AI tools the creator can use", "Past achievements"),
            ),
            fact(
                "WORKS with separate consent",
                ("制作実績（WORKS）", "別途ご本人の同意を得た範囲"),
                ("WORKS", "separately consented"),
            ),
            fact("incidental purposes", "付随する目的", "incidental"),
            fact(
                "consent exceptions",
                (
                    "法令に基づく場合",
                    "人の生命、身体又は財産の保護",
                    "公衆衛生の向上",
                    "国の機関若しくは地方公共団体",
                ),
                (
                    "Where required by laws and regulations",
                    "life, body or property",
                    "public health",
                    "national or local government",
                ),
            ),
            fact(
                "announced opt-out items",
                ("第三者に提供されるデータの項目", "提供を停止すること"),
                (
                    "the items of data provided to third parties",
                    "will stop at the person's request",
                ),
            ),
            fact(
                "not third parties",
                ("委託する場合", "事業の承継", "共同して利用する場合"),
                ("entrust the handling", "business succession", "used jointly"),
            ),
            fact("disclosure fee", ("1件あたり1,000円",), ("JPY 1,000 per case",)),
            fact(
                "disclosure without delay",
                "遅滞なくこれを開示します",
                "discloses it to them without delay",
            ),
            fact(
                "refusal grounds",
                (
                    "生命、身体、財産その他の権利利益を害するおそれ",
                    "業務の適正な実施に著しい支障",
                    "その他法令に違反することとなる場合",
                ),
                (
                    "life, body, property or other rights and interests",
                    "significantly impede",
                    "otherwise violate laws",
                ),
            ),
            fact(
                "history information withheld in principle",
                "原則として開示いたしません",
                "is not disclosed in principle",
            ),
            fact(
                "correction by the Company's procedure",
                "当社が定める手続により",
                "following the procedure the Company sets",
            ),
            fact(
                "suspension grounds",
                ("利用目的の範囲を超えて", "不正の手段により取得された"),
                ("beyond the scope of the purposes of use", "obtained by improper means"),
            ),
            fact("alternative measures", "これに代わるべき措置", "alternative measures"),
            fact(
                "changes without notice",
                "事前に通知することなく|事前の通知なく",
                "without notifying you in advance|without prior notice",
            ),
            fact(
                "effective on posting unless provided otherwise",
                "当社が別途定める場合を除いて",
                "Except as the Company provides otherwise",
            ),
        ],
        [
            *COMMON,
            NOT_STATED_ON_REQUEST,
            Invented(
                "a change clause taking effect on posting",
                "掲載した時点から効力を生じます",
                "A revised Policy takes effect when it is posted",
            ),
            Invented(
                "GDPR legal bases in an APPI policy", "法的根拠（GDPR）", "Legal basis (GDPR)"
            ),
            Invented("a GDPR article", "第6条第1項", "Art. 6(1)"),
            Invented("a complaints window", "苦情・相談は", "Please send complaints"),
            Invented("free correction and suspension", "無料", "Free of charge"),
        ],
    ),
    "jasminai": Seed(
        "002",
        [
            fact(
                "joint controllers",
                ("JWS Americas S.à r.l.", "JWS International S.à r.l."),
                ("JWS Americas S.à r.l.", "JWS International S.à r.l."),
            ),
            fact("registrations", ("B 249539", "B 249566"), ("B 249539", "B 249566")),
            fact(
                "address",
                "44, Avenue John F. Kennedy, L-1855 Luxembourg",
                "44, Avenue John F. Kennedy, L-1855 Luxembourg",
            ),
            fact(
                "emails",
                ("dsr@jwsprivacy.com", "dpo@jasmin.ai"),
                ("dsr@jwsprivacy.com", "dpo@jasmin.ai"),
            ),
            fact("joint arrangement under Art. 26", "GDPR第26条", "Article 26 GDPR"),
            fact("authority", "CNPD", "CNPD"),
            fact(
                "guests' data, normally", "原則として15日", "15 days, as a rule", "15日", "15 days"
            ),
            fact("identity proofs, typically", "原則として5日", "5 days, as a rule"),
            fact("logs", "120日", "120 days"),
            fact("financial records", ("10年", "ルクセンブルク法"), ("10 years", "Luxembourg law")),
            fact("former usernames", "5年", "5 years"),
            fact("inactive accounts", "1年", "1 year"),
            fact("backups", "30日", "30 days"),
            fact("answer within a month", "1か月以内", "Within 1 month"),
            fact(
                "complex requests within 60 days",
                ("ご請求が複雑な場合や多数に及ぶ場合", "60日以内"),
                ("Where requests are complex or numerous", "60 days"),
                "さらに2か月",
                "2 months",
            ),
            fact(
                "free, unless excessive",
                ("無料", "明らかに根拠のない"),
                ("Free of charge", "manifestly unfounded"),
            ),
            fact(
                "in-account channels",
                ("「データのダウンロード」", "「プライバシー設定」", "「データを忘れる」"),
                ('"Download my data"', '"Privacy Settings"', '"Forget my data"'),
            ),
            fact(
                "CCPA: twice in 12 months, 12 months back",
                ("12か月につき2回まで", "過去12か月"),
                ("Up to 2 per 12 months", "Covers the past 12 months"),
            ),
            fact("CCPA: no sale", "販売していません", "We do not sell"),
            fact("CCPA: agents", "授権された代理人", "authorized agent"),
            fact(
                "CCPA: non-discrimination",
                "差別的な取扱いを受けない権利",
                "not to be discriminated against",
            ),
            fact(
                "DNT as an opt-out under the CCPA",
                "CCPAに基づくオプトアウトの請求",
                "opt-out request under the CCPA",
            ),
            fact(
                "group companies",
                (
                    "Byborg IP S.à r.l.",
                    "Docler SSC Kft",
                    "Escalion S.à r.l.",
                    "Duodecad IT Services Luxembourg S.à r.l.",
                ),
                (
                    "Byborg IP S.à r.l.",
                    "Docler SSC Kft",
                    "Escalion S.à r.l.",
                    "Duodecad IT Services Luxembourg S.à r.l.",
                ),
            ),
            fact(
                "group countries",
                ("ルクセンブルク", "ハンガリー", "米国"),
                ("Luxembourg", "Hungary", "United States"),
            ),
            fact(
                "service providers",
                ("Hotjar", "Google Analytics", "Emarsys"),
                ("Hotjar", "Google Analytics", "Emarsys"),
            ),
            fact(
                "standard contractual clauses outside the EEA",
                "標準契約条項",
                "standard contractual clauses",
            ),
            fact(
                "personalisation cookie with explicit consent",
                ("gravity_cookie", "明示的に同意"),
                ("gravity_cookie", "explicit consent"),
            ),
            fact(
                "sexual preferences as a GDPR special category",
                "特別な種類の個人データ（GDPR第9条）",
                "Special category of personal data (GDPR Art. 9)",
            ),
            fact(
                "never for marketing",
                "マーケティングに利用することは決してありません",
                'never use data classified as "sensitive" for marketing',
            ),
            fact(
                "no third-party passwords",
                "パスワードを当社が受け取ったり保存したりすることはありません",
                "We do not receive or store your third-party account passwords",
            ),
            fact(
                "camera never recorded",
                "映像や音声を録画・録音したり保存したりすることは一切ありません",
                "we never record or keep your camera feed or audio",
            ),
            fact("card: last four digits only", "下4桁", "last four digits"),
            fact(
                "anonymised AI training with opt-out",
                ("匿名化した情報", "オプトアウト"),
                ("Anonymized information", "opt out"),
            ),
            fact(
                "material changes on the site or by email",
                "関連するサイトへの掲載又はメールなどによる直接のご連絡",
                "a notice on the relevant site or direct contact, e.g. by email",
                "関連するサイトへの掲載及びメールなどによる直接のご連絡",
                "a notice on the relevant site and direct contact",
            ),
            fact("adult site", "18歳以上", "18 or older"),
            fact("English is authoritative", "英語版を正本", "authoritative in English"),
        ],
        [
            *COMMON,
            Invented(
                "a change clause taking effect on posting",
                "掲載した時点から効力を生じます",
                "A revised Policy takes effect when it is posted",
            ),
            Invented(
                "要配慮個人情報 for a GDPR category",
                "要配慮個人情報",
                "Sensitive personal information",
            ),
            Invented("the UK in the GDPR section", "英国", "United Kingdom"),
            Invented("CCPA deadlines never stated", "45日", "45 days"),
            Invented("a CCPA acknowledgment never stated", "10営業日", "10 business days"),
            Invented(
                "APPI's 匿名加工情報 for ordinary anonymisation",
                "匿名加工情報",
                "Anonymized and pseudonymized information",
            ),
            Invented("APPI's 仮名加工情報 for ordinary pseudonymisation", "仮名加工情報", None),
            Invented("関係会社 for affiliate webmasters", "関係会社", "Affiliates"),
            Invented(
                "SCCs for providers whose country is unknown",
                "標準契約条項（SCC）の締結",
                "Standard contractual clauses (SCCs)",
                limit=2,
            ),
            Invented(
                "a broken join",
                "法令上の義務の履行（法令上の義務の履行）",
                "Legal obligations (Legal obligations)",
            ),
            Invented(
                "'no identity check is needed' joined with 'or'",
                "本人確認は不要です",
                "No identity check is needed",
            ),
            Invented(
                "continued use as acceptance", "同意いただいたものとみなします", "deemed to accept"
            ),
            Invented(
                "a CCPA 12-month collection claim",
                "過去12か月間に次の種類の個人情報を取得し",
                "In the past 12 months we collected",
            ),
            Invented(
                "a consent exception list the policy never wrote",
                "あらかじめ本人の同意を得ることなく",
                "without your prior consent, except",
            ),
        ],
    ),
    "audiostock": Seed(
        "003",
        [
            fact("operator", "株式会社オーディオストック", "Audiostock Inc."),
            fact(
                "address",
                "〒700-0816 岡山県岡山市北区富田町1-6-10 Toko Daiichi Bldg. 2階",
                "2F, Toko Daiichi Bldg., 1-6-10 Tondacho, Kita-ku, Okayama 700-0816, Japan",
            ),
            fact("inquiry center", "お問い合わせセンター", "Inquiry Center"),
            fact("phone", "+81-86-250-8981", "+81-86-250-8981"),
            fact("hours", "平日10:00〜18:00（日本時間）", "Weekdays, 10:00-18:00 Japan time"),
            fact(
                "history",
                ("2018年10月17日", "2019年4月23日", "2019年8月6日", "2020年7月1日"),
                ("October 17, 2018", "April 23, 2019", "August 6, 2019", "July 1, 2020"),
            ),
            fact(
                "provided data",
                ("郵便番号", "生年月日", "銀行口座情報", "クレジットカード情報"),
                (
                    "Postal code",
                    "Date of birth",
                    "Bank account information",
                    "Credit card information",
                ),
            ),
            fact(
                "purposes",
                (
                    "本サービスの運営・提供・維持・改善のため",
                    "ユーザーへのご連絡、お知らせ、情報提供及びご対応のため",
                    "統計データの作成及び第三者への提供のため",
                    "ターゲティング広告",
                ),
                (
                    "To operate, provide, maintain and improve the Services",
                    "To contact the User",
                    "To generate statistical data and provide it to third parties",
                    "Targeted advertising",
                ),
            ),
            fact(
                "joint use for Audiostock Artists",
                ("「Audiostock Artists」", "共同利用"),
                ('"Audiostock Artists"', "Joint use"),
            ),
            fact("responsible for the joint use", "株式会社オーディオストック", "Audiostock Inc."),
            fact("outsourcing with confidentiality", "秘密保持契約", "confidentiality agreement"),
            fact("module providers", "情報収集モジュール", "information-gathering module"),
            fact(
                "advertising providers' conditions",
                ("前記の目的にのみ利用することを条件", "同一の条件"),
                ("used only for the purpose above", "the same condition"),
            ),
            fact(
                "exceptions",
                (
                    "公序良俗に反する行為",
                    "生命又は財産に対する差し迫った危険",
                    "裁判所、警察等の公的機関",
                ),
                (
                    "public order and morals",
                    "immediate threat to life or property",
                    "courts or the police",
                ),
            ),
            fact(
                "postal application together with an ID copy",
                "郵送による申請及び本人確認書類の提出",
                "An application by post and an identity document",
                "郵送による申請又は本人確認書類の提出",
                "An application by post or an identity document",
            ),
            fact(
                "agent's authority",
                "代理権を証する書面",
                "a document verifying the agent's authority",
            ),
            fact(
                "registered-mail cost on each request",
                ("実費", "書留郵便", "金額は当社が別途定めます"),
                ("Actual cost", "registered mail", "we specify the amount separately"),
            ),
            fact("representative director in charge", "代表取締役", "Representative Director"),
            fact(
                "retention while lawfully needed",
                "適法かつ正当に必要な期間",
                "lawfully and properly necessary",
            ),
            fact(
                "consent where the law requires it",
                "あらかじめ本人の同意を得ます",
                "we will ask for your consent first",
            ),
            fact(
                "disclaimer and external links",
                ("免責", "外部サービスへのリンク"),
                ("Disclaimer", "Links to external services"),
            ),
        ],
        [
            *COMMON,
            NOT_STATED_ON_REQUEST,
            Invented(
                "a statutory deadline the policy never printed",
                "法令の定める期限",
                "the time limit set by law",
            ),
            Invented("a dangling reference to a table column", "右欄", "right-hand column"),
            Invented("a dangling reference to an article", "前条", "preceding article"),
            Invented(
                "a raw tracker key",
                "information-gathering-modules",
                "information-gathering-modules",
            ),
            Invented("'no consent needed' for the modules", "同意不要", "No consent needed"),
            Invented("free corrections", "無料", "Free of charge"),
        ],
    ),
    "nicori": Seed(
        "004",
        [
            fact("shop", "Nicori", "Nicori"),
            fact(
                "manager, as the policy gives the name",
                ("Mami Minami", "個人情報保護管理責任者"),
                ("Mami Minami", "Manager-in-Charge of Private Information Protection"),
                "Manager-in-Charge of Personal Information Protection",
            ),
            fact(
                "registration data",
                ("氏名", "住所", "電話番号", "メールアドレス", "クレジットカード番号"),
                ("Name", "Address", "Telephone number", "Email address", "Credit card number"),
            ),
            fact(
                "transaction records through partners",
                "取引記録及び決済に関する情報",
                "Transaction records containing your personal information, and settlement information",
            ),
            fact(
                "history and characteristics",
                ("検索キーワード", "位置情報", "端末の個体識別情報"),
                ("Search keywords", "Location information", "Device identification information"),
            ),
            fact(
                "marketing only with prior approval",
                "事前にご承諾いただいた場合に限り",
                "Only with your prior approval",
            ),
            fact("incidental purposes", "付随する目的", "incidental"),
            fact(
                "sellers and service providers",
                "販売者及び関連するサービス提供者",
                "Sellers and relevant service providers",
            ),
            fact(
                "exceptions",
                (
                    "裁判所や警察などの公的機関",
                    "法令に特別の定めがある場合",
                    "生命、身体又は財産",
                    "当社の権利、財産又はサービスを保護",
                ),
                (
                    "court or the police",
                    "special provision",
                    "life, body or property",
                    "protect or defend our rights, property or services",
                ),
            ),
            fact(
                "ID copy for disclosure",
                ("運転免許証、健康保険証など", "確認でき次第"),
                ("driver's licence, health insurance card, etc.", "as soon as it is clear"),
            ),
            fact(
                "correction notified by email",
                "ご登録のメールアドレスあて",
                "the email address you registered",
            ),
            fact(
                "security system",
                ("誓約する書面", "業務上必要な従業者", "アクセス権限"),
                ("written pledge", "for their work", "access rights"),
            ),
            fact(
                "latest security measures, endeavoured",
                "最新のセキュリティ対策を講じるよう努めます",
                "strive to take the latest security measures",
            ),
            fact(
                "changes without notice",
                "事前に通知することなく|事前の通知なく",
                "without notifying you in advance|without prior notice",
            ),
            fact(
                "effective on posting unless provided otherwise",
                "当社が別途定める場合を除き",
                "Except where we provide otherwise",
            ),
        ],
        [
            *COMMON,
            NOT_STATED_ON_REQUEST,
            Invented(
                "a change clause taking effect on posting",
                "掲載した時点から効力を生じます",
                "A revised Policy takes effect when it is posted",
            ),
            Invented("a country for the shop", "所在国", "Country: Japan"),
            Invented(
                "consent as the sellers' basis", "本人の同意に基づく提供", "with your consent"
            ),
            Invented("a complaints window", "苦情・相談は", "Please send complaints"),
            Invented(
                "an operator the policy never named",
                "Nicori 個人情報保護管理責任者",
                "Nicori Manager-in-Charge",
            ),
        ],
    ),
}


_FORMS = str.maketrans({"（": "(", "）": ")", "：": ":", "〜": "~", "～": "~", "　": " "})
_CONJUNCTIONS = {"又は": "または", "及び": "および", "並びに": "ならびに", "若しくは": "もしくは"}


def comparable(text: str) -> str:
    """Text with punctuation width, conjunction spelling and spacing made uniform, so a fact
    is found whatever the house style; the style tests check the style itself."""
    text = text.translate(_FORMS)
    for kanji, kana in _CONJUNCTIONS.items():
        text = text.replace(kanji, kana)
    return re.sub(r"\s+", " ", text)


def found(wanted: str, text: str) -> bool:
    """Is `wanted` (or one of its '|'-separated wordings) in the comparable `text`?"""
    return any(comparable(option) in text for option in wanted.split("|"))


@dataclass(frozen=True)
class Count:
    present: list[str]
    changed: list[str]
    missing: list[str]
    added: list[str]


def count(name: str, ja: str, en: str) -> Count:
    """Classify one seed's Japanese and English renderings (visible text)."""
    seed = SEEDS[name]
    ja, en = comparable(ja), comparable(en)
    present, changed, missing = [], [], []
    for f in seed.facts:
        if all(found(x, ja) for x in f.ja) and all(found(x, en) for x in f.en):
            present.append(f.what)
        elif any(comparable(a) in ja or comparable(a) in en for a in f.altered):
            changed.append(f.what)
        else:
            missing.append(f.what)
    added = []
    for inv in seed.invented:
        times = max(
            ja.count(comparable(inv.ja)) if inv.ja else 0,
            en.count(comparable(inv.en)) if inv.en else 0,
        )
        if times > inv.limit:
            added.append(inv.what)
    return Count(present, changed, missing, added)
