"""The staff web pages of the central record: sign-in and roles, reports, "You said, we heard",
the concerns queue and involvement list, alerts. Server-rendered HTML that works without
JavaScript; see docs/staff-web.md.

The record service's app gets it with one line (central/app.py, in ``build_app``)::

    mount_staff_web(app, record, publisher, settings)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route

from central.content import ContentPublisher
from central.ratelimit import Guard
from central.service import CentralRecord
from central.web import pages, reports, themes
from central.web.http import Web, page, secure_headers
from central.web.schema import migrate
from central.web.settings import WebSettings, load_settings

__all__ = ["WebSettings", "load_settings", "mount_staff_web"]
STATIC = Path(__file__).parent / "static"


def mount_staff_web(
    app: Starlette,
    record: CentralRecord,
    publisher: ContentPublisher,
    settings: WebSettings | None = None,
    *,
    start_alerts: bool = True,
) -> Web:
    """Add /staff/... (signed in) and /public/... (department TV screens) to ``app``."""
    settings = settings or WebSettings()
    migrate(record.db)
    web = Web(record.db, record, publisher, settings)

    def p(area: str | None, handler: Any) -> Any:
        return page(web, area, lambda request, staff, form: handler(web, request, staff, form))

    # The record service's limiters (central/app.py), so sign-in shares its clock and settings.
    guard = getattr(app.state, "rate_guard", None) or Guard()

    async def sign_in(request: Request) -> Response:
        return await pages.sign_in(web, request, guard)

    async def style(request: Request) -> Response:
        return FileResponse(STATIC / "style.css", headers={"Cache-Control": "max-age=3600"})

    async def public(request: Request) -> Response:
        return await run_in_threadpool(reports.public_page, web, request)

    staff_routes = [
        Route("/sign-in", sign_in, methods=["GET", "POST"]),
        Route("/sign-out", p(None, pages.sign_out), methods=["POST"]),
        Route("/style.css", style),
        Route("/", p(None, _home_or_dash)),
        Route("/returns", p("returns", reports.returns_page)),
        Route("/trends", p("trends", reports.trends_page)),
        Route("/comments", p("comments", reports.comments_page)),
        Route("/comments/{record_id}/{question_id}", p("comments", themes.comment_page),
              methods=["GET", "POST"]),
        Route("/yswh", p("yswh", pages.yswh_list)),
        Route("/yswh/new", p("yswh", pages.yswh_edit), methods=["GET", "POST"]),
        Route("/yswh/{item_id}", p("yswh", pages.yswh_edit), methods=["GET", "POST"]),
        Route("/yswh/{item_id}/withdraw", p("yswh", pages.yswh_withdraw), methods=["POST"]),
        Route("/cases", p("cases", pages.cases_list)),
        Route("/cases/{record_id}", p("cases", pages.case_page), methods=["GET", "POST"]),
        Route("/involvement", p("involvement", pages.involvement_page), methods=["GET", "POST"]),
        Route("/kiosks", p("kiosks", pages.kiosks_page)),
        Route("/audit", p("audit", pages.audit_page)),
    ]
    handlers = {404: _not_found(web), 405: _not_found(web)}
    app.router.routes.append(Mount("/staff", Starlette(routes=staff_routes,
                                                       exception_handlers=handlers)))
    app.router.routes.append(Mount("/public", Starlette(
        routes=[Route("/{location}", public)], exception_handlers=handlers)))
    app.state.staff_web = web
    if start_alerts:
        web.alerts.start()
    return web


def _home_or_dash(web: Web, request: Request, staff: Any, form: dict) -> Response:
    if staff.role in ("patient_experience", "ward_manager"):
        return reports.dashboard(web, request, staff, form)
    return pages.home(web, request, staff, form)


def _not_found(web: Web) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        html = web.env.get_template("error.html").render(
            staff=None, nav=[], roles={}, errors={}, title="Page not found",
            message="There is no page at this address. Check it, or start from the sign-in page.")
        return HTMLResponse(html, status, headers=secure_headers())

    return handler
