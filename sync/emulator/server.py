"""The emulator on a socket: HTTP on 127.0.0.1, faults injected per request."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlparse

from sync.emulator.connect import emulator_session, google_adapter
from sync.emulator.model import ApiError, Fault, invalid
from sync.emulator.service import FakeSheets

UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential."
)


def _fault_body(fault: Fault) -> dict:
    """An injected error's body, in Google's shape: Drive's 403s carry the reason in errors[]
    (Drive v3 "Resolve errors" page), Sheets' errors a status."""
    if fault.reason:
        entry = {"domain": "usageLimits", "reason": fault.reason, "message": fault.reason}
        return {"error": {"code": fault.kind, "message": fault.reason, "errors": [entry]}}
    unavailable = isinstance(fault.kind, int) and fault.kind >= 500
    return {
        "error": {
            "code": fault.kind,
            "message": "The service is currently unavailable." if unavailable else "Quota exceeded",
            "status": "UNAVAILABLE" if unavailable else "RESOURCE_EXHAUSTED",
        }
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeSheets

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionResetError:
            # the client reset a kept-alive connection (it gave up on an answer, or a test cut
            # it): a server moves on, without a traceback in the output
            self.close_connection = True

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes; without this, delayed ACKs cost 40 ms a request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self._control(method, url.path, raw):
            return
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        account = self.fake.account_of(token)
        if account is None:
            self._reply(401, ApiError(401, UNAUTHENTICATED, "UNAUTHENTICATED").body())
            return
        fault = self._take_fault(f"{method} {unquote(url.path)}", raw.decode("utf-8", "replace"))
        if fault is not None and self._fault_before(fault):
            return
        query = parse_qs(url.query, keep_blank_values=True)
        body = None
        try:
            body = json.loads(raw) if raw else None
            status, out = self.fake.handle(method, unquote(url.path), query, body, account)
        except ApiError as err:
            status, out = err.code, err.body()
        except (ValueError, KeyError, TypeError) as exc:
            status, out = 400, invalid(f"Invalid JSON payload received. {exc}").body()
        self.fake.exchanged(method, unquote(url.path), url.query, body, status, out)
        if fault is None or not self._fault_after(fault, status, out):
            self._reply(status, out)

    def _control(self, method: str, path: str, raw: bytes) -> bool:
        """The emulator's own endpoints (request counts, faults) and the token endpoint; True if
        `path` was one of them."""
        if path == "/__emulator/requests" and method == "GET":
            with self.fake.lock:
                counts = dict(self.fake.counts)
                self._reply(200, {"total": len(self.fake.requests), **counts})
        elif path == "/__emulator/faults" and method == "POST":
            self._add_fault(raw)
        elif path == "/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
            self._reply(*self.fake.sign_in(form, f"{self.fake.base_url}/token"))
        else:
            return False
        return True

    def _add_fault(self, raw: bytes) -> None:
        """A fault the tests inject into a running emulator: {"match", "kind", "times", "delay",
        "reason", "body"}."""
        try:
            spec = json.loads(raw or b"{}")
            fault = Fault(str(spec["match"]), spec["kind"], int(spec.get("times", 1)), float(spec.get("delay", 0)))
            fault.reason = str(spec.get("reason", ""))
            fault.body = str(spec.get("body", ""))
        except (ValueError, KeyError, TypeError) as exc:
            self._reply(400, invalid(f"fault: {exc}").body())
            return
        with self.fake.lock:
            self.fake.faults.append(fault)
        self._reply(200, {"faults": len(self.fake.faults)})

    def _fault_before(self, fault: Fault) -> bool:
        """A fault that acts before the request is applied; True if it answered (or dropped)."""
        if fault.kind == "delay":
            time.sleep(fault.delay)
            return False
        if fault.kind == "drop_before":
            self._drop()
        elif fault.kind == "html200":
            page = b"<html><body>Vui l\xc3\xb2ng \xc4\x91\xc4\x83ng nh\xe1\xba\xadp Wi-Fi</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        elif isinstance(fault.kind, int):
            self._reply(fault.kind, _fault_body(fault))
        else:
            return False
        return True

    def _fault_after(self, fault: Fault, status: int, out: Any) -> bool:
        """A fault that acts once the request is applied; True if it took the answer over."""
        if fault.kind == "drop_after":
            self._drop()
            return True
        if fault.kind == "cut_body":
            # applied and answered 200, but the connection dies inside the chunked body: a
            # Wi-Fi drop mid-answer, which requests raises as ChunkedEncodingError
            data = json.dumps(out, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s" % (len(data), data[: len(data) // 2]))
            self.wfile.flush()
            self._drop()
            return True
        if fault.kind == "barrier":
            # after the request is applied, not before: released together, one thread could still
            # be scheduled late enough to read what the other had meanwhile written (seen in CI)
            try:
                fault.gate.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
        return False

    def _take_fault(self, line: str, body: str = "") -> Fault | None:
        with self.fake.lock:
            for f in self.fake.faults:
                if f.kind == "barrier" and f.gate is None:
                    f.gate = threading.Barrier(f.times)
                if f.match in line and f.body in body and f.times > 0:
                    f.times -= 1
                    return f
        return None

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        # the Date header of every answer, from the service's wall clock
        return super().date_time_string(self.fake.wall_clock() if timestamp is None else timestamp)

    def _reply(self, status: int, body: Any) -> None:
        # chunked, with no Content-Length, as Google's answers are in the recorded traffic: a
        # client learns an answer's size only by reading it
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(data), 1 << 16):
                piece = data[i : i + (1 << 16)]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            # the client stopped reading (an answer past its limit): a server just moves on
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


class FakeSheetsServer:
    """`with FakeSheetsServer() as server:` serves on 127.0.0.1; `server.session(email)` is a
    requests.Session for gspread that sends Google's URLs here and fails closed elsewhere."""

    def __init__(self, fake: FakeSheets | None = None, port: int = 0):
        self.fake = fake or FakeSheets()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.fake.base_url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def redirect(self):
        """A requests adapter that sends Google's API hosts here and refuses every other host."""
        return google_adapter(self.url)

    def session(self, email: str):
        """A session that skips signing in (bearer "fake-token:<email>")."""
        return emulator_session(self.url, email)


KINDS = ("drop_before", "drop_after", "cut_body", "html200", "delay", "barrier")


def parse_fault(text: str) -> Fault:
    """`MATCH=KIND[:ARG][xTIMES]`, e.g. `:batchUpdate=drop_after`, `values=503x2`,
    `files=403:storageQuotaExceeded`, `GET /v4=delay:0.5x2`."""
    import re

    match, _, rest = text.rpartition("=")
    m = re.fullmatch(r"(?P<kind>\d{3}|[a-z_0-9]+?)(?::(?P<reason>[A-Za-z0-9.]+?))?(?:x(?P<times>\d+))?", rest)
    if not match or m is None:
        raise ValueError(f"lỗi giả lập không hiểu được: {text!r} (dạng ĐỊA-CHỈ=LOẠI-LỖI[:LÝ-DO][xSỐ-LẦN])")
    kind = int(m["kind"]) if m["kind"].isdigit() else m["kind"]
    if kind not in KINDS and not isinstance(kind, int):
        raise ValueError(f"kiểu lỗi giả lập {kind!r}: dùng một mã HTTP hoặc {', '.join(KINDS)}")
    if kind == "delay":
        return Fault(match, kind, int(m["times"] or 1), delay=float(m["reason"] or 1))
    return Fault(match, kind, int(m["times"] or 1), reason=m["reason"] or "")


def serve(port: int, faults: list[str], out=None) -> None:
    """`thidua sheet emulator`: serve until interrupted."""
    import sys

    out = out or sys.stdout
    fake = FakeSheets()
    fake.faults = [parse_fault(f) for f in faults]
    server = FakeSheetsServer(fake, port=port)
    host = server.url.removeprefix("http://")
    print(f"Máy giả lập Google Sheets đang chạy tại {server.url} (Ctrl+C để dừng).", file=out)
    print(f"Đặt biến môi trường: THIDUA_SHEETS_EMULATOR_HOST={host}", file=out)
    print("và THIDUA_EMULATOR_ACCOUNT=<địa chỉ e-mail> để làm việc với tư cách tài khoản đó.", file=out, flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
