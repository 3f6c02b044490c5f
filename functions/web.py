"""HTTP plumbing shared by every route: body parsing, session cookie, client IP, the one
place where domain errors become HTTP answers, CSRF check and security headers.

`functions/` handlers use `web.body()`, `web.session()`, `web.client_ip()` and return plain
dicts (or `web.with_cookie(...)`); `install(app)` wires the rest in `app.py`.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib import edge, json_input, observability, settings
from chalicelib.errors import BadInput, DomainError, Unauthorized
from chalicelib.security import headers as http_headers
from functions import schemas

log = logging.getLogger("sbp")

COOKIE_NAME = "sbp_session"
MAX_FIELD_CHARS = schemas.MAX_FIELD_CHARS
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Bank notifications come from servers, not browsers: they are authenticated by signature.
CSRF_EXEMPT_PREFIXES = ("/api/banks/",)

_app: Chalice | None = None


def request():
    assert _app is not None, "web.install(app) was not called"
    return _app.current_request


def error_body(code: str, message: str, field: str | None = None) -> dict:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


def error_response(
    status: int, code: str, message: str, field: str | None = None, retry_after: int | None = None
) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = str(int(retry_after))
    return Response(body=error_body(code, message, field), status_code=status, headers=headers)


# ---- input -------------------------------------------------------------------------------


def json_object() -> dict:
    """The request body as a JSON object (size and depth checked before parsing), or BadInput."""
    return json_input.parse_object(request().raw_body)


def body(*required: str, optional: tuple[str, ...] = (), max_chars: int = MAX_FIELD_CHARS) -> dict:
    """Required and optional string fields of the JSON body, type- and length-checked."""
    data = json_object()
    out: dict[str, Any] = {}
    for name in required + optional:
        value = data.get(name)
        if value is None or value == "":
            if name in required:
                raise BadInput(f"缺少必填项：{name}", code="missing_field", field=name)
            out[name] = None
            continue
        if not isinstance(value, str):
            raise BadInput(f"{name} 应为文本", code="wrong_type", field=name)
        if len(value) > max_chars:
            raise BadInput(f"{name} 过长（最多{max_chars}个字符）", code="too_long", field=name)
        out[name] = value
    return out


def query(name: str, required: bool = False, max_chars: int = MAX_FIELD_CHARS) -> str | None:
    params = request().query_params or {}
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise BadInput(f"缺少查询参数：{name}", code="missing_field", field=name)
        return None
    if len(value) > max_chars:
        raise BadInput(f"{name} 过长", code="too_long", field=name)
    return value


def body_model(model: type) -> Any:
    """The JSON body decoded and validated as `model` (functions/schemas), or BadInput."""
    return schemas.decode(model, json_object())


def query_model(model: type) -> Any:
    """The query parameters decoded and validated as `model` ("2024" → 2024), or BadInput."""
    params = {k: v for k, v in (request().query_params or {}).items() if v != ""}
    return schemas.decode(model, params, strict=False)


def client_ip() -> str:
    """The resident's address as the edge reports it (`edge.client_address`), never
    X-Forwarded-For as sent."""
    req = request()
    source = (req.context or {}).get("identity", {}).get("sourceIp")
    return edge.client_address(req.headers, source)


def user_agent() -> str:
    return (request().headers.get("user-agent") or "")[:200]


# ---- session cookie ----------------------------------------------------------------------


def session_token() -> str | None:
    cookie_header = request().headers.get("cookie") or ""
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE_NAME and value:
            return value
    return None


def session():
    """The signed-in resident's session (checked and touched on the server), or 401."""
    req = request()
    cached = getattr(req, "_sbp_session", None)
    if cached is not None:
        return cached
    from chalicelib.services import sessions  # noqa: PLC0415 (keeps web importable without models)

    token = session_token()
    if not token:
        raise Unauthorized("请先登录", code="not_signed_in")
    current = sessions.authenticate(token)
    req._sbp_session = current
    observability.set_resident(current.id_number)
    return current


def _cookie(value: str, max_age: int) -> str:
    parts = [f"{COOKIE_NAME}={value}", "Path=/", "HttpOnly", "SameSite=Strict", f"Max-Age={max_age}"]
    if not settings.is_local():
        parts.append("Secure")
    return "; ".join(parts)


def with_cookie(payload: dict, token: str | None, status: int = 200) -> Response:
    """A JSON answer that sets (token) or clears (None) the session cookie."""
    cookie = _cookie(token, settings.ABSOLUTE_TIMEOUT_S) if token else _cookie("", 0)
    return Response(
        body=payload, status_code=status, headers={"Set-Cookie": cookie, "Content-Type": "application/json"}
    )


# ---- error mapping, CSRF, headers --------------------------------------------------------

TEMPORARY_RETRY_AFTER_S = 2
_TEMPORARY_ERRORS = {
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
    "ConnectionError",
    "TimeoutError",
    "ReadTimeout",
    "ConnectTimeout",
}
_TEMPORARY_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
    "SlowDown",
    "RequestTimeout",
}


