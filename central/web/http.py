"""The staff web's HTTP plumbing: who is signed in, CSRF, role checks, rendering, headers.

Every staff page goes through ``page(...)``: it finds the session (or sends the browser to sign
in), checks the role, checks the CSRF token on every POST before reading anything else, runs the
handler in a worker thread (database and crypto calls block), and adds the security headers.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from central.content import ContentPublisher
from central.db import Database
from central.fft import zone
from central.service import CentralRecord
from central.web.alerts import Alerts
from central.web.auth import ROLES, Accounts, Staff
from central.web.cases import Concerns
from central.web.settings import WebSettings
from central.web.yswh import YouSaidWeHeard, language_name

TEMPLATES = Path(__file__).parent / "templates"
LOGIN_COOKIE = "pv_login"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:;"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Which roles may use which part of the staff web.
ACCESS = {
    "dashboard": {"patient_experience", "ward_manager"},
    "returns": {"patient_experience"},
    "trends": {"patient_experience", "ward_manager"},
    "comments": {"patient_experience", "ward_manager"},
    "yswh": {"patient_experience", "ward_manager"},
    "cases": {"concerns"},
    "involvement": {"concerns"},
    "kiosks": {"it"},
    "audit": {"it"},
}
_HERE: contextvars.ContextVar[str] = contextvars.ContextVar("here", default="")
HOME = {"patient_experience": "/staff/", "ward_manager": "/staff/", "concerns": "/staff/cases",
        "it": "/staff/kiosks"}  # fmt: skip
NAV = [("dashboard", "/staff/", "Dashboard"), ("trends", "/staff/trends", "Trends"),
       ("comments", "/staff/comments", "Comments"), ("returns", "/staff/returns", "FFT return"),
       ("yswh", "/staff/yswh", "You said, we heard"), ("cases", "/staff/cases", "Concerns"),
       ("involvement", "/staff/involvement", "Involvement"),
       ("kiosks", "/staff/kiosks", "Kiosks"), ("audit", "/staff/audit", "Audit log")]  # fmt: skip


@dataclass
class Web:
    """Everything a page handler needs, built once by ``mount_staff_web``."""

    db: Database
    record: CentralRecord
    publisher: ContentPublisher
    settings: WebSettings
    accounts: Accounts = field(init=False)
    concerns: Concerns = field(init=False)
    yswh: YouSaidWeHeard = field(init=False)
    alerts: Alerts = field(init=False)
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.db, self.settings)
        self.concerns = Concerns(self.db, self.settings)
        self.yswh = YouSaidWeHeard(self.db, self.publisher, self.settings)
        self.alerts = Alerts(self.db, self.settings, self.concerns)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )  # fmt: skip
        tz = zone(self.settings.timezone)
        self.env.filters["localtime"] = lambda at: dt.datetime.fromtimestamp(at, tz).strftime(
            "%a %-d %b %Y, %H:%M"
        )
        # due_at is the midnight that ends the due day: show that day, not the next one.
        self.env.filters["dueday"] = lambda at: dt.datetime.fromtimestamp(at - 1, tz).strftime(
            "end of %a %-d %b %Y"
        )
        self.env.filters["language"] = language_name

    @property
    def cookie(self) -> str:
        # __Host- cookies must be Secure, Path=/ and have no Domain: the browser enforces it.
        return "__Host-pv_session" if self.settings.secure_cookies else "pv_session"

    def render(self, name: str, staff: Staff | None, status: int = 200, **ctx: Any) -> Response:
        here = _HERE.get()
        nav = [(href, label, href == here) for key, href, label in NAV
               if staff and staff.role in ACCESS[key]]
        html = self.env.get_template(name).render(
            staff=staff, nav=nav, roles=ROLES, errors=Errors(ctx.pop("errors", None) or {}), **ctx
        )
        return HTMLResponse(html, status, headers=secure_headers())


class Errors(dict):
    """Field -> message; a field without an error reads as "" in templates."""

    def __missing__(self, key: str) -> str:
        return ""


def secure_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**HEADERS, "Cache-Control": "no-store", **(extra or {})}


Handler = Callable[..., Response]


def page(web: Web, area: str | None, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A staff endpoint: signed in, allowed in ``area`` (None: any role), CSRF-checked POSTs.
    ``handler(request, staff, form)`` runs in a worker thread."""

    async def endpoint(request: Request) -> Response:
        token = request.cookies.get(web.cookie)
        staff = await run_in_threadpool(web.accounts.session, token)
        if staff is None:
            return RedirectResponse("/staff/sign-in?expired=1" if token else "/staff/sign-in",
                                    303, headers=secure_headers())  # fmt: skip
        if area is not None and staff.role not in ACCESS[area]:
            return web.render("error.html", staff, 403, title="Not for your role",
                              message="Your role cannot see this page.")  # fmt: skip
        form: dict[str, Any] = {}
        if request.method == "POST":
            raw = await request.form()
            many = ("locations", "themes")
            form = {k: raw.getlist(k) if k in many else raw.get(k) for k in raw.keys()}
            if not hmac.compare_digest(str(form.get("csrf", "")), staff.csrf):
                return web.render("error.html", staff, 403, title="Form expired",
                                  message="This form is out of date or was not sent from this "
                                  "site. Go back, reload the page and try again.")  # fmt: skip
        _HERE.set(request.url.path)  # for aria-current in the navigation
        return await run_in_threadpool(handler, request, staff, form)

    return endpoint


def login_token() -> str:
    return secrets.token_urlsafe(24)


def secure_request(web: Web, request: Request) -> bool:
    """Secure cookies when configured (behind an HTTPS proxy) or when served over HTTPS."""
    return web.settings.secure_cookies or request.url.scheme == "https"


def set_session_cookie(web: Web, request: Request, response: Response, token: str) -> None:
    response.set_cookie(web.cookie, token, httponly=True, samesite="strict", path="/",
                        secure=secure_request(web, request))  # fmt: skip
