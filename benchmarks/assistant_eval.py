"""Evaluate the FAQ assistant: top-1 / top-3 accuracy and answer time.

Usage (on a migrated database with the masters; the FAQ demo tree comes from
cms_pages' migrations):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/assistant_eval.py [--repeat 5] [--verbose]

The evaluation set is benchmarks/data/assistant-eval-ja.csv: paraphrased
questions (colloquial, typos, half-width kana), each mapped to the id of the
FAQ entry in cms_pages/data/faq-ja.csv that answers it. Entries are matched
to the database by their question text. Top-1: the assistant's answer is that
entry; top-3: it is the answer or one of the (up to two) alternatives shown.
A few off-topic questions (OFF_TOPIC) should get no answer; they are reported
apart. Time: `retrieval.answer()` per question (the index already built, as
in a running server), p50/p95/max over every question × --repeat.

Goals: top-1 ≥ 85 %, top-3 ≥ 95 %, p95 ≤ 50 ms; exits 1 if one is missed.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_CSV = ROOT / "benchmarks" / "data" / "assistant-eval-ja.csv"
FAQ_CSV = ROOT / "cms_pages" / "data" / "faq-ja.csv"
OFF_TOPIC = ["明日の天気は？", "おすすめの株を教えて", "大谷翔平の成績", "ｱｲｳｴｵ", "12345"]
GOALS = {"top1": 0.85, "top3": 0.95, "p95_ms": 50.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from cms_pages.assistant import retrieval
    from cms_pages.models import FaqItem

    with open(FAQ_CSV, encoding="utf-8") as handle:
        questions = {row["id"]: row["question"] for row in csv.DictReader(handle)}
    pks = dict(FaqItem.objects.filter(page__live=True).values_list("question", "pk"))
    with open(EVAL_CSV, encoding="utf-8") as handle:
        cases = [(row["question"], pks.get(questions[row["faq_id"]]), row["faq_id"])
                 for row in csv.DictReader(handle)]
    missing = [faq_id for _q, pk, faq_id in cases if pk is None]
    if missing:
        print(f"FAQ entries not in the database: {sorted(set(missing))}")
        return 1

    index = retrieval.get_index()
    top1 = top3 = 0
    misses = []
    for question, pk, faq_id in cases:
        result = retrieval.answer(question, index=index)
        shown = ([result.best.entry.id] if result.best else []) + [
            s.entry.id for s in result.alternatives]
        top1 += bool(shown) and shown[0] == pk
        top3 += pk in shown[:3]
        if not shown or shown[0] != pk:
            misses.append((question, faq_id, shown, result.best.score if result.best else 0))
    off_topic_answered = [q for q in OFF_TOPIC if retrieval.answer(q, index=index).answered]

    timings = []
    for _ in range(args.repeat):
        for question, _pk, _id in cases:
            started = time.perf_counter()
            retrieval.answer(question, index=index)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    n = len(cases)
    print(f"questions: {n} (FAQ entries: {len(index.entries)}, synonyms: {len(index.synonyms)})")
    print(f"top-1: {top1}/{n} = {top1 / n:.1%}   top-3: {top3}/{n} = {top3 / n:.1%}")
    print(f"answer time: p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
          f"max {timings[-1]:.2f} ms ({len(timings)} answers)")
    print(f"off-topic questions answered: {len(off_topic_answered)}/{len(OFF_TOPIC)} "
          f"{off_topic_answered}")
    if args.verbose:
        by_pk = {e.id: e.question for e in index.entries}
        for question, faq_id, shown, score in misses:
            print(f"  miss: {question!r} expected #{faq_id} {questions[faq_id]!r}; got "
                  f"{[by_pk[pk] for pk in shown]} score {score:.2f}")
    ok = (top1 / n >= GOALS["top1"] and top3 / n >= GOALS["top3"] and p95 <= GOALS["p95_ms"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