def _mapped(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            return error_response(exc.status, exc.code, exc.message, exc.field, exc.retry_after)
        except Exception as exc:  # the storage layer failing is temporary for the caller
            if _is_temporary(exc):
                log.warning("temporary failure on %s: %s", request().path, type(exc).__name__)
                return temporarily_unavailable()
            log.exception("unhandled error on %s", request().path)
            return error_response(500, "internal_error", "系统内部错误，请稍后再试")

    return wrapper


def temporarily_unavailable() -> Response:
    return error_response(
        503, "temporarily_unavailable", "服务暂时繁忙，请稍后再试", retry_after=TEMPORARY_RETRY_AFTER_S
    )


def _is_temporary(exc: BaseException) -> bool:
    """A timeout, a lost connection or a throttle anywhere in the exception's cause chain.

    Never raises: pynamodb errors may carry a cause whose `response` is None.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if {cls.__name__ for cls in type(current).__mro__} & _TEMPORARY_ERRORS:
            return True
        response = getattr(current, "response", None)
        code = ((response or {}).get("Error") or {}).get("Code") if isinstance(response, dict) else None
        if code in _TEMPORARY_CODES:
            return True
        cause = getattr(current, "cause", None)
        current = cause if isinstance(cause, BaseException) else current.__cause__ or current.__context__
    return False


def security_headers(response: Response) -> None:
    headers = response.headers
    if not any(name.lower() == "content-type" for name in headers) and not isinstance(
        response.body, (str, bytes)
    ):
        headers["Content-Type"] = "application/json"
    for name, value in http_headers.security_headers(https=not settings.is_local()).items():
        headers.setdefault(name, value)
    headers.setdefault("Cache-Control", "no-store")


def _normalise_error(response: Response) -> None:
    """Chalice's own errors (405, 415, 500) come as {"Code","Message"}: give them our shape."""
    body_value = response.body
    if response.status_code >= 400 and isinstance(body_value, dict) and "Code" in body_value:
        message = (
            "系统内部错误，请稍后再试" if response.status_code >= 500 else str(body_value.get("Message"))
        )
        response.body = error_body(str(body_value["Code"]), message)


def install(app: Chalice) -> None:
    """Wrap every registered view with the error mapping; add CSRF and header middleware."""
    global _app
    _app = app
    for methods in app.routes.values():
        for entry in methods.values():
            if not getattr(entry.view_function, "_sbp_mapped", False):
                entry.view_function = _mapped(entry.view_function)
                entry.view_function._sbp_mapped = True  # type: ignore[attr-defined]  # a marker on the function

    @app.middleware("http")
    def csrf_and_headers(event, get_response):
        path = event.path or ""
        refusal = _refusal(event, path)
        response = refusal if refusal is not None else get_response(event)
        _normalise_error(response)
        security_headers(response)
        return response


# Longest value of each path parameter (its format); a longer one cannot exist: 404 at once.
PATH_PARAM_MAX_CHARS = {
    "application_id": 19,
    "order_no": 19,
    "code": 32,
    "bank_code": 16,
    "captcha_id": 32,
    "type_code": 8,
}
PATH_PARAM_DEFAULT_MAX_CHARS = 64
_PATH_PARAM_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")


def _refusal(event: Request, path: str) -> Response | None:
    """The answer to a request refused before any handler or storage call, or None."""
    if not edge.came_through_edge(event.headers):  # outside local: only through CloudFront
        return error_response(403, "origin_forbidden", "请通过社保服务网站访问")
    for name, value in (event.uri_params or {}).items():
        limit = PATH_PARAM_MAX_CHARS.get(name, PATH_PARAM_DEFAULT_MAX_CHARS)
        if len(value or "") > limit or not _PATH_PARAM_CHARS.match(value or ""):
            return error_response(404, "not_found", "未找到该记录")
    if event.method in SAFE_METHODS:
        return None
    try:
        json_input.check_size(event.raw_body)
    except DomainError as exc:
        return error_response(exc.status, exc.code, exc.message)
    if path.startswith(CSRF_EXEMPT_PREFIXES):
        return None
    if not _same_site(event.headers):
        return error_response(403, "cross_site_request", "请求被拒绝：请从本网站页面操作")
    if (event.headers.get("x-requested-with") or "") != "XMLHttpRequest":
        return error_response(403, "csrf_header_missing", "请求被拒绝：缺少 X-Requested-With 请求头")
    return None


def _same_site(headers: Mapping[str, str]) -> bool:
    """`Origin` (when sent) must be our own; `Sec-Fetch-Site` (when sent) same-origin or none."""
    fetch_site = (headers.get("sec-fetch-site") or "").lower()
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("host") or ""
    ours = {settings.site_origin().rstrip("/"), f"https://{host}", f"http://{host}"}
    return origin.rstrip("/") in ours


def session_answer(result: dict) -> Response:
    """A sign-in style result: move its `token` (if any) from the body into the cookie."""
    payload = dict(result)
    token = payload.pop("token", None)
    if token is None:
        return Response(body=payload, status_code=200, headers={"Content-Type": "application/json"})
    return with_cookie(payload, token)
