"""The accessibility sweep: crawl the site in a real browser and check every page.

Given a Playwright (sync API) ``page`` and the site's base URL, the sweep

1. crawls same-origin links breadth-first from "/" (fragments dropped, query
   strings kept but capped per path, so paginated and filtered lists do not
   explode; static files, media, documents, the JSON API, health checks, the
   sitemap, log-out links, non-HTTP links and non-HTML responses are skipped;
   the total number of pages is capped);
2. runs axe-core (bundled with axe-playwright-python) on each page, limited to
   the WCAG 2.0/2.1/2.2 A and AA rules;
3. checks reflow (WCAG 1.4.10): at a 320 CSS px wide viewport the page must not
   scroll horizontally (``document.documentElement.scrollWidth <= 320``).

It returns structured findings; ``format_findings`` renders them for an
assertion message. It also records, per page, the outcome of every rule run
(pass, fail, needs review, not applicable) with the WCAG success criteria the
rule tests (axe's tags "wcag111" → 1.1.1); ``write_results`` saves them as JSON
for the accessibility statement (accessibility/statement.py). ``check_page`` audits a single URL, for pages reached by an
explicit list (the Wagtail admin behind a login) rather than by crawling.

Used by tests/e2e (``make e2e``). Nothing here imports Django, so the sweep can
also be pointed at a running server from a script.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
REFLOW_WIDTH = 320
REFLOW_HEIGHT = 640
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
MAX_PAGES = 150
MAX_QUERY_VARIANTS = 2
# Detail pages that differ only by a numeric id (/shops/12/, /shops/13/…) share one
# template; checking this many of each shape is enough and keeps the sweep fast.
MAX_PER_NUMERIC_PATTERN = 10
MAX_TARGETS_PER_FINDING = 10

# Paths (prefixes) never crawled: not HTML pages, or not ours to sweep here.
SKIP_PREFIXES = (
    "/static/",
    "/media/",
    "/documents/",
    "/api/",
    "/healthz",
    "/readyz",
    "/sitemap.xml",
    "/i18n/setlang/",
)
# Any path with one of these segments logs the browser out (admin or member side).
LOGOUT_SEGMENTS = ("logout", "log-out", "signout", "sign-out")
FILE_SUFFIXES = (
    ".pdf",
    ".csv",
    ".xlsx",
    ".xls",
    ".zip",
    ".json",
    ".xml",
    ".txt",
    ".ics",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".svg",
    ".ico",
    ".js",
    ".css",
    ".webmanifest",
)

REFLOW_RULE = "reflow-320"
HTTP_STATUS_RULE = "http-status"
REDIRECT_RULE = "unexpected-redirect"

_LINKS_JS = """
() => Array.from(document.querySelectorAll('a[href], area[href]'))
    .filter((a) => !a.hasAttribute('download'))
    .map((a) => a.href)
"""

# Returns the page width and, when it overflows, the outermost elements sticking
# out to the right (or left) of the viewport, as short CSS selectors.
_REFLOW_JS = """
() => {
  const root = document.documentElement;
  const viewport = window.innerWidth;
  const scrollWidth = root.scrollWidth;
  const offenders = [];
  if (scrollWidth > viewport) {
    const selectorFor = (el) => {
      const parts = [];
      for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
        let part = node.localName;
        if (node.id) { parts.unshift(part + '#' + CSS.escape(node.id)); break; }
        const classes = Array.from(node.classList).slice(0, 2).map((c) => '.' + CSS.escape(c));
        part += classes.join('');
        parts.unshift(part);
        if (node === document.body) break;
      }
      return parts.join(' > ');
    };
    const sticksOut = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.right > viewport + 0.5 || r.left < -0.5);
    };
    for (const el of document.body ? document.body.querySelectorAll('*') : []) {
      if (!sticksOut(el)) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && sticksOut(parent)) continue;
      const r = el.getBoundingClientRect();
      offenders.push(selectorFor(el) + ' (right edge ' + Math.round(r.right) + ' px)');
      if (offenders.length >= 8) break;
    }
  }
  return {viewport, scrollWidth, offenders};
}
"""

_NEXT_FRAME_JS = (
    "() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))"
)


@dataclass(frozen=True)
class Finding:
    """One problem on one page: an axe rule violation, a reflow failure, a bad status."""

    url: str
    rule: str
    impact: str | None
    help: str
    targets: tuple[str, ...] = ()
    help_url: str = ""
    html: str = ""
    overflow_px: int | None = None

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "rule": self.rule,
            "impact": self.impact,
            "help": self.help,
            "targets": list(self.targets),
            "help_url": self.help_url,
            "html": self.html,
            "overflow_px": self.overflow_px,
        }


@dataclass
class PageOutcome:
    """Every rule's outcome on one page: {rule id: "pass" | "fail" | "review" | "n/a"}."""

    url: str
    rules: dict[str, str] = field(default_factory=dict)


