"""One local origin playing CloudFront + API Gateway: `static_site/` at `/`, the Chalice app at `/api`.

- `/api` and `/api/...` go to the Chalice app through Chalice's own API Gateway emulation
  (`chalice.local.LocalGateway`, `local` stage config), with the caller's address as
  `requestContext.identity.sourceIp` and the raw request bytes as the body. The app object is
  switched to `chalice.local.LocalChalice` so `current_request` is per thread.
- Everything else is a file under `static_site/` (GET/HEAD): `/` and folders give their
  `index.html`, a missing file gives `404.html` with status 404. Every answer carries the
  security headers CloudFront adds in production (chalicelib/security/headers.py); answers of the
  app keep the app's own headers.
  `connect_src` lets the pages also fetch from the S3 server (direct photo uploads).

`ThreadingHTTPServer`, HTTP/1.1 keep-alive, bound to 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chalicelib.security import headers as http_headers

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static_site"
API_PREFIX = "/api"
MAX_BODY_BYTES = 10 * 1024 * 1024

log = logging.getLogger("sbp.gateway")


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}


def content_type(path: Path) -> str:
    return (
        CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


def local_config(project_dir: Path = ROOT):
    """Chalice's Config for the `local` stage from `.chalice/config.json`."""
    from chalice.config import Config

    config_from_disk = json.loads((project_dir / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return Config(
        chalice_stage="local",
        config_from_disk=config_from_disk,
        user_provided_params={"project_dir": str(project_dir)},
    )


def make_thread_safe(app: Any) -> Any:
    """Give the app a per-thread `current_request` (what `chalice local` does)."""
    from chalice.local import LocalChalice

    if not isinstance(app, LocalChalice):
        app.__class__ = type(f"Local{type(app).__name__}", (LocalChalice, type(app)), {})
    return app


def _gateway_class():
    from chalice.local import LocalGateway

    class SourceIpGateway(LocalGateway):
        """LocalGateway that reports the real client address instead of a fixed 127.0.0.1."""

        def __init__(self, app_object, config, source_ip: str):
            super().__init__(app_object, config)
            self._source_ip = source_ip

        def _generate_lambda_event(self, method, path, headers, body):
            event = super()._generate_lambda_event(method, path, headers, body)
            event["requestContext"]["identity"]["sourceIp"] = self._source_ip
            return event

    return SourceIpGateway


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sbp-local-gateway"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    # set by Gateway()
    app: Any = None
    config: Any = None
    static_dir: Path = STATIC_DIR
    gateway_cls: Any = None
    security_headers: dict[str, str] = http_headers.security_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        log.info("%s %s", self.address_string(), format % args)

    # ---- dispatch ------------------------------------------------------------------------

    def _dispatch(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            self._api()
        elif self.command in ("GET", "HEAD"):
            self._static(path)
        else:
            self.close_connection = True  # the request body (if any) stays unread
            self._send(
                HTTPStatus.METHOD_NOT_ALLOWED,
                {"Allow": "GET, HEAD", "Content-Type": "text/plain; charset=utf-8"},
                "不支持的请求方法".encode(),
            )

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    def __getattr__(self, name: str) -> Any:
        """Any other method (TRACE, QUERY ...) goes the same way, so the API answers 405 for a
        method its route lacks, as API Gateway does, never http.server's bare 501."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    # ---- API -----------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError("body too large")
        return self.rfile.read(length) if length > 0 else None

    def _api(self) -> None:
        from chalice.local import LocalGatewayException

        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(
                413,
                {"Content-Type": "application/json"},
                json.dumps({"error": {"code": "body_too_large", "message": "请求内容过大"}}).encode(),
            )
            return
        headers = dict(self.headers.items())
        gateway = self.gateway_cls(self.app, self.config, self.client_address[0])
        try:
            response = gateway.handle_request(method=self.command, path=self.path, headers=headers, body=body)
        except LocalGatewayException as exc:  # unknown route: API Gateway's 403
            self._send(exc.CODE, dict(exc.headers), exc.body or b"")
            return
        except Exception:  # what API Gateway answers when the Lambda blows up
            log.exception("the app failed on %s %s", self.command, self.path)
            self._send(502, {"Content-Type": "application/json"}, b'{"message": "Internal server error"}')
            return
        out_headers: dict[str, Any] = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[name] = values
        payload = response.get("body")
        if response.get("isBase64Encoded") and payload is not None:
            import base64

            payload = base64.b64decode(payload)
        if payload is None:
            payload = b""
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        self._send(int(response["statusCode"]), out_headers, payload)

    # ---- static files --------------------------------------------------------------------

    def _resolve(self, url_path: str) -> Path | None:
        relative = urllib.parse.unquote(url_path).lstrip("/")
        if "\x00" in relative:
            return None
        root = self.static_dir.resolve()
        candidate = (root / relative).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _static(self, url_path: str) -> None:
        file = self._resolve(url_path)
        status = HTTPStatus.OK
        if file is None:
            status = HTTPStatus.NOT_FOUND
            file = self.static_dir / "404.html"
            if not file.is_file():
                self._send(
                    status,
                    {"Content-Type": "text/html; charset=utf-8"},
                    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面不存在</title>'
                    '<h1>页面不存在</h1><p><a href="/">返回首页</a></p></html>'.encode(),
                )
                return
        data = file.read_bytes()
        self._send(status, {"Content-Type": content_type(file), "Cache-Control": "no-cache"}, data)

    # ---- output --------------------------------------------------------------------------

    def _send(self, status: int, headers: dict[str, Any], body: bytes) -> None:
        lowered = {name.lower() for name in headers}
        self.send_response(int(status))
        for name, value in headers.items():
            if name.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, str(item))
        if "content-type" not in lowered:
            self.send_header("Content-Type", "application/json")
        for name, value in self.security_headers.items():
            if name.lower() not in lowered:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class LocalGatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Gateway:
    """The local origin: `Gateway(app).start()` serves in a background thread; `.url`; `.stop()`."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        static_dir: Path = STATIC_DIR,
        config: Any = None,
        connect_src: tuple[str, ...] = (),
    ):
        headers = http_headers.security_headers(tuple(connect_src))  # plain http: no HSTS
        handler = type(
            "BoundGatewayHandler",
            (GatewayHandler,),
            {
                "app": make_thread_safe(app),
                "config": config or local_config(),
                "static_dir": Path(static_dir),
                "gateway_cls": _gateway_class(),
                "security_headers": headers,
            },
        )
        self.server = LocalGatewayServer((host, port), handler)
        self.host, self.port = self.server.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Gateway:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="sbp-gateway", kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.server.server_close()

    def __enter__(self) -> Gateway:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
