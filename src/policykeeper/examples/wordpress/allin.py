"""ALLIN STUDIO's WordPress site: members, creators, WORKS, comments and entry forms.

Synthetic and deterministic for a seed (Faker ja_JP). The content is what `populate.php`
feeds to WordPress's own functions. Every sixth account is a creator (WordPress's author role)
who publishes WORKS posts with images and has sent the creators' entry form; members comment
on WORKS. As on a real site, some members changed their email address after commenting (their
comments keep the old one), some commented while logged out, and the contact form stores its
entries as posts of a custom type with the sender's details in post meta.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

CREATOR_EVERY = 6
EPOCH = datetime(2026, 3, 1, 12, 0, 0)
EXPERTISE = ["映像編集", "3DCG", "VFX", "脚本", "作曲", "カラーグレーディング", "AIアニメーション"]
AI_TOOLS = ["Runway", "Midjourney", "Stable Diffusion", "Sora", "Kling", "ElevenLabs"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15",
]


def is_creator(index: int) -> bool:
    return index % CREATOR_EVERY == 1


def changes_email(index: int) -> bool:
    """Members 2, 9, 16, ... registered and commented with an address they later changed."""
    return not is_creator(index) and index % 7 == 2


def comments_logged_out(index: int) -> bool:
    """Members 2, 13, 24, ... also commented once without logging in, with their address."""
    return not is_creator(index) and index % 11 == 2


def sends_inquiry(index: int) -> bool:
    return not is_creator(index) and index % 10 == 2


def content(accounts: int = 300, seed: int = 1) -> dict[str, Any]:
    """The site's users, WORKS, comments and entries, for populate.php."""
    rng = random.Random(seed)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    users = [_account(i, rng, fake) for i in range(1, accounts + 1)]
    works = [
        _work(user, n, rng, fake)
        for i, user in enumerate(users, start=1)
        if is_creator(i)
        for n in range(rng.randrange(1, 4))
    ]
    comments: list[dict[str, Any]] = []
    for i, user in enumerate(users, start=1):
        count = rng.randrange(2, 4) if changes_email(i) else rng.randrange(0, 3)
        for _ in range(count):
            comments.append(
                _comment(user, user["login"], _address_at_the_time(user), works, rng, fake)
            )
        if comments_logged_out(i):
            comments.append(_comment(user, None, user["email"], works, rng, fake))
    for _ in range(accounts // 5):
        comments.append(_guest_comment(works, rng, fake))
    entries = [_creator_entry(user, rng, fake) for i, user in enumerate(users, 1) if is_creator(i)]
    entries += [_inquiry(user, rng, fake) for i, user in enumerate(users, 1) if sends_inquiry(i)]
    entries += [_guest_entry(rng, fake) for _ in range(accounts // 10)]
    return {"users": users, "works": works, "comments": comments, "entries": entries}


def _moment(rng: random.Random, days: int = 700) -> str:
    return (EPOCH - timedelta(seconds=rng.randrange(days * 86400))).strftime("%Y-%m-%d %H:%M:%S")


def _address_at_the_time(user: dict[str, Any]) -> str:
    return str(user.get("initial_email", user["email"]))


def _account(index: int, rng: random.Random, fake: Faker) -> dict[str, Any]:
    last, first = fake.last_name(), fake.first_name()
    romaji = f"{fake.last_romanized_name()}.{fake.first_romanized_name()}".lower()
    login = f"{romaji}{index}"
    creator = is_creator(index)
    user: dict[str, Any] = {
        "login": login,
        "email": f"{login}@{fake.free_email_domain()}",
        "password": f"pw-{rng.getrandbits(64):016x}",
        "display_name": f"{last} {first}",
        "nickname": login,
        "first_name": first,
        "last_name": last,
        "role": "author" if creator else "subscriber",
        "registered": _moment(rng, 900),
        "meta": {
            "billing_phone": fake.phone_number(),
            "billing_postcode": fake.zipcode(),
            "billing_address_1": f"{fake.prefecture()}{fake.city()}{fake.town()}{fake.chome()}{fake.ban()}",
            "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat(),
        },
        "sessions": [
            {"ip": fake.ipv4(), "ua": rng.choice(AGENTS)}
            for _ in range(1 if index % 5 in (0, 2) else 0)
        ],
    }
    if changes_email(index):
        user["initial_email"] = f"{login}.old@{fake.free_email_domain()}"
    if creator:
        expertise = rng.sample(EXPERTISE, 2)
        user["url"] = f"https://portfolio.example/{login}"
        user["description"] = f"{'・'.join(expertise)}を中心に活動する映像クリエイターです。"
        user["meta"].update(
            {
                "allin_stage_name": f"{fake.first_romanized_name()} {rng.choice(['Works', 'Films', 'Studio'])}",
                "allin_expertise": "、".join(expertise),
                "allin_ai_tools": "、".join(rng.sample(AI_TOOLS, 2)),
                "allin_achievements": f"{fake.company()} ミュージックビデオ制作",
            }
        )
    return user


def _work(user: dict[str, Any], number: int, rng: random.Random, fake: Faker) -> dict[str, Any]:
    slug = f"{user['login']}-{number + 1}"
    return {
        "author": user["login"],
        "title": f"{fake.company()} プロモーション映像",
        "content": f"{user['display_name']}（{user['meta']['allin_expertise']}）が制作を担当しました。",
        "date": _moment(rng, 600),
        "media": [
            {"file": f"{slug}-{m + 1}.png", "title": f"{slug} still {m + 1}"}
            for m in range(rng.randrange(1, 3))
        ],
    }


def _comment(
    user: dict[str, Any],
    login: str | None,
    email: str,
    works: list[dict[str, Any]],
    rng: random.Random,
    fake: Faker,
) -> dict[str, Any]:
    return {
        "work": rng.randrange(len(works)),
        "user": login,
        "author": user["display_name"],
        "email": email,
        "ip": fake.ipv4(),
        "agent": rng.choice(AGENTS),
        "content": rng.choice(
            ["素晴らしい映像ですね。", "色の表現が印象的でした。", "制作の裏話も知りたいです。"]
        ),
        "date": _moment(rng, 500),
    }


def _guest_comment(works: list[dict[str, Any]], rng: random.Random, fake: Faker) -> dict[str, Any]:
    return {
        "work": rng.randrange(len(works)),
        "user": None,
        "author": fake.name(),
        "email": fake.email(),
        "ip": fake.ipv4(),
        "agent": rng.choice(AGENTS),
        "content": "拝見しました。",
        "date": _moment(rng, 500),
    }


def _creator_entry(user: dict[str, Any], rng: random.Random, fake: Faker) -> dict[str, Any]:
    meta = user["meta"]
    return {
        "kind": "creator_entry",
        "name": user["display_name"],
        "email": user["email"],
        "phone": meta["billing_phone"],
        "subject": "クリエイターエントリー",
        "message": "案件のご紹介を希望します。",
        "fields": {
            "stage_name": meta["allin_stage_name"],
            "expertise": meta["allin_expertise"],
            "portfolio_url": user["url"],
            "ai_tools": meta["allin_ai_tools"],
            "achievements": meta["allin_achievements"],
        },
        "ip": fake.ipv4(),
        "date": _moment(rng, 800),
    }


def _inquiry(user: dict[str, Any], rng: random.Random, fake: Faker) -> dict[str, Any]:
    return {
        "kind": "inquiry",
        "name": user["display_name"],
        "email": user["email"],
        "phone": user["meta"]["billing_phone"],
        "subject": "お問い合わせ",
        "message": "登録情報の変更方法を教えてください。",
        "fields": {},
        "ip": fake.ipv4(),
        "date": _moment(rng, 300),
    }


def _guest_entry(rng: random.Random, fake: Faker) -> dict[str, Any]:
    return {
        "kind": "inquiry",
        "name": fake.name(),
        "email": fake.email(),
        "phone": fake.phone_number(),
        "subject": "撮影のご相談",
        "message": "企業VPの制作について相談したいです。",
        "fields": {},
        "ip": fake.ipv4(),
        "date": _moment(rng, 300),
    }
