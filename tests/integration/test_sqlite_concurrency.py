"""SQLite, the single-machine default, under a small office's simultaneous clicks.

The app runs as `make run` runs it: `manage.py runserver` (threaded) with the dev settings, on
a SQLite file of its own (not the test database, so this runs whatever DATABASE_URL the suite
has), filled by `load_demo_data`. Twenty threads then send the same write at the same moment
through the API. Exactly one wins, the others get a clean 409, none a 500 ("database is
locked"), and the database holds exactly one transition.

Slow for a unit test (~20 s: most of it is migrating the fresh database).
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from ocip.accounts.mfa import current_totp_code

REPO = Path(__file__).resolve().parents[2]
THREADS = 20
PASSWORD = "ocip-demo-2026"  # load_demo_data's personas
OWNER = "alice.tremblay@northwind.example"
OFFICE = "etienne.roy@lacite.example"  # research office of La Cité, with TOTP
TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.DOTALL)

# Run in the server's environment: a fresh database, the demo data, and what the tests act on.
SETUP = """
import io, json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable")
call_command("load_demo_data", stdout=io.StringIO())
from diagnostics.models import Company
from matching.models import IntroductionRequest
from ocip.accounts.mfa import totp_secret_of
from ocip.accounts.models import User
waiting = IntroductionRequest.objects.filter(
    institution__slug="la-cite", status=IntroductionRequest.Status.SUBMITTED
).order_by("pk").first()
print(json.dumps({
    "company": Company.objects.get(memberships__user__email=sys.argv[1]).slug,
    "request": waiting.pk,
    "totp_secret": totp_secret_of(User.objects.get(email=sys.argv[2])),
}))
"""


class Client:
    """One browser: a session cookie and the CSRF token, over plain HTTP."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = CookieJar()  # locked: the threads may share it
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))

    def csrf_token(self) -> str:
        return next((c.value or "" for c in self.cookies if c.name == "csrftoken"), "")

    def send(self, method: str, path: str, *, data: dict | None = None, form: bool = False):
        """(status, body, final URL) of one request; redirects are followed."""
        url = path if path.startswith("http") else self.base_url + path
        headers = {"X-CSRFToken": self.csrf_token(), "Referer": url}
        body = None
        if data is not None and form:
            body = urlencode({"csrfmiddlewaretoken": self.csrf_token(), **data}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), response.geturl()
        except HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.geturl()

    def log_in(self, email: str, totp_secret: str | None = None) -> None:
        self.send("GET", "/accounts/login/")  # the CSRF cookie
        status, _body, url = self.send(
            "POST", "/accounts/login/", data={"login": email, "password": PASSWORD}, form=True
        )
        if totp_secret:
            assert "/2fa/authenticate/" in url, (status, url)
            status, _body, url = self.send(
                "POST", url, data={"code": current_totp_code(totp_secret)}, form=True
            )
        assert status == 200, (status, url)
        status, body, _url = self.send("GET", "/api/v1/me/")
        assert status == 200, (status, body)