@dataclass
class SweepResult:
    base_url: str
    visited: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    outcomes: list[PageOutcome] = field(default_factory=list)
    # {rule id: {"help", "tags", "criteria"}} of every rule run, and the axe-core version.
    rules: dict[str, dict] = field(default_factory=dict)
    axe_version: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings

    def report(self) -> str:
        return format_findings(self.findings, base_url=self.base_url, visited=self.visited)


# --- URLs ---------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def skip_reason(path: str) -> str | None:
    """Why a same-origin path is not swept, or None to sweep it."""
    for prefix in SKIP_PREFIXES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return f"excluded prefix {prefix}"
    segments = [segment.lower() for segment in path.split("/") if segment]
    if any(segment in LOGOUT_SEGMENTS for segment in segments):
        return "log-out link"
    if path.lower().endswith(FILE_SUFFIXES):
        return "file download"
    return None


def normalise_url(href: str, base_url: str) -> str | None:
    """The absolute URL to sweep for a link, or None when it is out of scope.

    Drops the fragment, sorts the query string, keeps only http(s) links on the
    base URL's origin.
    """
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    absolute = urljoin(base_url, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https"):
        return None  # mailto:, tel:, javascript:, data:…
    if (parts.scheme, parts.netloc) != _origin(base_url):
        return None
    path = parts.path or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _numeric_pattern(path: str) -> str | None:
    if not re.search(r"/\d+(/|$)", path):
        return None
    return re.sub(r"/\d+(?=/|$)", "/{n}", path)


class _Frontier:
    """The breadth-first queue, with the caps that keep the crawl bounded."""

    def __init__(
        self,
        base_url: str,
        *,
        exclude_prefixes: Sequence[str],
        max_query_variants: int,
        max_per_numeric_pattern: int | None,
    ):
        self.base_url = base_url
        self.exclude_prefixes = tuple(exclude_prefixes)
        self.max_query_variants = max_query_variants
        self.max_per_numeric_pattern = max_per_numeric_pattern
        self.queue: deque[str] = deque()
        self.seen: set[str] = set()
        self.query_variants: dict[str, set[str]] = {}
        self.pattern_counts: dict[str, int] = {}
        self.skipped: list[tuple[str, str]] = []

    def _skip(self, url: str, reason: str) -> bool:
        self.skipped.append((url, reason))
        return False

    def accepts(self, url: str) -> tuple[bool, str | None]:
        path = urlsplit(url).path
        reason = skip_reason(path)
        if reason:
            return False, reason
        for prefix in self.exclude_prefixes:
            if path.startswith(prefix):
                return False, f"excluded prefix {prefix}"
        return True, None

    def add(self, href: str) -> bool:
        url = normalise_url(href, self.base_url)
        if url is None or url in self.seen:
            return False
        self.seen.add(url)
        accepted, reason = self.accepts(url)
        if not accepted:
            return self._skip(url, reason)
        parts = urlsplit(url)
        if parts.query:
            variants = self.query_variants.setdefault(parts.path, set())
            if len(variants) >= self.max_query_variants:
                return self._skip(url, "query-string variant cap")
            variants.add(parts.query)
        pattern = _numeric_pattern(parts.path)
        if pattern and self.max_per_numeric_pattern is not None:
            count = self.pattern_counts.get(pattern, 0)
            if count >= self.max_per_numeric_pattern:
                return self._skip(url, f"cap for {pattern}")
            self.pattern_counts[pattern] = count + 1
        self.queue.append(url)
        return True


# --- Checks on the loaded page ------------------------------------------------------


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _flatten_target(target) -> str:
    if isinstance(target, list | tuple):
        return " >>> ".join(_flatten_target(part) for part in target)
    return str(target)


_OUTCOMES = (("inapplicable", "n/a"), ("incomplete", "review"), ("passes", "pass"),
             ("violations", "fail"))


def criteria_for_tags(tags: Iterable[str]) -> list[str]:
    """WCAG success criteria named by axe rule tags: "wcag111" → "1.1.1",
    "wcag1410" → "1.4.10" (level tags such as "wcag2aa" name none)."""
    criteria = []
    for tag in tags:
        match = re.fullmatch(r"wcag(\d)(\d)(\d{1,2})", tag)
        if match:
            criteria.append(".".join(match.groups()))
    return criteria


def _record_outcomes(record: dict, response: dict) -> None:
    engine = response.get("testEngine") or {}
    record["axe_version"] = engine.get("version", "")
    rules = record.setdefault("rules", {})
    info = record.setdefault("rule_info", {})
    for key, outcome in _OUTCOMES:  # later keys win: a violation beats a pass
        for rule in response.get(key, []):
            rules[rule["id"]] = outcome
            info.setdefault(rule["id"], {
                "help": rule.get("help", ""),
                "tags": list(rule.get("tags", [])),
                "criteria": criteria_for_tags(rule.get("tags", [])),
            })


# Waits (at most 2 s) for the page's finite CSS transitions and animations: Wagtail's
# messages fade in over 0.5 s, and axe measuring contrast half-way through would report
# the text as too light. Endless animations (the card's sheen) are not waited for.
_SETTLE_SCRIPT = """() => Promise.race([
  Promise.all(document.getAnimations()
    .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map((a) => a.finished.catch(() => null))),
  new Promise((resolve) => setTimeout(resolve, 2000)),
])"""


def _let_transitions_finish(page) -> None:
    page.evaluate(_SETTLE_SCRIPT)


def axe_findings(page, url: str, *, axe=None, tags: Iterable[str] = AXE_TAGS,
                 record: dict | None = None) -> list[Finding]:
    """Run axe-core on the page as loaded and return its violations as findings;
    with ``record``, store every rule's outcome there too (see ``_record_outcomes``)."""
    axe = axe or _axe()
    options = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
    }
    _let_transitions_finish(page)
    results = axe.run(page, options=options)
    if record is not None:
        _record_outcomes(record, results.response)
    findings = []
    for violation in results.response.get("violations", []):
        nodes = violation.get("nodes", [])
        targets = tuple(_flatten_target(node.get("target", "")) for node in nodes)
        findings.append(
            Finding(
                url=url,
                rule=violation["id"],
                impact=violation.get("impact"),
                help=violation.get("help", ""),
                targets=targets,
                help_url=violation.get("helpUrl", ""),
                html=(nodes[0].get("html", "") if nodes else "").replace("\n", " ")[:300],
            )
        )
    return findings


