"""The central record's HTTP face: a Starlette app, every route under /api/v1 (docs/protocol.md).

Handlers are thin: read a size-limited body, call ``CentralRecord``/``ContentPublisher`` in a
worker thread (crypto and database calls are blocking), and turn errors into the one error shape
``{"error": {"code", "message"}}``. A malformed request is refused whole before anything is
stored. Tokens are never logged; request logs carry the device id only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from central.content import ContentPublisher
from central.db import DatabaseBusyError
from central.openapi import openapi_schema
from central.ratelimit import Guard, RateLimits, client_address, retry_after
from central.service import CentralRecord, Device
from central.web import WebSettings, mount_staff_web
from sync.protocol import (
    API_PREFIX,
    MAX_BODY_BYTES,
    EnrolmentError,
    Heartbeat,
    WireError,
    error_body,
    gunzip_limited,
)

log = logging.getLogger("central.app")
SMALL_BODY = 64 * 1024
RETRY_AFTER_BUSY = "2"


class RateLimited(WireError):
    def __init__(self, what: str, wait: float) -> None:
        super().__init__("rate_limited", f"too many {what}: wait {retry_after(wait)} seconds"
                         " (Retry-After) and try again", 429)  # fmt: skip
        self.retry_after = retry_after(wait)


def _error(exc: WireError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": exc.retry_after}
    return JSONResponse(error_body(exc.code, exc.detail), exc.status, headers=headers)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise WireError("body_too_large", f"the body must be at most {limit} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise WireError("body_too_large", f"the body must be at most {limit} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(
            "malformed_json", f"the body is not valid JSON ({exc.__class__.__name__})"
        ) from exc


def _require_json(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise WireError("unsupported_media_type", "send Content-Type: application/json", 415)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own 404/405 in the one error shape, so every refusal names a code.
    status = getattr(exc, "status_code", 400)
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, f"http_{status}")
    return JSONResponse(
        error_body(code, f"{request.method} {request.url.path}: {code}"),
        status,
        headers=getattr(exc, "headers", None),
    )


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise WireError("missing_token", "send Authorization: Bearer <device token>", 401)
    return token.strip()


def build_app(
    record: CentralRecord,
    publisher: ContentPublisher,
    *,
    bench: bool = False,
    staff_web: WebSettings | None = None,
    limits: RateLimits | None = None,
) -> Starlette:
    guard = Guard(limits)

    async def guarded(request: Request, handler: Any) -> Response:
        try:
            return await handler(request)
        except WireError as exc:
            return _error(exc)
        except EnrolmentError as exc:
            status = 503 if exc.code == "no_keys" else 403
            return JSONResponse(error_body(exc.code, str(exc)), status)
        except DatabaseBusyError as exc:
            log.warning("database busy: %s", exc)
            return JSONResponse(
                error_body("busy", "the central record is busy; retry later"),
                503,
                headers={"Retry-After": RETRY_AFTER_BUSY},
            )
        except ClientDisconnect:
            return Response(status_code=400)

    async def device(request: Request) -> Device:
        token = _bearer(request)
        return await run_in_threadpool(record.authenticate, token)

    async def enrol(request: Request) -> Response:
        _require_json(request)
        data = _json(await _body(request, SMALL_BODY))
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("code"), str)
            or len(data["code"]) > 64
        ):
            raise WireError("wrong_type", 'the body must be {"code": "<enrolment code>"}', 422)
        previous = data.get("previous_device_id")
        if previous is not None and (not isinstance(previous, str) or len(previous) > 64):
            raise WireError("wrong_type", "previous_device_id must be a device id (text)", 422)
        # Counted after the shape checks (a malformed body costs nothing), before the code is
        # looked up; given back on success, so only wrong codes use the budget up.
        pairs = (("enrol_per_address", client_address(request)), ("enrol_global", "*"))
        wait = guard.check(*pairs)
        if wait:
            raise RateLimited("enrolment attempts", wait)
        enrolment = await run_in_threadpool(record.enrol, data["code"], previous)
        guard.give_back(*pairs)
        log.info(
            "enrolled device %s at %s/%s", enrolment.device_id, enrolment.site, enrolment.location
        )
        return JSONResponse(enrolment.to_json(), 201, headers={"Cache-Control": "no-store"})

    def ingest(dev: Device, raw: bytes, gzipped: bool) -> dict:
        inflated = gunzip_limited(raw) if gzipped else raw
        # Hash what was meant, not how it was packed: a resend may be gzipped differently.
        body_sha = hashlib.sha256(inflated).hexdigest()
        return record.ingest_json(dev, _json(inflated), body_sha).to_json()

    async def batches(request: Request) -> Response:
        dev = await device(request)  # before reading the body: a revoked kiosk sends nothing
        wait = guard.check(("batches_per_device", dev.device_id))
        if wait:
            raise RateLimited("batch uploads from this device", wait)
        _require_json(request)
        encoding = request.headers.get("content-encoding", "identity").lower()
        if encoding not in ("gzip", "identity"):
            raise WireError(
                "unsupported_encoding", "Content-Encoding must be gzip or identity", 415
            )
        raw = await _body(request, MAX_BODY_BYTES)
        result = await run_in_threadpool(ingest, dev, raw, encoding == "gzip")
        return JSONResponse(result)

    async def content(request: Request) -> Response:
        dev = await device(request)
        etag, doc = await run_in_threadpool(publisher.document, dev.location)
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        return JSONResponse(doc, headers=headers)

    async def heartbeat(request: Request) -> Response:
        dev = await device(request)
        _require_json(request)
        hb = Heartbeat.from_json(_json(await _body(request, SMALL_BODY)))
        await run_in_threadpool(record.heartbeat, dev, hb)
        return Response(status_code=204)

    async def discard(request: Request) -> Response:
        # Benchmark baseline only: authenticate, read the same bytes, store nothing.
        await device(request)
        await _body(request, MAX_BODY_BYTES)
        return Response(status_code=204)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "protocol": 1})

    async def schema(request: Request) -> Response:
        return JSONResponse(openapi_schema())

    def route(path: str, handler: Any, methods: list[str]) -> Route:
        async def endpoint(request: Request) -> Response:
            return await guarded(request, handler)

        return Route(API_PREFIX + path, endpoint, methods=methods)

    routes = [
        route("/enrol", enrol, ["POST"]),
        route("/batches", batches, ["POST"]),
        route("/content", content, ["GET"]),
        route("/heartbeat", heartbeat, ["POST"]),
        route("/health", health, ["GET"]),
        route("/openapi.json", schema, ["GET"]),
    ]
    if bench:
        routes.append(route("/bench/discard", discard, ["POST"]))
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(record.start)
        yield
        await run_in_threadpool(record.close)  # the worker processes that open batches

    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error},
                    lifespan=lifespan)
    app.state.record = record
    app.state.rate_guard = guard
    if staff_web is not None:
        mount_staff_web(app, record, publisher, staff_web)
    return app
