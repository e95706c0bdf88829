"""The pre-receive hook behind real servers on localhost: `git daemon` and `git http-backend`
(as CGI under Python's http.server). Pushes go over the network protocol, so the hook's
messages reach the pusher through the side band, as they would from a real host."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Bureau
from test_check_support import SITUATIONS, push, s_clean
from test_hook import make_server, server_head

pytestmark = pytest.mark.slow


def git_tool(name: str) -> Path:
    """A git helper program (`git-daemon`, `git-http-backend`) from git's exec path."""
    exec_path = subprocess.run(
        ["git", "--exec-path"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(exec_path) / name


def need(name: str) -> None:
    # .ci/run installs git's helpers when they are missing, so CI never skips these.
    if not git_tool(name).exists():
        pytest.skip(f"{name} is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> bool:
    """True once the server listens; False when it exited (e.g. the port was taken)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server did not listen on port {port}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own session, with every child it forked."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if proc.stderr:
        proc.stderr.close()
    if proc.stdout:
        proc.stdout.close()


@pytest.fixture
def daemon_url(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    need("git-daemon")
    bare = make_server(tmp_path)
    for _ in range(5):  # another process may take the free port first: try another one
        port = free_port()
        proc = subprocess.Popen(
            [
                "git",
                "daemon",
                "--export-all",
                "--enable=receive-pack",
                "--reuseaddr",
                "--listen=127.0.0.1",
                f"--port={port}",
                f"--base-path={tmp_path}",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            if wait_for_port(port, proc):
                yield f"git://127.0.0.1:{port}/{bare.name}", bare
                return
        finally:
            stop(proc)
    raise AssertionError("git daemon did not start on any of five ports")


CGI_SERVER = r"""
import os, subprocess, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ROOT = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    # git http-backend as CGI, run as the current user (http.server's own CGI handler
    # switches to `nobody` when started by root).
    def _cgi(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = dict(os.environ, GIT_PROJECT_ROOT=ROOT, GIT_HTTP_EXPORT_ALL="1",
                   REQUEST_METHOD=self.command, PATH_INFO=url.path, QUERY_STRING=url.query,
                   CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(length), REMOTE_ADDR="127.0.0.1")
        for name in ("Content-Encoding", "Git-Protocol"):
            if self.headers.get(name):
                env["HTTP_" + name.upper().replace("-", "_")] = self.headers[name]
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _cgi

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # the system picks a free port
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def http_url(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    need("git-http-backend")
    bare = make_server(tmp_path)
    subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
    script = tmp_path / "cgi_server.py"
    script.write_text(CGI_SERVER, "utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip().isdigit(), proc.stderr.read() if proc.stderr else line
        port = int(line)
        assert wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/{bare.name}", bare
    finally:
        stop(proc)


def _refuses_then_accepts(bureau: Bureau, url: str, bare: Path) -> None:
    # unsigned record refused
    base, (code,) = SITUATIONS["unsigned-record"](bureau)
    assert push(bureau, url, f"{base}:refs/heads/main").returncode == 0
    proc = push(bureau, url, "main")
    assert proc.returncode != 0 and f"remote: 错误 {code}" in proc.stderr
    assert server_head(bare) == base
    # drop it locally and push a clean history instead
    bureau.git("reset", "-q", "--hard", base)
    s_clean(bureau)
    proc = push(bureau, url, "main")
    assert proc.returncode == 0, proc.stderr
    assert server_head(bare) == bureau.head()
    # force-push and deletion refused
    bureau.git("reset", "-q", "--hard", "HEAD~1")
    proc = push(bureau, url, "+main")
    assert proc.returncode != 0 and "G020" in proc.stderr
    proc = push(bureau, url, ":main")
    assert proc.returncode != 0 and "G021" in proc.stderr
    assert server_head(bare) is not None


def test_git_daemon(bureau: Bureau, daemon_url: tuple[str, Path]) -> None:
    _refuses_then_accepts(bureau, *daemon_url)


def test_http_backend(bureau: Bureau, http_url: tuple[str, Path]) -> None:
    _refuses_then_accepts(bureau, *http_url)


def test_roster_self_grant_over_daemon(bureau: Bureau, daemon_url: tuple[str, Path]) -> None:
    url, bare = daemon_url
    base, _ = SITUATIONS["roster-self-grant"](bureau)
    assert push(bureau, url, f"{base}:refs/heads/main").returncode == 0
    proc = push(bureau, url, "main")
    assert proc.returncode != 0 and "P003" in proc.stderr
    assert server_head(bare) == base
