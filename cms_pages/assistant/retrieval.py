"""Japanese-aware FAQ retrieval, in process, with no external service.

1. Text is folded by `directory.text.normalise` (NFKC, so half-width ｶﾅ and
   full-width ＡＢＣ fold; katakana → hiragana; long vowels; no spaces).
2. Synonyms (the `Synonym` table, edited by the secretariat) are expanded: when
   a variant occurs in the text, its term is added, in questions and FAQ
   entries alike.
3. Polite endings and question words that every question has (ですか, どうすれば…)
   and punctuation are removed; what is left is cut into character bigrams and
   trigrams, which need no dictionary and survive typos and inflection.
4. Each FAQ entry has two fields: its question, alternative phrasings and
   category ("title"), and its answer ("body"). Scores are BM25F (k1, b below),
   the title weighing more than the body.

An answer needs a minimum score and a minimum share of the question's weight
(sum of IDF) found in the entry; otherwise the question is "unanswered".

The index is built once per process and rebuilt when `index_version()` changes
(signals bump it when an FAQ page, a synonym or a master is saved).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from directory.text import normalise

K1 = 2.0
B = 0.75
TITLE_WEIGHT = 1.0
BODY_WEIGHT = 0.2
GRAM_SIZES = (2, 3)
MIN_SCORE = 4.0
MIN_COVERAGE = 0.05
# How much an entry gains when the question covers its own question (a short, general
# entry beats a longer, more specific one that merely contains the same words).
QUESTION_COVER_WEIGHT = 4.0
ALTERNATIVE_RATIO = 0.35
MAX_ALTERNATIVES = 2
VERSION_KEY = "assistant:index-version"

# Words every question has: they say nothing about what is asked.
_FILLERS = sorted({
    "どうすればいいですか", "どうすればよいですか", "どうしたらいいですか", "どうしたらいい",
    "どうすればいい", "どうすれば", "どうしたら", "どうやって", "どうやったら", "どうする",
    "おしえてください", "おしえて", "教えてください", "教えて", "知りたい", "しりたい",
    "でしょうか", "ですか", "ますか", "ください", "ですが", "ません", "ました", "です",
    "ます", "のか", "んだけど", "んですけど", "んですが", "けど", "かな", "って", "とか",
    "について", "ありますか", "あるの", "いいの", "できる?", "なに", "何",
}, key=len, reverse=True)
_FILLER_RE = re.compile("|".join(re.escape(normalise(word)) for word in _FILLERS))
_PUNCTUATION = re.compile(r"[\s\W_]+")
_SEPARATOR = "|"


HIRAGANA_WEIGHT = 0.2  # a gram written only in hiragana: mostly endings and particles


def _fold(text: str) -> tuple[str, str]:
    """`normalise(text)` and, per character, "h" if it was typed in hiragana, else "x"."""
    nfkc = "".join(unicodedata.normalize("NFKC", text or "").casefold().split())
    folded = normalise(nfkc)
    if len(folded) != len(nfkc):  # a fold that changed the length (rare): no mask
        return folded, "x" * len(folded)
    mask = "".join("h" if "\u3041" <= ch <= "\u309f" or (ch == "ー" and i and
                                                         "\u3041" <= nfkc[i - 1] <= "\u309f")
                   else "x" for i, ch in enumerate(nfkc))
    return folded, mask


@dataclass(frozen=True)
class SynonymGroup:
    term: str
    words: tuple[str, ...]  # normalised, term included


def expand(text: str, synonyms: list[SynonymGroup]) -> tuple[str, str]:
    """Folded `text` (and its mask) with the term of every synonym group it mentions
    appended."""
    folded, mask = _fold(text)
    added = [group.term for group in synonyms
             if group.term not in folded and any(word in folded for word in group.words)]
    for term in added:
        folded += _SEPARATOR + term
        mask += "x" * (len(term) + 1)
    return folded, mask


def terms_of(text: str, synonyms: list[SynonymGroup], *, weighted: bool = False) -> Counter:
    """Character bigrams and trigrams of `text` (counts, or query weights if `weighted`)."""
    folded, mask = expand(text, synonyms)
    chars = list(folded)
    for match in _FILLER_RE.finditer(folded):
        for i in range(match.start(), match.end()):
            chars[i] = _SEPARATOR
    for match in _PUNCTUATION.finditer(folded):
        for i in range(match.start(), match.end()):
            chars[i] = _SEPARATOR
    text = "".join(chars)
    grams: Counter = Counter()
    for size in GRAM_SIZES:
        for i in range(len(text) - size + 1):
            gram = text[i:i + size]
            if _SEPARATOR in gram:
                continue
            if weighted:
                weight = HIRAGANA_WEIGHT if set(mask[i:i + size]) == {"h"} else 1.0
                grams[gram] = max(grams[gram], weight)
            else:
                grams[gram] += 1
    return grams


@dataclass
class Entry:
    id: int
    category: str
    question: str
    answer_html: str
    links: list[dict]
    title: Counter = field(default_factory=Counter, repr=False)
    own: Counter = field(default_factory=Counter, repr=False)  # grams of the question alone
    body: Counter = field(default_factory=Counter, repr=False)
    title_length: int = 0
    body_length: int = 0

    @property
    def answer_text(self) -> str:
        return " ".join(strip_tags(self.answer_html).split())


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    coverage: float


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    words: tuple[str, ...]


@dataclass
class Index:
    entries: list[Entry]
    synonyms: list[SynonymGroup]
    municipalities: list[Place] = field(default_factory=list)
    facilities: list[Place] = field(default_factory=list)
    genres: list[Place] = field(default_factory=list)
    df: Counter = field(default_factory=Counter)
    avg_title: float = 1.0
    avg_body: float = 1.0

    def __post_init__(self):
        for entry in self.entries:
            self.df.update(set(entry.title) | set(entry.body))
        count = max(1, len(self.entries))
        self.avg_title = max(1.0, sum(e.title_length for e in self.entries) / count)
        self.avg_body = max(1.0, sum(e.body_length for e in self.entries) / count)

    def idf(self, gram: str) -> float:
        df = self.df.get(gram, 0)
        n = len(self.entries)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, question: str) -> list[Scored]:
        grams = terms_of(question, self.synonyms, weighted=True)
        if not grams or not self.entries:
            return []
        weights = {gram: self.idf(gram) * weight for gram, weight in grams.items()}
        total = sum(weights.values()) or 1.0
        scored = []
        for entry in self.entries:
            title_norm = 1 - B + B * entry.title_length / self.avg_title
            body_norm = 1 - B + B * entry.body_length / self.avg_body
            score = matched = 0.0
            for gram, idf in weights.items():
                tf = (TITLE_WEIGHT * entry.title.get(gram, 0) / title_norm
                      + BODY_WEIGHT * entry.body.get(gram, 0) / body_norm)
                if tf:
                    score += idf * tf * (K1 + 1) / (tf + K1)
                    matched += idf
            if score:
                own_total = sum(self.idf(g) for g in entry.own) or 1.0
                own_matched = sum(self.idf(g) for g in entry.own if g in weights)
                score *= 1 + QUESTION_COVER_WEIGHT * own_matched / own_total
                scored.append(Scored(entry, score, matched / total))
        scored.sort(key=lambda s: (-s.score, s.entry.id))
        return scored

    # --- places and kinds of shops named in a question --------------------------------

    def _find(self, text: str, places: list[Place]) -> list[Place]:
        found = []
        for place in places:  # longest words first: 東大阪市 before 大阪市
            for word in place.words:
                if word and word in text:
                    found.append(place)
                    text = text.replace(word, _SEPARATOR)
                    break
        return found

    def shop_search(self, question: str) -> dict | None:
        """A link into the shop search for the municipality and kind of shop named."""
        text = normalise(question)
        municipalities = self._find(text, self.municipalities)[:1]
        facilities = self._find(text, self.facilities)
        genres = self._find(text, self.genres)
        if not (municipalities or facilities or genres):
            return None
        params = [("municipality", m.code) for m in municipalities]
        params += [("facility", f.code) for f in facilities]
        params += [("genre", g.code) for g in genres]
        kinds = [f.name for f in facilities] + [g.name for g in genres]
        place = municipalities[0].name if municipalities else ""
        if place and kinds:
            text = _("Sponsor shops in %(place)s: %(kinds)s") % {
                "place": place, "kinds": "、".join(kinds)}
        elif place:
            text = _("Sponsor shops in %(place)s") % {"place": place}
        else:
            text = _("Sponsor shops: %(kinds)s") % {"kinds": "、".join(kinds)}
        return {"text": text, "url": f"{reverse('shops:list')}?{urlencode(params)}"}


# --- building the index --------------------------------------------------------------------

# Everyday words for the facilities and genres of the masters (directory/masters), besides
# their own names.
FACILITY_WORDS = {
    "hot-water": ["お湯", "ミルク"],
    "nursing-room": ["授乳"],
    "diaper-table": ["おむつ", "オムツ", "おしめ"],
    "kids-space": ["キッズスペース", "キッズコーナー", "プレイルーム", "遊び場"],
    "child-toilet-seat": ["補助便座", "子ども用便座", "子供用便座"],
    "stroller": ["ベビーカー"],
    "kids-menu": ["キッズメニュー", "お子様ランチ", "お子さまランチ", "子どもメニュー"],
}
GENRE_WORDS = {
    "restaurant": ["飲食店", "レストラン", "食堂", "ランチ", "ごはん屋"],
    "cafe": ["カフェ", "喫茶"],
    "food-shop": ["スーパー", "食料品", "八百屋", "パン屋"],
    "fashion": ["洋服", "ファッション", "衣料", "服屋"],
    "kids-goods": ["ベビー用品", "子ども用品", "子供用品", "おもちゃ"],
    "education": ["習い事", "学習塾", "塾", "教室"],
    "leisure": ["レジャー", "遊園地", "娯楽", "プール"],
    "beauty": ["美容院", "美容室", "ヘアサロン", "理容", "散髪", "床屋"],
    "health": ["病院", "クリニック", "歯医者", "医院", "整体"],
    "daily-goods": ["雑貨", "日用品", "ドラッグストア"],
    "housing": ["不動産", "住宅", "引っ越し", "引越し"],
    "wedding": ["ブライダル", "結婚式場", "式場", "ウェディング"],
}
# Shortened municipality names (堺 for 堺市) that would be ambiguous.
AMBIGUOUS_SHORT_NAMES = {"大阪"}


def _place(code: str, name: str, words) -> Place:
    folded = sorted({normalise(word) for word in words if word}, key=len, reverse=True)
    return Place(code=code, name=name, words=tuple(folded))


def faq_page_ids(language: str) -> list[int]:
    """The live public FAQ pages to answer from in ``language``: each page's
    translation in that language where published, else the Japanese page (the same
    fallback as the pages themselves, cms_pages/i18n.py)."""
    from django.conf import settings

    from cms_pages.models import FaqPage

    default = settings.LANGUAGE_CODE
    rows = (FaqPage.objects.live().public()
            .filter(locale__language_code__in={default, language})
            .values_list("pk", "translation_key", "locale__language_code").order_by("path"))
    chosen: dict = {}
    for pk, key, page_language in rows:
        if page_language == language or key not in chosen:
            chosen[key] = pk
    return list(chosen.values())


def build_index(language: str | None = None) -> Index:
    """The index for ``language`` (default: the active one): the FAQ items of the
    pages ``faq_page_ids`` picks."""
    from wagtail.rich_text import expand_db_html

    from cms_pages.assistant.models import Synonym
    from cms_pages.models import FaqItem
    from directory.i18n import content_language
    from directory.masters.models import Facility, Genre, Municipality

    synonyms = []
    for synonym in Synonym.objects.all():
        words = tuple(sorted({normalise(w) for w in [synonym.term, *synonym.variant_list()]
                              if normalise(w)}, key=len, reverse=True))
        if normalise(synonym.term):
            synonyms.append(SynonymGroup(term=normalise(synonym.term), words=words))

    entries = []
    items = (FaqItem.objects.filter(page__in=faq_page_ids(content_language(language)))
             .select_related("page").order_by("page__path", "sort_order", "pk"))
    for item in items:
        title_text = _SEPARATOR.join([item.question, *item.alternatives(), item.category])
        entry = Entry(id=item.pk, category=item.category, question=item.question,
                      answer_html=expand_db_html(item.answer), links=item.links())
        entry.title = terms_of(title_text, synonyms)
        entry.own = terms_of(item.question, synonyms)
        entry.body = terms_of(strip_tags(entry.answer_html), synonyms)
        entry.title_length = sum(entry.title.values())
        entry.body_length = sum(entry.body.values())
        entries.append(entry)

    municipalities = []
    for m in Municipality.objects.order_by("sort_order", "code"):
        words = [m.name, m.kana]
        short = m.name[:-1] if m.name[-1:] in "市町村" else ""
        if short and short not in AMBIGUOUS_SHORT_NAMES:
            words.append(short)
        municipalities.append(_place(m.code, m.name, words))
    facilities = [
        _place(f.code, f.name, [*f.name.split("・"), *FACILITY_WORDS.get(f.code, [])])
        for f in Facility.objects.active()
    ]
    genres = [
        _place(g.code, g.name, [*g.name.split("・"), *GENRE_WORDS.get(g.code, [])])
        for g in Genre.objects.active().filter(for_shops=True)
    ]

    def longest_first(places):
        return sorted(places, key=lambda p: -max((len(w) for w in p.words), default=0))

    return Index(entries=entries, synonyms=synonyms,
                 municipalities=longest_first(municipalities),
                 facilities=longest_first(facilities), genres=longest_first(genres))


_lock = threading.Lock()
_cached: dict = {}


def index_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = "0"
        cache.add(VERSION_KEY, version, timeout=None)
    return str(version)


def index_changed() -> None:
    """Called when FAQ entries, synonyms or masters change: every process rebuilds."""
    import uuid

    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def get_index(language: str | None = None) -> Index:
    """The index of the active language (or ``language``), built once per version."""
    from directory.i18n import content_language

    language = content_language(language)
    version = index_version()
    with _lock:
        cached = _cached.get(language)
        if cached is None or cached[0] != version:
            cached = _cached[language] = (version, build_index(language))
        return cached[1]


@dataclass(frozen=True)
class Result:
    best: Scored | None
    alternatives: list[Scored]
    shop_search: dict | None

    @property
    def answered(self) -> bool:
        return self.best is not None


def answer(question: str, *, index: Index | None = None) -> Result:
    index = index or get_index()
    scored = index.search(question)
    best = scored[0] if scored else None
    if best is not None and (best.score < MIN_SCORE or best.coverage < MIN_COVERAGE):
        best = None
    alternatives = []
    if best is not None:
        alternatives = [s for s in scored[1:] if s.score >= best.score * ALTERNATIVE_RATIO]
        alternatives = alternatives[:MAX_ALTERNATIVES]
    return Result(best=best, alternatives=alternatives, shop_search=index.shop_search(question))
