"""Printable replies: the PDF is rendered to an image by poppler, and its text read back.

The disclosed data comes from a real access request on the Audiostock example, so the letter
shows what the engine found under the labels the declaration gives.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from servers import unavailable

from policykeeper.engine import Identity, access
from policykeeper.engine.runtime import release
from policykeeper.errors import InputError
from policykeeper.examples.generation import generate
from policykeeper.policy import Policy, load_policy
from policykeeper.project import load_project
from policykeeper.workflow.letters import Addressee, Letter, LetterKind, render_letter
from policykeeper.workflow.letters.pdf import wrap

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "artifacts" / "letters"
HANAKO = Addressee(
    "山田 花子", "岡山県岡山市北区富田町1-6-10\nサンプルマンション101号室", "700-0816"
)
RECEIVED, DATED = date(2026, 11, 20), date(2026, 12, 1)


@pytest.fixture(scope="module")
def disclosed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Buyer 2's access export from a generated Audiostock database."""
    base = tmp_path_factory.mktemp("letters")
    project_dir = base / "audiostock"
    shutil.copytree(
        EXAMPLES / "audiostock", project_dir, ignore=shutil.ignore_patterns("*.sqlite3")
    )
    url = f"sqlite:///{project_dir / 'audiostock.sqlite3'}"
    generate("audiostock", url, 20, progress=False)
    project = load_project(project_dir)
    try:
        yield access(project, Identity("user_id", "2")).to_json()
    finally:
        release(project)


@pytest.fixture(scope="module")
def audiostock() -> Policy:
    return load_policy(EXAMPLES / "audiostock")


@pytest.fixture(scope="module")
def allin() -> Policy:
    return load_policy(EXAMPLES / "allin-studio")


def read_back(pdf: bytes, name: str) -> tuple[str, Image.Image]:
    """The PDF's text (pdftotext) and its first page as a PNG (pdftoppm), kept as an artifact."""
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        unavailable("pdftoppm/pdftotext are missing (apt-get install poppler-utils)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(path.with_suffix("")),
        ],
        check=True,
    )
    return text, Image.open(path.with_suffix(".png")).convert("L")


def ink(image: Image.Image, top: float, bottom: float) -> int:
    """Dark pixels in a horizontal band of the page (fractions of its height)."""
    band = image.crop((0, int(image.height * top), image.width, int(image.height * bottom)))
    return sum(band.histogram()[:128])


def embedded_fonts(pdf: bytes, name: str) -> str:
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def squeeze(text: str) -> str:
    """pdftotext's layout spaces removed, so a phrase split over columns still matches."""
    return "".join(text.split())


def test_japanese_disclosure_letter_carries_the_disclosed_data(
    audiostock: Policy, disclosed: dict[str, Any]
) -> None:
    letter = Letter(LetterKind.disclosure, HANAKO, "AS-2026-0012", RECEIVED, DATED, disclosed)
    pdf = render_letter(audiostock, letter, "ja")
    text, page = read_back(pdf, "disclosure-ja")
    flat = squeeze(text)
    for phrase in (
        "2026年12月1日",
        "〒700-0816",
        "山田花子様",
        "株式会社オーディオストック",
        "保有個人データの開示について（通知）",
        "拝啓",
        "2026年11月20日付けでご請求いただきました保有個人データの開示",
        "敬具",
        "受付番号",
        "AS-2026-0012",
        "別表のとおり",
        "電話：+81-86-250-8981",
        "以上",
    ):
        assert phrase in flat, phrase
    email = disclosed["tables"]["users"][0]["email"]
    family = disclosed["tables"]["users"][0]["family_name"]
    assert email in flat and family in flat
    for label in ("メールアドレス", "氏名", "購入履歴", "IPアドレス", "端末情報"):
        assert label in flat, label
    assert "（認証情報のため開示いたしません）" in flat
    assert disclosed["tables"]["users"][0]["password_hash"] == "[withheld: credential]"
    assert "$2b$" not in text

    assert "IPAGothic" in embedded_fonts(pdf, "disclosure-ja")
    assert ink(page, 0.0, 1.0) > 20_000, "the page is blank"
    assert ink(page, 0.27, 0.33) > 500, "no title drawn"


def test_english_letter_is_the_same_decision_in_english(
    audiostock: Policy, disclosed: dict[str, Any]
) -> None:
    letter = Letter(LetterKind.disclosure, HANAKO, "AS-2026-0012", RECEIVED, DATED, disclosed)
    text, page = read_back(render_letter(audiostock, letter, "en"), "disclosure-en")
    flat = squeeze(text)
    for phrase in (
        "December1,2026",
        "Disclosureofyourretainedpersonaldata",
        "Dear山田花子,",
        "receivedonNovember20,2026",
        "AudiostockInc.",
        "Emailaddress",
        "Purchasehistory",
        "(notdisclosed:acredential)",
        "Yourssincerely,",
    ):
        assert phrase in flat, phrase
    assert "拝啓" not in text and "記" not in text
    assert ink(page, 0.0, 1.0) > 20_000


