"""`make api-fuzz`: schemathesis against the API's OpenAPI schema on a real server.

    .venv/bin/python tests/api/fuzz.py [--examples 20] [--shops 60] [--keep-db]

1. a scratch PostgreSQL database (FUZZ_DB, default portal_api_fuzz; PGHOST,
   PGPORT, PGUSER as for psql) is created, migrated and seeded small
   (`load_masters`, `seed_demo --shops N`, `api_fuzz_seed`: a secretariat token
   and shops awaiting approval);
2. gunicorn serves config.wsgi on a free port of 127.0.0.1 (throttles raised,
   mail discarded);
3. `schemathesis run http://127.0.0.1:PORT/api/v1/openapi.json`, at most N
   examples per operation, checking: no 5xx, documented status codes, content
   types and headers, bodies matching the schema, invalid data rejected. The
   requests carry the secretariat's bearer token; the member-only and shop-owner
   operations a member's or an owner's token (a generated schemathesis.toml), and
   the operations on one object get the id of a real one (the approval endpoint:
   a shop awaiting approval), so they reach the code behind the 404;
4. the server is stopped and the database dropped (unless --keep-db).

The two operations that revoke tokens (DELETE /api/v1/auth/token and
/api/v1/auth/tokens/{id}) are left out: fuzzing them would revoke the run's own
token. tests/api/test_auth_and_users.py covers them. Exits with schemathesis's
status.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance,negative_data_rejection")
EXCLUDED_OPERATIONS = ("auth_token_revoke_current", "auth_tokens_revoke")


MEMBER_OPERATIONS = ("users_me", "users_me_update", "users_me_favourites",
                     "users_me_favourites_add", "users_me_favourites_remove",
                     "push_subscriptions_list")
OWNER_OPERATIONS = ("shop_users_me",)
PINNED_IDS = {
    # operation id: (path parameter, key of the seeded ids)
    "manage_shops_approval": ("id", "pending_shop"),
    "manage_shops_read": ("id", "shop"),
    "manage_shops_update": ("id", "shop"),
    "manage_shops_draft_save": ("id", "shop"),
    "manage_shops_submit": ("id", "shop"),
    "shops_detail": ("id", "shop"),
    "users_me_favourites_add": ("shop_id", "shop"),
    "users_me_favourites_remove": ("shop_id", "shop"),
    "manage_events_read": ("id", "event"),
    "manage_events_update": ("id", "event"),
    "events_detail": ("id", "event"),
    "manage_faminavi_read": ("id", "article"),
    "manage_faminavi_update": ("id", "article"),
    "faminavi_detail": ("id", "article"),
    "manage_news_read": ("id", "news"),
    "manage_news_update": ("id", "news"),
    "news_detail": ("id", "news"),
    "manage_push_campaigns_read": ("id", "campaign"),
}


def fuzz_config(seeded: dict) -> str:
    """schemathesis.toml: the secretariat's token for every operation, a member's and
    an owner's for theirs, and real ids for the operations on one object."""
    tokens, ids = seeded["tokens"], seeded["ids"]

    def header(role):
        return f'headers = {{ Authorization = "Bearer {tokens[role]}" }}'

    lines = [header("secretariat"), ""]
    for operation_id in sorted(set(PINNED_IDS) | set(MEMBER_OPERATIONS)
                               | set(OWNER_OPERATIONS)):
        lines += ["[[operations]]", f'include-operation-id = "{operation_id}"']
        if operation_id in MEMBER_OPERATIONS:
            lines.append(header("member"))
        elif operation_id in OWNER_OPERATIONS:
            lines.append(header("owner"))
        if operation_id in PINNED_IDS:
            name, key = PINNED_IDS[operation_id]
            lines.append(f"parameters = {{ {name} = {int(ids[key])} }}")
        lines.append("")
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*command, env, capture=False) -> str:
    print("+", " ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=True,
                            text=True, stdout=subprocess.PIPE if capture else None)
    return result.stdout or ""


def psql(sql: str, env) -> None:
    run("psql", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql, env=env)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", 20)))
    parser.add_argument("--shops", type=int, default=60)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("PGHOST", "127.0.0.1")
    env.setdefault("PGPORT", "5432")
    env.setdefault("PGUSER", "postgres")
    env["PGOPTIONS"] = "-c client_min_messages=warning"
    database = env.get("FUZZ_DB", "portal_api_fuzz")
    env.update({
        "DATABASE_URL": f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "ERROR",
        "API_THROTTLE_IP": "1000000/minute",
        "API_THROTTLE_TOKEN": "1000000/minute",
        "PORTAL_RATE_LIMIT_PER_IP": "1000000",
        "PORTAL_LOGIN_LOCKOUT_ATTEMPTS": "1000000",
        "MAINTENANCE_FLAG_FILE": str(ROOT / "var" / "api-fuzz-maintenance.off"),
    })
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    python = BIN / "python"
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', env)
    psql(f'CREATE DATABASE "{database}"', env)
    server = None
    try:
        run(python, "manage.py", "migrate", "--noinput", "-v0", env=env)
        run(python, "manage.py", "load_masters", env=env)
        run(python, "manage.py", "seed_demo", "--shops", str(args.shops), env=env)
        seeded = json.loads(run(python, "manage.py", "api_fuzz_seed", env=env,
                                capture=True).strip().splitlines()[-1])
        config = Path(os.environ.get("FUZZ_CONFIG", ROOT / "var" / "api-fuzz.toml"))
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(fuzz_config(seeded), encoding="utf-8")
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own command line
            [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", args.workers, "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/v1/openapi.json")
        command = [
            str(BIN / "schemathesis"), "--config-file", str(config),
            "run", f"{base}/api/v1/openapi.json",
            "--max-examples", str(args.examples),
            "--checks", CHECKS,
            "--phases", "examples,coverage,fuzzing",
            "--request-timeout", "30",
            "--seed", os.environ.get("FUZZ_SEED", "1"),
            "--suppress-health-check", "all",
        ]
        for operation_id in EXCLUDED_OPERATIONS:
            command += ["--exclude-operation-id", operation_id]
        print("+ schemathesis run", base + "/api/v1/openapi.json", "…", flush=True)
        return subprocess.run(command, cwd=ROOT, env=env).returncode  # noqa: S603
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        Path(os.environ.get("FUZZ_CONFIG", ROOT / "var" / "api-fuzz.toml")).unlink(
            missing_ok=True)  # it holds the run's tokens
        if not args.keep_db:
            psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', env)


if __name__ == "__main__":
    sys.exit(main())
