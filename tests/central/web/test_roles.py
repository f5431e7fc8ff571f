"""Who sees what: ward managers their wards only; reporting roles never see contact details."""

from __future__ import annotations

from tests.central.web.staff import CONTACT, response, signed_in, text_of

STAFF_PAGES = ["/staff/", "/staff/trends", "/staff/comments", "/staff/returns", "/staff/yswh",
               "/staff/yswh/new", "/staff/cases", "/staff/involvement", "/staff/kiosks",
               "/staff/audit"]  # fmt: skip


def _data(c):
    c.ingest([response(c, "ward-3", fft=2, comment="Ward three was calm", name="Ward 3"),
              response(c, "ward-4", fft=5, comment="Ward four was noisy", name="Ward 4"),
              response(c, "ward-4", fft=1, contact=CONTACT, comment="Please call me")])


def test_a_ward_manager_sees_only_their_wards(web_central):
    _data(web_central)
    wendy = signed_in(web_central, "wendy")
    comments = text_of(wendy.get("/staff/comments").text)
    assert "Ward three was calm" in comments and "Ward four" not in comments
    assert "noisy" not in text_of(wendy.get("/staff/comments?location=ward-4").text)
    dash = text_of(wendy.get("/staff/").text)
    assert "Ward 3" in dash and "Ward 4" not in dash
    trends = wendy.get("/staff/trends?location=ward-4").text
    assert "Ward 4" not in text_of(trends)
    pat = text_of(signed_in(web_central, "pat").get("/staff/comments").text)
    assert "Ward three was calm" in pat and "Ward four was noisy" in pat


def test_reporting_roles_never_see_contact_details(web_central):
    _data(web_central)
    for user in ("pat", "wendy", "walter", "ivan"):
        client = signed_in(web_central, user)
        for path in STAFF_PAGES:
            resp = client.get(path)
            page = text_of(resp.text)
            assert CONTACT["name"] not in page and CONTACT["value"] not in page, (user, path)
        assert client.get("/staff/cases").status_code == 403
        assert client.get("/staff/involvement").status_code == 403
    case = web_central.web.concerns.queue()[0]
    refused = signed_in(web_central, "pat").post(f"/staff/cases/{case.record_id}",
                                                 {"action": "open"}, csrf=False)
    assert refused.status_code == 403 and CONTACT["name"] not in refused.text


def test_each_role_is_kept_to_its_pages(sqlite_web):
    allowed = {
        "pat": {"/staff/", "/staff/trends", "/staff/comments", "/staff/returns", "/staff/yswh",
                "/staff/yswh/new"},
        "wendy": {"/staff/", "/staff/trends", "/staff/comments", "/staff/yswh",
                  "/staff/yswh/new"},
        "connie": {"/staff/cases", "/staff/involvement"},
        "ivan": {"/staff/kiosks", "/staff/audit"},
    }  # fmt: skip
    for user, pages in allowed.items():
        client = signed_in(sqlite_web, user)
        for path in STAFF_PAGES:
            status = client.get(path).status_code
            if path == "/staff/" and user in ("connie", "ivan"):
                assert status == 303  # sent to their own start page
            else:
                assert status == (200 if path in pages else 403), (user, path, status)


def test_unknown_pages_and_signed_out_visits(sqlite_web):
    anon = signed_in(sqlite_web, "pat")
    anon.http.cookies.clear()
    resp = anon.get("/staff/comments")
    assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in"
    pat = signed_in(sqlite_web, "pat").get("/staff/trends").text
    assert '<a href="/staff/trends" aria-current="page">' in pat
    assert pat.count('aria-current="page"') == 1
    missing = anon.get("/staff/no-such-page")
    assert missing.status_code == 404 and "Page not found" in missing.text
