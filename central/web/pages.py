"""Staff pages besides the reports: sign-in, "You said, we heard", concerns, involvement, IT.

Every POST handler validates everything first and changes the database in one transaction (in
the library it calls), so a refused form changes nothing and is shown again with an error
summary naming each field.
"""

from __future__ import annotations

import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from central.content import ALL_LOCATIONS
from central.ratelimit import Guard, client_address, retry_after
from central.returns import location_names
from central.web.auth import Staff, StaffError, audit_log
from central.web.cases import INTERESTS, METHODS, NEEDS, STATUSES
from central.web.http import (
    HOME,
    LOGIN_COOKIE,
    Web,
    login_token,
    secure_headers,
    secure_request,
    set_session_cookie,
)
from central.web.yswh import FIELD_LABELS, FormError

# ---------------------------------------------------------------- signing in


def _sign_in_form(web: Web, request: Request, message: str = "", status: int = 200) -> Response:
    token = login_token()
    expired = request.query_params.get("expired") == "1"
    resp = web.render("sign_in.html", None, status, title="Sign in", csrf=token,
                      message=message, expired=expired)  # fmt: skip
    resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/staff/",
                    secure=secure_request(web, request))  # fmt: skip
    return resp


async def sign_in(web: Web, request: Request, guard: Guard) -> Response:
    if request.method == "GET":
        return _sign_in_form(web, request)
    form = await request.form()
    sent, cookie = str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or sent != cookie:
        return _sign_in_form(web, request, "The sign-in form had expired. Please try again.", 403)
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    if not username or not password:
        return _sign_in_form(web, request, "Enter your username and your password.", 400)
    if len(username) > 64 or len(password) > 1024:  # scrypt of a huge body would be a DoS
        return _sign_in_form(web, request, "The username or password is too long.", 400)
    # On top of the lock-out: limits per account name (known or not) and per address, checked
    # before the password costs an scrypt; given back on success, so only wrong tries count.
    pairs = (("sign_in_per_account", username), ("sign_in_per_address", client_address(request)))
    wait = guard.check(*pairs)
    if wait:
        resp = _sign_in_form(web, request, "There have been too many sign-in attempts. Wait"
                             f" {_wait_words(wait)} and try again, or ask IT.", 429)  # fmt: skip
        resp.headers["Retry-After"] = retry_after(wait)
        return resp
    token = await run_in_threadpool(web.accounts.sign_in, username, password)
    if token is not None:
        guard.give_back(*pairs)
    if token is None:
        return _sign_in_form(web, request, "The username or password is not right, or the account"
                             f" is locked for {int(web.settings.lockout_seconds // 60)} minutes"
                             " after too many tries. Check and try again, or ask IT.", 401)
    staff = await run_in_threadpool(web.accounts.session, token)
    resp = RedirectResponse(HOME[staff.role] if staff else "/staff/", 303,
                            headers=secure_headers())  # fmt: skip
    set_session_cookie(web, request, resp, token)
    resp.delete_cookie(LOGIN_COOKIE, path="/staff/")
    return resp


def _wait_words(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{math.ceil(seconds)} seconds" if seconds < 60 else f"{minutes} minute" + (
        "s" if minutes != 1 else "")


