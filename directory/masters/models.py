"""Masters the secretariat edits: areas, municipalities, genres, benefit types,
facilities and the programmes with their eligibility rules (legacy `master`,
`faminavi_area`, `faminavi_city`)."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

municipality_code_validator = RegexValidator(
    r"^\d{6}$", _("Enter the six-digit local government code (e.g. 271004).")
)


class MasterQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class EnglishNameMixin:
    """The name a visitor reads: English (name_en) on the English side of the site
    when there is one, else the Japanese name. str() gives the same, so the search
    form's choices and every template that prints the object follow the language."""

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def __str__(self):
        return self.display_name


class MasterBase(EnglishNameMixin, models.Model):
    """Common shape of a simple master: a stable code, a name and an order."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, default="")
    sort_order = models.PositiveIntegerField(_("sort order"), default=0, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The legacy `master` / `faminavi_area` row this one was matched to by the
    # migration (manage.py import_legacy), as "KIND:CODE" (several separated by spaces);
    # listed in migration_report.
    legacy_code = models.CharField(_("legacy code"), max_length=200, blank=True, default="",
                                   db_index=True, editable=False)

    objects = MasterQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]


class Area(MasterBase):
    kana = models.CharField(_("kana"), max_length=100, blank=True)

    class Meta(MasterBase.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")


class Municipality(EnglishNameMixin, models.Model):
    code = models.CharField(
        _("local government code"), max_length=6, unique=True,
        validators=[municipality_code_validator],
    )
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, default="",
                               help_text=_("Romanised, e.g. “Osaka City”."))
    kana = models.CharField(_("kana"), max_length=100, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="municipalities",
                             verbose_name=_("area"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0, db_index=True)
    # The legacy `faminavi_city` (or `master`) row matched by the migration.
    legacy_code = models.CharField(_("legacy code"), max_length=200, blank=True, default="",
                                   db_index=True, editable=False)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")


class Genre(MasterBase):
    """Shop genres and ふぁみなび genres share one master (legacy `master`)."""

    for_shops = models.BooleanField(_("used for shops"), default=True)
    for_articles = models.BooleanField(_("used for faminavi articles"), default=False)

    class Meta(MasterBase.Meta):
        verbose_name = _("genre")
        verbose_name_plural = _("genres")


class BenefitType(MasterBase):
    class Meta(MasterBase.Meta):
        verbose_name = _("benefit type")
        verbose_name_plural = _("benefit types")


class Facility(MasterBase):
    """A family-friendly service a shop may offer (hot water, nursing room…)."""

    icon = models.SlugField(_("icon"), max_length=40, blank=True,
                            help_text=_("Name of the icon file in static/icons/facilities."))

    class Meta(MasterBase.Meta):
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")


class Programme(EnglishNameMixin, models.Model):
    """A passport programme (まいど子でもカード, 縁ジョイパス)."""

    class Kind(models.TextChoices):
        CHILD_RAISING = "child", _("Child-raising support")
        MARRIAGE = "marriage", _("Marriage support")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, default="")
    legacy_group = models.PositiveSmallIntegerField(
        _("legacy GROUP number"), unique=True,
        help_text=_("GROUP value of the legacy shop API (1 child-raising, 2 marriage)."),
    )
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#0017c1",
                              validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")])
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "legacy_group"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    @property
    def badge(self) -> str:
        """The short label of the programme's tag (子育て / 結婚; Child / Marriage)."""
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en"):
            return "Child" if self.kind == self.Kind.CHILD_RAISING else "Marriage"
        return self.short_name or self.name


class EligibilityRule(models.Model):
    """One way to be eligible for a programme; a member needs any one enabled rule.

    Kept as data so a prefecture can change the age limit, the cut-off or
    whether pregnancy counts without a code change.
    """

    class Kind(models.TextChoices):
        CHILD_UNDER_AGE = "child_under_age", _("Has a child under the age limit")
        PREGNANCY = "pregnancy", _("Expecting a child")
        MARRIED_WITHIN = "married_within", _("Married within the period")
        PLANNING_MARRIAGE = "planning_marriage", _("Planning to marry within the period")

    class Cutoff(models.TextChoices):
        BIRTHDAY = "birthday", _("The day before the birthday at the age limit")
        FISCAL_YEAR_END = "fiscal_year_end", _("31 March after the birthday at the age limit")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE,
                                  related_name="eligibility_rules", verbose_name=_("programme"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    age_limit = models.PositiveSmallIntegerField(
        _("age limit"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    cutoff = models.CharField(_("cut-off"), max_length=20, choices=Cutoff.choices, blank=True)
    months = models.PositiveSmallIntegerField(
        _("period in months"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        ordering = ["programme", "pk"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="unique_rule_kind_per_programme"),
        ]

    def __str__(self):
        return f"{self.programme}: {self.get_kind_display()}"