def test_non_disclosure_cites_the_declared_grounds_and_the_law(allin: Policy) -> None:
    letter = Letter(
        LetterKind.non_disclosure,
        HANAKO,
        "AL-2026-0003",
        RECEIVED,
        DATED,
        grounds=("harm_to_rights", "business_impediment"),
    )
    text, page = read_back(render_letter(allin, letter, "ja"), "non-disclosure-ja")
    flat = squeeze(text)
    right = allin.right("access")
    assert right is not None
    for ground in right.refusal_grounds[:2]:
        assert squeeze(ground.label.ja or "") in flat
    for phrase in (
        "保有個人データの不開示について（通知）",
        "その全部を開示しないことといたしました",
        "個人情報の保護に関する法律第33条第3項",
        "開示しない理由",
        "filmproduction@allhero.co.jp",
        "ALLINCO.,LTD.",
    ):
        assert phrase in flat, phrase
    assert "別表" not in flat
    assert ink(page, 0.27, 0.33) > 500


def test_partial_disclosure_says_what_is_withheld_as_declared(
    allin: Policy, disclosed: dict[str, Any]
) -> None:
    letter = Letter(
        LetterKind.partial_disclosure,
        HANAKO,
        "AL-2026-0004",
        RECEIVED,
        DATED,
        disclosed,
        grounds=("business_impediment",),
    )
    text, _ = read_back(render_letter(allin, letter, "ja"), "partial-disclosure-ja")
    flat = squeeze(text)
    assert "保有個人データの一部開示について（通知）" in flat
    assert "開示しない保有個人データ" in flat
    assert "履歴情報" in flat and "原則として開示いたしません" in flat
    assert "当社の業務の適正な実施に著しい支障を及ぼすおそれがある場合" in flat
    # Labels are the sending service's: ALLIN STUDIO names device IDs its own way.
    assert "端末の個体識別情報" in flat and "端末情報" not in flat


def test_a_letter_that_cannot_be_right_is_refused(allin: Policy) -> None:
    with pytest.raises(InputError, match="needs the disclosed data"):
        Letter(LetterKind.disclosure, HANAKO, "X", RECEIVED, DATED)
    with pytest.raises(InputError, match="at least one refusal ground"):
        Letter(LetterKind.non_disclosure, HANAKO, "X", RECEIVED, DATED)
    made_up = Letter(LetterKind.non_disclosure, HANAKO, "X", RECEIVED, DATED, grounds=("busy",))
    with pytest.raises(InputError, match=r"unknown refusal ground 'busy'.*harm_to_rights"):
        render_letter(allin, made_up, "ja")


def test_the_same_letter_gives_the_same_bytes(audiostock: Policy) -> None:
    letter = Letter(LetterKind.not_held, HANAKO, "AS-2026-0013", RECEIVED, DATED)
    first = render_letter(audiostock, letter, "ja")
    assert render_letter(audiostock, letter, "ja") == first
    text, _ = read_back(first, "not-held-ja")
    assert "保有個人データの不存在について（通知）" in squeeze(text)
    assert "当社は保有しておりません" in squeeze(text)


def test_a_missing_font_is_one_clear_error(audiostock: Policy) -> None:
    letter = Letter(LetterKind.not_held, HANAKO, "X", RECEIVED, DATED)
    with pytest.raises(InputError, match=r"no Japanese font for letters at /nonexistent/font\.ttf"):
        render_letter(audiostock, letter, "ja", font=Path("/nonexistent/font.ttf"))


def test_japanese_line_breaking_keeps_punctuation_and_latin_words() -> None:
    def measure(text: str) -> float:  # full-width characters are 2 units, the rest 1
        return float(sum(2 if ord(c) > 0x2000 else 1 for c in text))

    text = "さて、当社は株式会社オーディオストック（Toko Daiichi Bldg.）の所在地において、開示いたします。"
    lines = wrap(text, 20, measure)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[:1] in "、。）" for line in lines[1:])
    assert not any(line.endswith("（") for line in lines)
    assert any("Daiichi" in line for line in lines)
    assert all(measure(line) <= 20 + 2 for line in lines)
    assert wrap("x" * 50, 20, measure) == ["x" * 20, "x" * 20, "x" * 10]