def all_at_once(client: Client, method: str, path: str, data: dict | None = None) -> list:
    """THREADS copies of one request, released together; their (status, body)."""
    barrier = threading.Barrier(THREADS, timeout=30)
    results: list = [None] * THREADS

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = client.send(method, path, data=data)[:2]
        except (URLError, OSError) as error:  # a dropped connection counts as a failure
            results[index] = (0, repr(error))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "requests still running after 90 s"
    return results


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, base_url: str, database: Path, log: Path, facts: dict):
        self.base_url = base_url
        self.database = database
        self.log = log
        self.facts = facts

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def query(self, sql: str, *params):
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()

    def check(self, results: list) -> Counter:
        """No 5xx (nor dropped connection) among `results`; the count of each status."""
        statuses = Counter(status for status, _body in results)
        failures = [
            # Django's debug page names the exception in its title.
            html.unescape(title.group(1)) if (title := TITLE.search(body)) else body[:300]
            for status, body in results
            if not 200 <= status < 500
        ]
        assert not failures, f"{statuses}: {Counter(failures)}\n{self.log_tail()}"
        return statuses


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sqlite-server")
    database = directory / "db.sqlite3"
    environment = {
        # Only what the interpreter needs: no DATABASE_URL, REDIS_URL or broker of the suite's.
        **{name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ},
        "DJANGO_SETTINGS_MODULE": "ocip.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(directory / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    setup = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SETUP, OWNER, OFFICE],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr[-4000:]
    facts = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    log = directory / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{port}",
            ],
            cwd=REPO,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        running = Server(f"http://127.0.0.1:{port}", database, log, facts)
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, running.log_tail()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "server not up in 30 s\n" + running.log_tail()
                time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_twenty_starts_saves_and_submits_of_one_diagnostic(server):
    owner = Client(server.base_url)
    owner.log_in(OWNER)
    company = server.facts["company"]

    # Twenty "Start a diagnostic" at once: one draft (prefilled from the last one), all get it.
    started = all_at_once(owner, "POST", f"/api/v1/companies/{company}/diagnostics/")
    statuses = server.check(started)
    assert statuses == {201: 1, 200: THREADS - 1}, statuses
    (draft,) = {json.loads(body)["id"] for _status, body in started}
    diagnostic = json.loads(started[0][1])
    steps = diagnostic["steps"]

    def step_answers(step: dict) -> dict:
        return {
            qid: diagnostic["answers"][qid]
            for qid in step["questions"]
            if qid in diagnostic["answers"]
        }

    for step in steps[:-1]:  # confirm the prefilled answers, one step after the other
        status, body, _url = owner.send(
            "PUT",
            f"/api/v1/diagnostics/{draft}/steps/{step['number']}/",
            data={"answers": step_answers(step), "complete": True},
        )
        assert status == 200, body
    revision = json.loads(body)["revision"]

    # Twenty saves of the last step at once: every one lands (none lost, none refused).
    last = steps[-1]
    saved = all_at_once(
        owner,
        "PUT",
        f"/api/v1/diagnostics/{draft}/steps/{last['number']}/",
        {"answers": step_answers(last), "complete": True},
    )
    statuses = server.check(saved)
    assert statuses == {200: THREADS}, statuses
    revision += THREADS
    assert server.query("SELECT revision FROM diagnostics_diagnostic WHERE id = ?", draft) == [
        (revision,)
    ]

    # Twenty submits at once: one is scored, the others told it is submitted already.
    submitted = all_at_once(
        owner, "POST", f"/api/v1/diagnostics/{draft}/submit/", {"revision": revision}
    )
    statuses = server.check(submitted)
    assert statuses == {200: 1, 409: THREADS - 1}, statuses

    assert server.query(
        "SELECT status, revision FROM diagnostics_diagnostic WHERE id = ?", draft
    ) == [("submitted", revision + 1)]
    assert server.query(
        "SELECT COUNT(*) FROM diagnostics_needsprofile WHERE diagnostic_id = ?", draft
    ) == [(1,)]
    drafts = server.query(
        "SELECT COUNT(*) FROM diagnostics_diagnostic d JOIN diagnostics_company c"
        " ON c.id = d.company_id WHERE c.slug = ? AND d.status = 'draft'",
        company,
    )
    assert drafts == [(0,)]


def test_twenty_declines_of_one_request(server):
    office = Client(server.base_url)
    office.log_in(OFFICE, totp_secret=server.facts["totp_secret"])
    request = server.facts["request"]
    status, body, _url = office.send("GET", f"/api/v1/requests/{request}/")
    assert status == 200, body
    version = json.loads(body)["version"]

    declined = all_at_once(
        office,
        "POST",
        f"/api/v1/requests/{request}/decline/",
        {"version": version, "reason": "no_capacity", "note": "Our lab is full this term."},
    )
    statuses = server.check(declined)
    assert statuses == {200: 1, 409: THREADS - 1}, statuses

    assert server.query(
        "SELECT status, version FROM matching_introductionrequest WHERE id = ?", request
    ) == [("declined", version + 1)]
    assert server.query(
        "SELECT COUNT(*) FROM matching_requestevent WHERE request_id = ? AND kind = 'declined'",
        request,
    ) == [(1,)]
