"""Country names for ISO 3166 codes, from the CLDR data Babel ships, so no code is ever printed.

The render catalogues may override a name with the form legal Japanese prefers (米国, 英国).
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

_CODE = re.compile(r"^[A-Z]{2}$")


@cache
def _names(lang: str) -> dict[str, str]:
    return {code: name for code, name in Locale(lang).territories.items() if _CODE.match(code)}


def is_country(code: str) -> bool:
    return code in _names("en") and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}


def country_name(code: str, lang: str) -> str:
    """The country's name in `lang` ('ja' or 'en'); the code itself only if it is not a country."""
    return _names(lang).get(code, code)
