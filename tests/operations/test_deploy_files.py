"""The Prometheus alert rules and the systemd backup units work with this app: every
series an alert selects is one the app's /metrics really exports (with the label
values the alert matches on), an alert fires on the app's own numbers, the timer
elapses daily at 03:00 Japan time as systemd itself computes it, and the service
runs a management command that exists with the options it passes."""

import configparser
import datetime
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import get_commands
from django.utils import timezone

from operations.backup import FORMAT_VERSION
from tests.operations.test_metrics import scrape

ROOT = Path(__file__).resolve().parents[2]
# Series that other exporters (blackbox_exporter, node_exporter, Prometheus itself)
# provide; everything else an alert selects must come from the app.
EXTERNAL = re.compile(r"^(up|probe_\w+|node_\w+)$")
SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?")
MATCHER = re.compile(r'([a-zA-Z_]\w*)\s*(=~|!=|=)\s*"([^"]*)"')
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "time", "max", "min",
                "avg", "count", "le", "job", "and", "or", "unless", "absent", "on", "without",
                "humanizePercentage", "delta", "deriv", "clamp_min", "irate"}


def _rules():
    document = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def _selected_series(expression: str):
    """(metric name, {label: value}) for each series selector of a PromQL expression
    (equality matchers only: those are the ones a missing label value breaks)."""
    without_ranges = re.sub(r"\[[^\]]*\]", "", expression)
    without_grouping = re.sub(r"\b(by|without|on)\s*\([^)]*\)", "", without_ranges)
    for name, braces in SELECTOR.findall(without_grouping):
        if name in PROMQL_WORDS or re.fullmatch(r"[\d.e]+", name):
            continue
        # job and instance are the target's labels, added by Prometheus when it scrapes.
        labels = {key: value for key, op, value in MATCHER.findall(braces or "")
                  if op == "=" and key not in ("job", "instance")}
        yield name, labels


@pytest.mark.django_db
def test_every_alert_selects_series_the_app_exports(client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    generation = settings.BACKUP_DIR / "20260102T040000Z"
    generation.mkdir(parents=True)
    (generation / "manifest.json").write_text(json.dumps({
        "format": FORMAT_VERSION, "created_at": timezone.now().isoformat(), "tables": {},
        "files": [{"name": "database.sqlite3", "sha256": "0" * 64, "size": 1000}],
    }))
    client.get("/healthz")
    samples = scrape(client)
    exported = {}
    for name, labels in samples:
        exported.setdefault(name, []).append(dict(labels))

    rules = _rules()
    assert rules
    for rule in rules:
        assert {"alert", "expr", "labels", "annotations"} <= rule.keys(), rule
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        for name, labels in _selected_series(rule["expr"]):
            if EXTERNAL.match(name) or name == "job":
                continue
            assert name in exported, f"{rule['alert']}: the app exports no {name}"
            assert any(labels.items() <= sample.items() for sample in exported[name]), (
                f"{rule['alert']}: no {name} sample has the labels {labels}")


@pytest.mark.django_db
def test_the_backup_alert_fires_on_the_apps_own_age_figure(client, settings, tmp_path):
    """PortalBackupTooOld compares the exported age with its threshold: a generation of
    27 hours ago trips it, one of 2 hours does not (as `expr` reads, with the age the
    app reports)."""
    [rule] = [rule for rule in _rules() if rule["alert"] == "PortalBackupTooOld"]
    match = re.fullmatch(r"\s*portal_backup_age_seconds(?:\{[^}]*\})?\s*>\s*([\d\s*]+)\s*", rule["expr"])
    assert match, rule["expr"]
    threshold = eval(match.group(1), {"__builtins__": {}})  # noqa: S307 (digits and * only)
    settings.BACKUP_DIR = tmp_path / "backups"
    for hours, fires in ((2, False), (27, True)):
        shutil.rmtree(settings.BACKUP_DIR, ignore_errors=True)
        folder = settings.BACKUP_DIR / f"202601{hours:02d}T000000Z"
        folder.mkdir(parents=True)
        created = timezone.now() - datetime.timedelta(hours=hours)
        (folder / "manifest.json").write_text(json.dumps({
            "format": FORMAT_VERSION, "created_at": created.isoformat(), "tables": {},
            "files": [{"name": "database.sqlite3", "sha256": "0" * 64, "size": 1000}],
        }))
        age = scrape(client)[("portal_backup_age_seconds", frozenset())]
        assert (age > threshold) is fires, (hours, age, threshold)


def test_the_backup_timer_elapses_daily_at_three_in_tokyo():
    timer = configparser.ConfigParser(interpolation=None, strict=False)
    timer.read(ROOT / "deploy" / "systemd" / "portal-backup.timer")
    spec = timer["Timer"]["OnCalendar"]
    result = subprocess.run(["systemd-analyze", "calendar", "--iterations=2", spec],
                            capture_output=True, text=True, check=True, timeout=30)
    elapses = re.findall(r"\(in UTC\):\s+\w+ (\S+ \S+) UTC", result.stdout)
    assert len(elapses) == 2, result.stdout
    moments = [datetime.datetime.fromisoformat(f"{text}+00:00") for text in elapses]
    tokyo = [moment.astimezone(ZoneInfo("Asia/Tokyo")) for moment in moments]
    assert all((local.hour, local.minute) == (3, 0) for local in tokyo), tokyo
    assert moments[1] - moments[0] == datetime.timedelta(days=1)
    assert timer["Timer"]["Persistent"] == "true"  # a missed run happens at boot
    assert timer["Timer"]["Unit"] == "portal-backup.service"


def test_the_backup_service_runs_an_existing_command_with_options_it_accepts():
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(ROOT / "deploy" / "systemd" / "portal-backup.service")
    assert service["Service"]["Type"] == "oneshot"
    argv = shlex.split(service["Service"]["ExecStart"])
    manage = argv.index("manage.py")
    command, options = argv[manage + 1], argv[manage + 2:]
    assert get_commands().get(command) == "operations"
    from django.core.management import load_command_class

    parser = load_command_class("operations", command).create_parser("manage.py", command)
    parser.parse_args(options)  # exits (SystemExit) on an option the command lacks
    assert service["Service"]["Environment"].endswith("config.settings.production")
