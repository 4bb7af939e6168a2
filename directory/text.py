"""Japanese text normalisation: the one place every search folds its text.

Both the stored search text and each query term go through `normalise`, so
ｶﾌｪ (half-width), かふぇ (hiragana), カフェ (katakana) and ＣＡＦＥ / cafe match.
"""

import re
import unicodedata

# Katakana (ァ U+30A1 .. ヶ U+30F6) sits exactly 0x60 above its hiragana twin.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
# Marks written for the long vowel or a dash: after NFKC they are still distinct
# code points, and people type any of them for ー.
_LONG_VOWEL_VARIANTS = re.compile(r"[\u2010-\u2015\u2212\u30fc\uff70\u301c~\-]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold text for matching: NFKC, case, katakana→hiragana, long vowels, no spaces."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.translate(_KATAKANA_TO_HIRAGANA)
    folded = _LONG_VOWEL_VARIANTS.sub("ー", folded)
    return _SPACES.sub("", folded)


def search_terms(query: str, *, max_terms: int = 8, max_length: int = 100) -> list[str]:
    """Split a free-text query on any kind of space and normalise each term.

    Bounded so that an absurd query (thousands of characters) costs no more
    than a reasonable one.
    """
    if not query:
        return []
    spaced = unicodedata.normalize("NFKC", query)[: max_length * max_terms]
    terms = [normalise(part)[:max_length] for part in spaced.split()]
    return [term for term in terms if term][:max_terms]


# Half-width katakana with their sound marks (ｶﾞ), and full-width letters and digits.
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def typed(text: str | None) -> str:
    """What typed text is stored as (the back office's shop form, the member forms and the
    legacy import alike): half-width kana become full-width (ｶﾌｪ → カフェ, ｶﾞ → ガ),
    full-width letters and digits ASCII (ＣＡＦＥ１ → CAFE1); Japanese punctuation such as
    （）and the full-width space are kept as written; line ends unified; trimmed."""
    if not text:
        return ""

    def fold(match: re.Match) -> str:
        return unicodedata.normalize("NFKC", match.group())

    folded = _FULLWIDTH_ALNUM.sub(fold, _HALFWIDTH_KANA.sub(fold, text))
    return folded.replace("\r\n", "\n").replace("\r", "\n").strip()
