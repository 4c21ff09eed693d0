"""Diacritic- and case-insensitive text: "Cài đặt Bluezone" -> "cai dat bluezone".

Folding keeps one character for each character of the input, so a match found in the
folded text sits at the same offsets in the original: that is how results are
highlighted in the text as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Letters that carry no combining mark to strip, but that users type without.
_PLAIN = {"đ": "d", "Đ": "d"}
#: Words as the index and the query see them.
WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _fold_char(character: str) -> str:
    if character in _PLAIN:
        return _PLAIN[character]
    base = unicodedata.normalize("NFD", character)[0].lower()
    return base if len(base) == 1 else character


def fold(text: str) -> str:
    """Lower case, without diacritics; exactly as long as `text`."""
    return "".join(_fold_char(character) for character in text)


def terms(query: str, limit: int = 12) -> list[str]:
    """The words of a query, folded, without repeats (at most `limit`)."""
    return list(dict.fromkeys(WORD.findall(fold(query))))[:limit]
