"""The assistant's starting vocabulary: synonyms (data/synonyms-ja.csv) and a few
alternative phrasings of the demo FAQ (data/faq-alternatives-ja.csv, by the id of
cms_pages/data/faq-ja.csv, matched on the question text). Rows the secretariat
has already edited are kept."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
FAQ_CSV = Path(__file__).resolve().parents[2] / "data" / "faq-ja.csv"


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed(apps, schema_editor):
    Synonym = apps.get_model("assistant", "Synonym")
    for row in _rows(DATA / "synonyms-ja.csv"):
        Synonym.objects.get_or_create(term=row["term"], defaults={
            "variants": "\n".join(v.strip() for v in row["variants"].split("、") if v.strip())})
    FaqItem = apps.get_model("cms_pages", "FaqItem")
    questions = {row["id"]: row["question"] for row in _rows(FAQ_CSV)}
    alternatives = {}
    for row in _rows(DATA / "faq-alternatives-ja.csv"):
        alternatives.setdefault(questions.get(row["id"]), []).append(row["alternative"])
    for item in FaqItem.objects.filter(question__in=[q for q in alternatives if q],
                                       alternative_questions=""):
        item.alternative_questions = "\n".join(alternatives[item.question])
        item.save(update_fields=["alternative_questions"])


class Migration(migrations.Migration):
    dependencies = [
        ("assistant", "0001_initial"),
        ("cms_pages", "0008_faqitem_alternatives_links"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
