"""The banner's configuration, built from the declaration: its items, texts and signal rules.

The banner script and the preferences page both read it, so the two always show the same
purposes, cookies and wording, in Japanese and English.
"""

from __future__ import annotations

from typing import Any

from policykeeper.consent.catalog import Catalog
from policykeeper.consent.cookie import COOKIE_NAME, SCOPE_PREFIX
from policykeeper.consent.signals import SignalRules
from policykeeper.policy.types import Lang

MESSAGES: dict[str, dict[str, str]] = {
    "ja": {
        "title": "Cookieと類似の技術について",
        "intro": "{service}では、サービスの提供に必要なCookieを使用しています。"
        "それ以外のCookieや類似の技術は、以下の目的ごとにお客様が選んだとおりにのみ使用します。"
        "選択はいつでも変更・撤回できます。",
        "accept_all": "すべて同意する",
        "reject_all": "すべて拒否する",
        "customize": "詳細を設定する",
        "save": "選択を保存する",
        "necessary": "必須のCookie（常に有効）",
        "necessary_note": "ログイン状態の維持など、サービスの提供に欠かせないため、オフにできません。",
        "opt_in": "同意した場合のみ有効",
        "opt_out": "オフにするまで有効",
        "notice": "オフにするまで有効",
        "provider": "提供元",
        "tracker": "{name}（提供元：{provider}）{description}",
        "tracker_plain": "{name}：{description}",
        "on": "オン",
        "off": "オフ",
        "gpc": "グローバル・プライバシー・コントロール（GPC）の信号を受け取りました。"
        "オプトアウトの請求に対応済みです。",
        "dnt": "トラッキング拒否（DNT）の信号を受け取りました。オプトアウトの請求として対応済みです。",
        "by_signal": "オプトアウトの請求により無効",
        "reconsent": "前回の同意以降、対象となる内容が変わりました。あらためてお選びください。",
        "reopen": "Cookie設定",
        "preferences": "プライバシー設定のページ",
        "preferences_title": "プライバシー設定",
        "saved": "選択を保存しました。",
        "withdraw_note": "同意の撤回は、同意と同じく一度の操作で行えます。",
        "current": "現在の設定",
        "close": "閉じる",
        "language": "English",
        "error": "選択を保存できませんでした。",
        "error_forged": "このブラウザに保存された同意の情報を確認できませんでした。お手数ですが、あらためてお選びください。",
        "error_form": "フォームの有効期限が切れたか、内容を読み取れませんでした。ページを再読み込みしてからお選びください。",
        "error_stale": "プライバシーポリシーが更新されました。最新の内容をご確認のうえ、あらためてお選びください。",
    },
    "en": {
        "title": "Cookies and similar technologies",
        "intro": "{service} uses the cookies it needs to work. Other cookies and similar "
        "technologies are used only as you choose below, purpose by purpose. You can change "
        "or withdraw your choice at any time.",
        "accept_all": "Accept all",
        "reject_all": "Reject all",
        "customize": "Customize",
        "save": "Save my choices",
        "necessary": "Strictly necessary (always on)",
        "necessary_note": "Needed for the service to work, e.g. to keep you signed in, so they "
        "cannot be turned off.",
        "opt_in": "Only with your consent",
        "opt_out": "On unless you turn it off",
        "notice": "On unless you turn it off",
        "provider": "Provider",
        "tracker": "{name} (provider: {provider}). {description}",
        "tracker_plain": "{name}. {description}",
        "on": "On",
        "off": "Off",
        "gpc": "Global Privacy Control signal detected: opt-out request honoured.",
        "dnt": "Do Not Track signal detected: treated as an opt-out request and honoured.",
        "by_signal": "Off: opt-out request honoured",
        "reconsent": "What this covers has changed since you agreed. Please choose again.",
        "reopen": "Cookie settings",
        "preferences": "Privacy preferences page",
        "preferences_title": "Privacy preferences",
        "saved": "Your choices have been saved.",
        "withdraw_note": "Withdrawing consent takes one step, just like giving it.",
        "current": "Current settings",
        "close": "Close",
        "language": "日本語",
        "error": "Your choices could not be saved.",
        "error_forged": "The consent information stored in this browser could not be verified. "
        "Please choose again.",
        "error_form": "The form expired or could not be read. Please reload the page and "
        "choose again.",
        "error_stale": "The privacy policy has been updated. Please review the current version "
        "and choose again.",
    },
}


def messages(catalog: Catalog, lang: str) -> dict[str, str]:
    service = catalog.policy.service.name.get(lang)
    return {key: text.replace("{service}", service) for key, text in MESSAGES[lang].items()}


def tracker_line(lang: str, tracker: dict[str, str]) -> str:
    """One tracker as a sentence in the reader's language, as the banner script writes it; the
    provider only where the policy names one."""
    line = MESSAGES[lang]["tracker" if tracker.get("provider") else "tracker_plain"]
    for key in ("name", "provider", "description"):
        line = line.replace("{" + key + "}", tracker.get(key, ""))
    return line.strip()


def banner_config(
    catalog: Catalog,
    rules: SignalRules,
    *,
    endpoint: str,
    preferences: str,
) -> dict[str, Any]:
    """Everything the banner script needs; no per-person data, so it can be cached."""
    langs = [lang.value for lang in catalog.policy.languages.published]
    return {
        "version": catalog.version,
        "languages": langs,
        "default_language": catalog.policy.languages.authoritative.value,
        "cookie": COOKIE_NAME,
        "endpoint": endpoint,
        "preferences": preferences,
        "signals": {"gpc": rules.gpc, "dnt": rules.dnt, "purposes": list(rules.purposes)},
        "kinds": catalog.kinds(),
        "items": [
            {
                "purpose": item.key,
                "mechanism": item.mechanism,
                "default": item.default,
                "opt_out_use": item.opt_out_use,
                "scope": item.scope_hash[:SCOPE_PREFIX],
                "text": {lang: item.text(lang) for lang in langs},
            }
            for item in catalog.on_device()
        ],
        "necessary": [
            {
                "name": tracker.name,
                "text": {
                    lang: {
                        "provider": tracker.provider.get(lang) if tracker.provider else "",
                        "description": tracker.description.get(lang) if tracker.description else "",
                    }
                    for lang in langs
                },
            }
            for tracker in catalog.necessary
        ],
        "messages": {lang: messages(catalog, lang) for lang in langs if lang in MESSAGES},
    }


def pick_language(catalog: Catalog, requested: str | None) -> str:
    published = [lang.value for lang in catalog.policy.languages.published]
    if requested in published:
        return str(requested)
    return catalog.policy.languages.authoritative.value if published else Lang.en.value
