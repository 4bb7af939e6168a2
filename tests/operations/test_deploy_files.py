"""The Prometheus alert rules and the systemd backup units parse and say what they should."""

import configparser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_alert_rules_parse_and_cover_the_spec():
    document = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    rules = [rule for group in document["groups"] for rule in group["rules"]]
    assert all({"alert", "expr", "labels", "annotations"} <= rule.keys() for rule in rules)
    by_name = {rule["alert"]: rule for rule in rules}
    expressions = " ".join(rule["expr"] for rule in rules)
    assert "up{" in expressions and "probe_success" in expressions
    assert "portal_http_requests_total" in by_name["PortalHighServerErrorRate"]["expr"]
    assert "0.01" in by_name["PortalHighServerErrorRate"]["expr"]
    assert by_name["PortalHighServerErrorRate"]["for"] == "5m"
    assert "26 * 3600" in by_name["PortalBackupTooOld"]["expr"]
    assert "probe_ssl_earliest_cert_expiry" in by_name["PortalCertificateExpiresSoon"]["expr"]
    assert "14 * 86400" in by_name["PortalCertificateExpiresSoon"]["expr"]
    assert all(rule["labels"]["severity"] in {"critical", "warning"} for rule in rules)


def test_systemd_units():
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(ROOT / "deploy" / "systemd" / "portal-backup.service")
    assert service["Service"]["Type"] == "oneshot"
    assert "manage.py backup" in service["Service"]["ExecStart"]
    timer = configparser.ConfigParser(interpolation=None, strict=False)
    timer.read(ROOT / "deploy" / "systemd" / "portal-backup.timer")
    assert "03:00" in timer["Timer"]["OnCalendar"]
    assert "Asia/Tokyo" in timer["Timer"]["OnCalendar"]
    assert timer["Timer"]["Persistent"] == "true"
