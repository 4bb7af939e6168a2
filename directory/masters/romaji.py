"""Romanised English names of municipalities, from their hiragana reading.

Modified Hepburn as municipalities spell their own names in English: long vowels
without marks (おおさか → Osaka, だいとう → Daito, しじょう → Shijo), っ doubles
the next consonant (せっつ → Settsu), the suffix read from the kana (し City, く
Ward, ちょう/まち Town, むら/そん Village). A few cities use their own spelling
(箕面 "Minoh"): OWN_SPELLINGS.
"""

from __future__ import annotations

_DIGRAPHS = {
    "きゃ": "kya", "きゅ": "kyu", "きょ": "kyo", "しゃ": "sha", "しゅ": "shu", "しょ": "sho",
    "ちゃ": "cha", "ちゅ": "chu", "ちょ": "cho", "にゃ": "nya", "にゅ": "nyu", "にょ": "nyo",
    "ひゃ": "hya", "ひゅ": "hyu", "ひょ": "hyo", "みゃ": "mya", "みゅ": "myu", "みょ": "myo",
    "りゃ": "rya", "りゅ": "ryu", "りょ": "ryo", "ぎゃ": "gya", "ぎゅ": "gyu", "ぎょ": "gyo",
    "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "びゃ": "bya", "びゅ": "byu", "びょ": "byo",
    "ぴゃ": "pya", "ぴゅ": "pyu", "ぴょ": "pyo",
}
_KANA = dict(zip(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu", "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo", "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "o", "n", "ga", "gi", "gu", "ge", "go", "za", "ji", "zu", "ze", "zo", "da", "ji", "zu", "de", "do", "ba", "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po"], strict=True))
SUFFIXES = [("ちょう", "Town"), ("まち", "Town"), ("むら", "Village"), ("そん", "Village"),
            ("し", "City"), ("く", "Ward")]
OWN_SPELLINGS = {"みのお": "Minoh"}


def romanise(hiragana: str) -> str:
    """Hepburn for a word in hiragana, long vowels unmarked, capitalised."""
    if hiragana in OWN_SPELLINGS:
        return OWN_SPELLINGS[hiragana]
    out, i, double = [], 0, False
    while i < len(hiragana):
        pair = hiragana[i:i + 2]
        if pair in _DIGRAPHS:
            syllable, i = _DIGRAPHS[pair], i + 2
        elif hiragana[i] == "っ":
            double, i = True, i + 1
            continue
        else:
            syllable, i = _KANA.get(hiragana[i], ""), i + 1
        if double and syllable:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            double = False
        out.append(syllable)
    word = "".join(out)
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        word = word.replace(long, short)
    return word[:1].upper() + word[1:]


def municipality_name_en(name: str, kana: str) -> str:
    """大阪市/おおさかし → "Osaka City"; 島本町/しまもとちょう → "Shimamoto Town"."""
    for kana_suffix, english in SUFFIXES:
        if kana.endswith(kana_suffix) and len(kana) > len(kana_suffix):
            return f"{romanise(kana[:-len(kana_suffix)])} {english}"
    return romanise(kana) if kana else name