def reflow_findings(page, url: str, *, width: int = REFLOW_WIDTH) -> list[Finding]:
    """Check the page does not scroll horizontally at ``width`` CSS px.

    Resizes the viewport, measures, and restores the previous viewport size.
    """
    previous = page.viewport_size or DESKTOP_VIEWPORT
    page.set_viewport_size({"width": width, "height": REFLOW_HEIGHT})
    try:
        page.evaluate(_NEXT_FRAME_JS)
        measured = page.evaluate(_REFLOW_JS)
    finally:
        page.set_viewport_size(previous)
    scroll_width = int(measured["scrollWidth"])
    if scroll_width <= width:
        return []
    return [
        Finding(
            url=url,
            rule=REFLOW_RULE,
            impact="serious",
            help=(
                f"Content must reflow at {width} CSS px without horizontal scrolling "
                f"(WCAG 1.4.10): document scrollWidth is {scroll_width} px"
            ),
            targets=tuple(measured.get("offenders") or ()),
            help_url="https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
            overflow_px=scroll_width - width,
        )
    ]


def audit_loaded_page(
    page,
    url: str | None = None,
    *,
    axe=None,
    tags: Iterable[str] = AXE_TAGS,
    check_reflow: bool = True,
    record: dict | None = None,
) -> list[Finding]:
    """axe + reflow on whatever the page currently shows."""
    url = url or page.url
    findings = axe_findings(page, url, axe=axe, tags=tags, record=record)
    if check_reflow:
        reflow = reflow_findings(page, url)
        findings += reflow
        if record is not None:
            record.setdefault("rules", {})[REFLOW_RULE] = "fail" if reflow else "pass"
            record.setdefault("rule_info", {}).setdefault(REFLOW_RULE, {
                "help": f"No horizontal scrolling at {REFLOW_WIDTH} CSS px",
                "tags": ["wcag21aa", "wcag1410"], "criteria": ["1.4.10"]})
    return findings