def sign_out(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    web.accounts.sign_out(request.cookies.get(web.cookie, ""), staff.username)
    resp = RedirectResponse("/staff/sign-in", 303, headers=secure_headers())
    resp.delete_cookie(web.cookie, path="/")
    return resp


def home(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    return RedirectResponse(HOME[staff.role], 303, headers=secure_headers())


# ---------------------------------------------------------------- You said, we heard


def _location_choices(web: Web, staff: Staff) -> list[tuple[str, str]]:
    names = location_names(web.db)
    out = [(loc, names[loc]) for loc in sorted(names) if staff.sees(loc)]
    if staff.role == "patient_experience":
        out.insert(0, (ALL_LOCATIONS, "Every location"))
    return out


def yswh_list(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    return web.render("yswh_list.html", staff, title="You said, we heard",
                      items=web.yswh.items(staff), done=request.query_params.get("done", ""))


def yswh_edit(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    item_id = request.path_params.get("item_id")
    item = web.yswh.item(item_id) if item_id else None
    if item_id and (item is None or (staff.role == "ward_manager"
                                     and not all(staff.sees(x) for x in item.locations))):
        return web.render("error.html", staff, 404, title="Not found",
                          message="There is no such item, or it is not for your wards.")
    errors: dict[str, str] = {}
    values = _values(web, item) if item else {}
    chosen = list(item.locations) if item else []
    if request.method == "POST":
        values, chosen = dict(form), list(form.get("locations") or [])
        action = form.get("action", "save")
        try:
            web.yswh.save_draft(staff, values, chosen, item_id, publish=action == "publish")
            done = "published" if action == "publish" else "saved"
            return RedirectResponse(f"/staff/yswh?done={done}", 303, headers=secure_headers())
        except FormError as exc:
            errors = exc.problems
        except StaffError as exc:
            errors = {"form": str(exc)}
    return web.render("yswh_edit.html", staff, 400 if errors else 200,
                      title="Edit item" if item else "New item", item=item, values=values,
                      chosen=chosen, errors=errors, labels=FIELD_LABELS,
                      languages=web.settings.languages,
                      locations=_location_choices(web, staff))  # fmt: skip


def _values(web: Web, item: object) -> dict[str, str]:
    out = {f"{name}_{lang}": text for name, by in item.texts.items()  # type: ignore[attr-defined]
           for lang, text in by.items()}  # fmt: skip
    out.update({f"fallback_{lang}": "1" for lang in item.fallback})  # type: ignore[attr-defined]
    return out


def yswh_withdraw(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    try:
        web.yswh.withdraw(staff, request.path_params["item_id"])
    except StaffError as exc:
        return web.render("error.html", staff, 403, title="Not done", message=str(exc))
    return RedirectResponse("/staff/yswh?done=withdrawn", 303, headers=secure_headers())


# ---------------------------------------------------------------- concerns


def cases_list(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    show_all = request.query_params.get("all") == "1"
    return web.render("cases.html", staff, title="Concerns queue",
                      cases=web.concerns.queue(include_resolved=show_all), show_all=show_all,
                      names=location_names(web.db), has_key=web.concerns.key() is not None,
                      quarantined=web.concerns.quarantined())  # fmt: skip


def case_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    record_id = request.path_params["record_id"]
    case = web.concerns.case(record_id)
    if case is None:
        return web.render("error.html", staff, 404, title="Not found",
                          message="There is no such case.")
    details, error = None, ""
    if request.method == "POST" and form.get("action") == "status":
        try:
            web.concerns.set_status(staff, record_id, str(form.get("status", "")))
            return RedirectResponse(f"/staff/cases/{record_id}", 303, headers=secure_headers())
        except StaffError as exc:
            error = str(exc)
    elif request.method == "POST":
        try:
            details = web.concerns.open_details(staff, record_id)
        except StaffError as exc:
            error = str(exc)
    return web.render("case.html", staff, 400 if error else 200, title="Case", case=case,
                      details=details, error=error, needs=NEEDS, methods=METHODS, statuses=STATUSES,
                      names=location_names(web.db),
                      has_key=web.concerns.key() is not None)  # fmt: skip


def involvement_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    people, error = None, ""
    if request.method == "POST":
        try:
            if form.get("action") == "export":
                text = web.concerns.involvement_csv(staff)
                return Response(text, media_type="text/csv; charset=utf-8", headers=secure_headers(
                    {"Content-Disposition": 'attachment; filename="involvement.csv"'}))
            people = web.concerns.involvement_details(staff, "viewed_involvement")
        except StaffError as exc:
            error = str(exc)
    return web.render("involvement.html", staff, 400 if error else 200, title="Involvement",
                      count=len(web.concerns.involvement()), people=people, error=error,
                      needs=NEEDS, interests=INTERESTS, methods=METHODS,
                      names=location_names(web.db),
                      has_key=web.concerns.key() is not None)  # fmt: skip


# ---------------------------------------------------------------- IT


def kiosks_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    return web.render("kiosks.html", staff, title="Kiosks", devices=web.record.devices())


def audit_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    return web.render("audit.html", staff, title="Audit log", lines=audit_log(web.db))
