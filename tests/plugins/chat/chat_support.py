"""Helpers for the chat plugin tests: signed requests, a callback receiver, a served desk."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from deskframe.testing import free_port

SECRET = "s3cret-for-tests"
SECRET_ENV = "DESKFRAME_TEST_CHAT_SECRET"
HEADER = "X-Deskframe-Signature"


def chat_config(callback_url: str | None = None, **extra: Any) -> str:
    lines = ["[[channels]]", 'name = "site-chat"', 'type = "chat"']
    extra.setdefault("secret_env", SECRET_ENV)
    if callback_url:
        lines.append(f'callback_url = "{callback_url}"')
    extra.setdefault("callback_backoff", 0.01)
    extra.setdefault("callback_timeout", 5)
    for key, value in extra.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def message(
    message_id: str = "m-1", conversation_id: str = "c-1", text: str = "Hello, the printer is on fire", **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": message_id,
        "conversation_id": conversation_id,
        "sender": {"id": "u-7", "name": "Ivan Petrov"},
        "text": text,
        "timestamp": "2026-03-02T10:00:00+03:00",
    }
    data.update(extra)
    return data


def body_of(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


def signed_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {HEADER: signature(body, secret), "Content-Type": "application/json"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CallbackReceiver:
    """A tiny HTTP server on 127.0.0.1 recording POSTs; answers ``statuses`` in turn (last repeats)."""

    def __init__(self, statuses: tuple[int, ...] = (200,)):
        self.statuses = list(statuses)
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.monotonic()}
                )
                index = min(len(receiver.requests), len(receiver.statuses)) - 1
                status = receiver.statuses[index]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/replies"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> CallbackReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST with urllib; returns (status, parsed JSON body)."""
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"null")


class Served:
    """``deskframe --config FILE serve --port P`` in a subprocess, waited for until /healthz answers."""

    def __init__(self, config_path: Path, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        script = Path(sys.executable).parent / "deskframe"
        self.proc = subprocess.Popen(
            [str(script), "--config", str(config_path), "serve", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def wait(self) -> Served:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {self.proc.stdout.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("serve did not come up")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out.decode(errors="replace")