def _content_type(page, response) -> str:
    """The loaded document's media type: the header, or what the browser made of it
    (a response served from cache may come without headers)."""
    header = response.header_value("content-type") if response is not None else None
    if not header:
        header = page.evaluate("() => document.contentType") or ""
    return header.split(";")[0].strip().lower()


def _is_html(page, response) -> bool:
    return _content_type(page, response) in ("text/html", "application/xhtml+xml")


def check_page(
    page,
    url: str,
    *,
    base_url: str | None = None,
    axe=None,
    tags: Iterable[str] = AXE_TAGS,
    check_reflow: bool = True,
    allow_redirect: bool = False,
) -> list[Finding]:
    """Load one URL and audit it (for explicit lists, e.g. admin screens behind a login).

    A status of 400 or more, a non-HTML response or (unless ``allow_redirect``)
    landing on another path are findings too, so a renamed URL cannot pass silently.
    """
    absolute = urljoin(base_url, url) if base_url else url
    response = page.goto(absolute)
    status = response.status if response else 200
    if status >= 400:
        return [
            Finding(url=absolute, rule=HTTP_STATUS_RULE, impact="critical", help=f"HTTP {status}")
        ]
    if not _is_html(page, response):
        return [
            Finding(
                url=absolute,
                rule=HTTP_STATUS_RULE,
                impact="critical",
                help=f"not an HTML page ({_content_type(page, response)})",
            )
        ]
    findings = []
    if not allow_redirect and urlsplit(page.url).path != urlsplit(absolute).path:
        findings.append(
            Finding(
                url=absolute,
                rule=REDIRECT_RULE,
                impact="critical",
                help=f"redirected to {page.url}",
            )
        )
    return findings + audit_loaded_page(
        page, page.url, axe=axe, tags=tags, check_reflow=check_reflow
    )


# --- The crawl ----------------------------------------------------------------------


def sweep_site(
    page,
    base_url: str,
    *,
    start_paths: Sequence[str] = ("/",),
    exclude_prefixes: Sequence[str] = (),
    max_pages: int = MAX_PAGES,
    max_query_variants: int = MAX_QUERY_VARIANTS,
    max_per_numeric_pattern: int | None = MAX_PER_NUMERIC_PATTERN,
    tags: Iterable[str] = AXE_TAGS,
    check_reflow: bool = True,
    report_http_errors: bool = True,
) -> SweepResult:
    """Crawl same-origin links breadth-first from ``start_paths`` and audit each page.

    Links answering 400 or more are reported as ``http-status`` findings (a broken
    internal link is a failure too) unless ``report_http_errors`` is false.
    """
    base_url = base_url.rstrip("/") + "/"
    axe = _axe()
    tags = tuple(tags)
    frontier = _Frontier(
        base_url,
        exclude_prefixes=exclude_prefixes,
        max_query_variants=max_query_variants,
        max_per_numeric_pattern=max_per_numeric_pattern,
    )
    result = SweepResult(base_url=base_url)
    audited: set[str] = set()
    for path in start_paths:
        frontier.add(urljoin(base_url, path))

    from playwright.sync_api import Error as PlaywrightError

    while frontier.queue and len(result.visited) < max_pages:
        url = frontier.queue.popleft()
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a download, a crash, a timeout
            message = str(error).splitlines()[0]
            if "Download is starting" in message:
                result.skipped.append((url, "download"))
                continue
            result.findings.append(
                Finding(
                    url=url,
                    rule=HTTP_STATUS_RULE,
                    impact="critical",
                    help=f"navigation failed: {message}",
                )
            )
            continue
        status = response.status if response else 200
        if status >= 400:
            if report_http_errors:
                result.findings.append(
                    Finding(
                        url=url, rule=HTTP_STATUS_RULE, impact="critical", help=f"HTTP {status}"
                    )
                )
            else:
                result.skipped.append((url, f"HTTP {status}"))
            continue
        if not _is_html(page, response):
            result.skipped.append((url, f"not HTML ({_content_type(page, response)})"))
            continue
        # After a redirect, audit the page actually shown, once, if it is in scope.
        final = normalise_url(page.url, base_url)
        if final is None:
            result.skipped.append((url, f"redirected off-site to {page.url}"))
            continue
        if final != url:
            accepted, reason = frontier.accepts(final)
            if not accepted:
                result.skipped.append((url, f"redirected to {final} ({reason})"))
                continue
            frontier.seen.add(final)
        if final in audited:
            continue
        audited.add(final)
        result.visited.append(final)
        for href in page.evaluate(_LINKS_JS):
            frontier.add(href)
        record: dict = {}
        result.findings += audit_loaded_page(
            page, final, axe=axe, tags=tags, check_reflow=check_reflow, record=record
        )
        result.outcomes.append(PageOutcome(url=final, rules=record.get("rules", {})))
        result.rules.update(record.get("rule_info", {}))
        result.axe_version = record.get("axe_version") or result.axe_version
    result.skipped += frontier.skipped
    result.skipped += [(url, "page cap") for url in frontier.queue]
    return result


