import pytest

from directory.text import normalise, search_terms


@pytest.mark.parametrize("variant", ["ｶﾌｪ", "かふぇ", "カフェ", "カ フ ェ", "ｶ　ﾌｪ"])
def test_kana_width_and_space_variants_fold_to_one_form(variant):
    assert normalise(variant) == "かふぇ"


@pytest.mark.parametrize("variant", ["コーヒー", "ｺｰﾋｰ", "コ－ヒ－", "こーひー", "コ-ヒ-"])
def test_long_vowel_variants_fold_to_one_form(variant):
    assert normalise(variant) == "こーひー"


def test_full_width_latin_and_case_fold():
    assert normalise("ＣＡＦＥ Mimi") == normalise("cafe mimi") == "cafemimi"


def test_search_terms_split_on_ideographic_space_and_are_bounded():
    assert search_terms("大阪　ｶﾌｪ") == ["大阪", "かふぇ"]
    long_query = "あ" * 10_000
    terms = search_terms(long_query)
    assert len(terms) == 1 and len(terms[0]) == 100
    assert search_terms("a " * 50) == ["a"] * 8


def test_empty_input():
    assert normalise("") == ""
    assert search_terms("   ") == []


def test_typed_text_folds_half_width_kana_and_full_width_letters_only():
    from directory.text import typed

    assert typed(" ｶﾌｪ ﾋﾏﾜﾘ１号店（新装）\r\n") == "カフェ ヒマワリ1号店（新装）"
    assert typed("ｶﾞｯｺｳ　ＡＢＣ") == "ガッコウ　ABC"  # sound marks joined; 　 kept
    assert typed("") == typed(None) == ""
