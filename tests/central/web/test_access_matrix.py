"""Access control proven by a matrix: every route of the served app, read from its router (so a
new route fails here until it is given a row), × every principal (signed out, each staff role,
a kiosk's device token) × own/other location, against the allowed set below.

"Allowed" means the request got past the door: not 401/403/404 and not sent to the sign-in page
(a 400 for a form that is wrong still counts as allowed). Nothing may answer 5xx. For the ward
manager of ward-3 looking at ward-4, an allowed page must still show nothing of ward-4 and a
write must change nothing of ward-4's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import requests
from starlette.routing import Mount, Route

from central.web.auth import Staff
from tests.central.live import sealed_records
from tests.central.web.staff import CONTACT, StaffClient, response, signed_in
from tests.central.wire import batch_json

STAFF = {"pat": "patient_experience", "wendy": "ward_manager", "connie": "concerns",
         "ivan": "it"}  # wendy manages ward-3 only  # fmt: skip
EVERYONE = {"none", "kiosk", *STAFF}
SIGNED_IN = set(STAFF)
OWN, OTHER = "ward-3", "ward-4"
SECRET = {OWN: "MARK3 the nurses", OTHER: "MARK4 the porters"}  # a comment per ward

# (method, path as routed) -> who may use it (own location)
ALLOWED = {
    ("POST", "/api/v1/enrol"): EVERYONE,  # the one-time code is the credential
    ("POST", "/api/v1/batches"): {"kiosk"},
    ("GET", "/api/v1/content"): {"kiosk"},
    ("POST", "/api/v1/heartbeat"): {"kiosk"},
    ("GET", "/api/v1/health"): EVERYONE,
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("GET", "/staff/sign-in"): EVERYONE,
    ("POST", "/staff/sign-in"): SIGNED_IN,  # with their own password
    ("POST", "/staff/sign-out"): SIGNED_IN,
    ("GET", "/staff/style.css"): EVERYONE,
    ("GET", "/staff/"): SIGNED_IN,  # concerns and IT are sent on to their own start page
    ("GET", "/staff/returns"): {"pat"},
    ("GET", "/staff/trends"): {"pat", "wendy"},
    ("GET", "/staff/comments"): {"pat", "wendy"},
    ("GET", "/staff/comments/{record_id}/{question_id}"): {"pat", "wendy"},
    ("POST", "/staff/comments/{record_id}/{question_id}"): {"pat", "wendy"},  # confirm themes
    ("GET", "/staff/yswh"): {"pat", "wendy"},
    ("GET", "/staff/yswh/new"): {"pat", "wendy"},
    ("POST", "/staff/yswh/new"): {"pat", "wendy"},
    ("GET", "/staff/yswh/{item_id}"): {"pat", "wendy"},
    ("POST", "/staff/yswh/{item_id}"): {"pat", "wendy"},
    ("POST", "/staff/yswh/{item_id}/withdraw"): {"pat"},
    ("GET", "/staff/cases"): {"connie"},
    ("GET", "/staff/cases/{record_id}"): {"connie"},
    ("POST", "/staff/cases/{record_id}"): {"connie"},
    ("GET", "/staff/involvement"): {"connie"},
    ("POST", "/staff/involvement"): {"connie"},
    ("GET", "/staff/kiosks"): {"ivan"},
    ("GET", "/staff/audit"): {"ivan"},
    ("GET", "/public/{location}"): EVERYONE,
}
# Where the ward manager is turned away outright for another ward's thing (elsewhere the page
# is allowed and must simply not show it).
OTHER_REFUSED = {("GET", "/staff/yswh/{item_id}"), ("POST", "/staff/yswh/{item_id}"),
                 ("GET", "/staff/comments/{record_id}/{question_id}"),
                 ("POST", "/staff/comments/{record_id}/{question_id}")}  # fmt: skip
ITEM = {"title_en": "Quieter nights", "said_en": "It was noisy.", "did_en": "Soft-close bins.",
        "when_en": "October 2026", "action": "save"}  # fmt: skip


def routes_of(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found: set[tuple[str, str]] = set()

    def walk(routes, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for r in routes:
            if isinstance(r, Mount):
                walk(r.routes, prefix + r.path)
            elif isinstance(r, Route):
                found.update((m, prefix + r.path) for m in (r.methods or {"GET"}) if m != "HEAD")
            else:  # a kind of route this walk does not know would escape the matrix
                raise AssertionError(f"unknown route type {r!r}: teach routes_of about it")

    walk(app.routes, "")
    return found


@dataclass
class World:
    central: object
    kiosk_token: str
    items: dict[str, str]  # location -> a yswh item id
    cases: dict[str, str]  # location -> a case's record id

    def fresh_item(self, location: str) -> str:
        pat = Staff("pat", "patient_experience", ())
        return self.central.web.yswh.save_draft(pat, ITEM, [location])


def _world(c) -> World:  # type: ignore[no-untyped-def]
    for loc in (OWN, OTHER):
        c.ingest([response(c, loc, comment=SECRET[loc], name=f"Ward {loc[-1]}"),
                  response(c, loc, fft=5, comment="call me", contact={**CONTACT,
                           "name": f"Person at {loc}"})])  # fmt: skip
    cases = {cs.location: cs.record_id for cs in c.web.concerns.queue()}
    code = c.record.create_enrol_code("REN", OWN, "Ward 3")
    token = requests.post(c.url + "/api/v1/enrol", json={"code": code}, timeout=10).json()["token"]
    world = World(c, token, {}, cases)
    world.items = {loc: world.fresh_item(loc) for loc in (OWN, OTHER)}
    return world


def _client(c, who: str):  # type: ignore[no-untyped-def]
    return signed_in(c, who) if who in STAFF else StaffClient(c)


def _call(world: World, who: str, method: str, path: str, loc: str) -> requests.Response:
    c = world.central
    client = _client(c, who)
    url = path.replace("{location}", loc).replace("{record_id}", world.cases[loc])
    url = url.replace("{question_id}", "why")  # the case's record has a comment too
    if "{item_id}" in url:
        url = url.replace("{item_id}", world.fresh_item(loc) if method == "POST"
                          else world.items[loc])  # fmt: skip
    if url.startswith("/api/"):
        auth = {"Authorization": f"Bearer {world.kiosk_token}"} if who == "kiosk" else {}
        body: dict = {}
        if url.endswith("/enrol"):
            body = {"code": c.record.create_enrol_code("REN", loc, "Ward")}
        elif url.endswith("/batches"):
            dev = c.record.authenticate(world.kiosk_token)
            body = batch_json(sealed_records(c.keys, dev.device_id, 1))
        elif url.endswith("/heartbeat"):
            body = {"app_version": "1.0", "pending": 0}
        return client.http.request(method, c.url + url, json=body if method == "POST" else None,
                                   headers=auth, timeout=30, allow_redirects=False)  # fmt: skip
    if method == "GET":
        query = "" if "{" in path or "location" in url else f"?location={loc}"
        return client.get(url + query)
    if url == "/staff/sign-in":
        return client.sign_in(who if who in STAFF else "nobody")
    form: list = {"/staff/yswh/new": [*ITEM.items(), ("locations", loc)],
                  "/staff/involvement": [("action", "view")]}.get(url, [])  # fmt: skip
    if "/staff/yswh/" in url and not url.endswith("/withdraw"):
        form = [*ITEM.items(), ("locations", loc)]
    if who not in STAFF:
        return client.post(url, form, csrf=False)
    return client.post(url, form)


def _got_in(resp: requests.Response, path: str) -> bool:
    assert resp.status_code < 500, (resp.status_code, resp.text[:300])
    if path == "/staff/sign-out":  # done, it too sends to sign-in: but it clears the cookie
        return "pv_session=" in resp.headers.get("set-cookie", "")
    to_sign_in = resp.is_redirect and resp.headers["location"].startswith("/staff/sign-in")
    return not to_sign_in and resp.status_code not in (401, 403, 404)


def _ward4_items(c) -> int:  # type: ignore[no-untyped-def]
    return len([i for i in c.web.yswh.items() if OTHER in i.locations])


def test_every_route_of_the_router_has_a_row_in_the_matrix(sqlite_web):
    app = sqlite_web.server.config.app
    assert routes_of(app) == set(ALLOWED), "add the new route to ALLOWED with who may use it"


def test_every_route_by_every_principal_and_location(sqlite_web):
    c = sqlite_web
    world = _world(c)
    wrong = []
    for (method, path), allowed in sorted(ALLOWED.items()):
        for who in sorted(EVERYONE):
            for loc in (OWN, OTHER):
                before = _ward4_items(c)
                resp = _call(world, who, method, path, loc)
                expect = who in allowed and not (
                    who == "wendy" and loc == OTHER and (method, path) in OTHER_REFUSED
                )
                if _got_in(resp, path) != expect:
                    wrong.append((method, path, who, loc, resp.status_code))
                if who == "wendy" and loc == OTHER and path.startswith("/staff"):
                    shown = resp.text
                    if SECRET[OTHER] in shown or "Person at ward-4" in shown:
                        wrong.append((method, path, who, loc, "shows ward-4"))
                    created = _ward4_items(c) - before - (method == "POST" and "{item_id}" in path)
                    if created:
                        wrong.append((method, path, who, loc, "wrote for ward-4"))
    assert not wrong, "\n".join(map(str, wrong))


def test_only_the_concerns_role_ever_opens_contact_details(sqlite_web):
    c = sqlite_web
    world = _world(c)
    month = dt.date.today().strftime("%Y-%m")
    for who in sorted(EVERYONE):
        for path in [p for m, p in ALLOWED if m == "GET" and "{" not in p]:
            text = _client(c, who).get(path + f"?month={month}").text
            if who != "connie":
                assert not re.search(r"Person at ward-\d", text), (who, path)
        opened = _call(world, who, "POST", "/staff/cases/{record_id}", OTHER)
        assert ("Person at ward-4" in opened.text) == (who == "connie"), who