# --- Results file (for the accessibility statement) ----------------------------------

RESULTS_FORMAT = 1


def results_data(result: SweepResult, *, tested_at=None, tags: Iterable[str] = AXE_TAGS) -> dict:
    """The sweep's results as JSON-ready data: the pages tested (paths), when, with
    which axe-core version and rules, and each rule's outcome on each page."""
    import datetime

    tested_at = tested_at or datetime.datetime.now(datetime.UTC)
    return {
        "format": RESULTS_FORMAT,
        "tested_at": tested_at.isoformat(timespec="seconds"),
        "tool": "axe-core",
        "axe_version": result.axe_version,
        "tags": list(tags),
        "base_url": result.base_url,
        "rules": {rule: result.rules[rule] for rule in sorted(result.rules)},
        "pages": [
            {"path": _short(outcome.url, result.base_url),
             "rules": dict(sorted(outcome.rules.items()))}
            for outcome in result.outcomes
        ],
    }


def write_results(result: SweepResult, path, **kwargs) -> None:
    import json
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_data(result, **kwargs), ensure_ascii=False, indent=1)
                    + "\n", encoding="utf-8")


# --- Reporting ----------------------------------------------------------------------


def _short(url: str, base_url: str | None) -> str:
    if base_url and url.startswith(base_url.rstrip("/")):
        return url[len(base_url.rstrip("/")) :] or "/"
    return url


def format_findings(
    findings: Sequence[Finding],
    *,
    base_url: str | None = None,
    visited: Sequence[str] | None = None,
) -> str:
    """A readable report, grouped by rule, for an assertion message or a log."""
    pages = sorted({finding.url for finding in findings})
    header = f"{len(findings)} accessibility finding(s) on {len(pages)} page(s)"
    if visited is not None:
        header += f" (of {len(visited)} visited)"
    if not findings:
        return header + "."
    lines = [header + ":"]
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule, group in sorted(by_rule.items()):
        first = group[0]
        lines.append("")
        lines.append(f"[{rule}] ({first.impact or 'n/a'}) {first.help}")
        if first.help_url:
            lines.append(f"    {first.help_url}")
        for finding in group:
            detail = f"  - {_short(finding.url, base_url)}"
            if finding.help != first.help:
                detail += f": {finding.help}"
            lines.append(detail)
            for target in finding.targets[:MAX_TARGETS_PER_FINDING]:
                lines.append(f"      {target}")
            if len(finding.targets) > MAX_TARGETS_PER_FINDING:
                lines.append(f"      … and {len(finding.targets) - MAX_TARGETS_PER_FINDING} more")
            if finding.html:
                lines.append(f"      e.g. {finding.html}")
    return "\n".join(lines)
