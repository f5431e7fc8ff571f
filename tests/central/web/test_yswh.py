"""'You said, we heard': drafts, publishing with translations, the kiosks' content, public page."""

from __future__ import annotations

import dataclasses

import requests

from kiosk.content import parse_yswh
from tests.central.web.staff import response, signed_in, text_of

ITEM = {"title_en": "Quieter nights", "said_en": "It was too noisy at night.",
        "did_en": "We fitted soft-close bins.", "when_en": "October 2026"}  # fmt: skip
WELSH = {"title_cy": "Nosweithiau tawelach", "said_cy": "Roedd hi'n rhy swnllyd yn y nos.",
         "did_cy": "Gosodon ni finiau cau meddal.", "when_cy": "Hydref 2026"}  # fmt: skip


def _kiosk_items(central, location):
    _etag, doc = central.publisher.document(location)
    return parse_yswh(doc["you_said_we_heard"])


def test_ward_manager_drafts_and_the_team_publishes_with_translations(web_central):
    c = web_central
    c.device("ward-3", "Ward 3")
    c.device("ward-4", "Ward 4")
    wendy = signed_in(c, "wendy")
    resp = wendy.post("/staff/yswh/new", [*ITEM.items(), ("locations", "ward-3"),
                                          ("action", "save")])  # fmt: skip
    assert resp.status_code == 303 and resp.headers["location"] == "/staff/yswh?done=saved"
    (item,) = c.web.yswh.items()
    assert item.status == "draft" and item.locations == ("ward-3",)
    assert _kiosk_items(c, "ward-3") == []  # a draft is not on the kiosks

    pat = signed_in(c, "pat")
    refused = pat.post(f"/staff/yswh/{item.item_id}", [*ITEM.items(), ("locations", "ward-3"),
                                                       ("action", "publish")])  # fmt: skip
    assert refused.status_code == 400
    page = text_of(refused.text)
    assert "There is a problem" in page
    for label in ("Title", "You said", "We did", "When"):
        assert f"Enter '{label}' in Cymraeg (Welsh), or tick 'Show the English text' for it" \
            in page
    assert 'href="#said_cy"' in refused.text and 'aria-invalid="true"' in refused.text
    assert c.web.yswh.item(item.item_id).status == "draft"  # nothing half-saved

    ok = pat.post(f"/staff/yswh/{item.item_id}", [*ITEM.items(), *WELSH.items(),
                                                  ("locations", "ward-3"), ("action", "publish")])
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/yswh?done=published"
    (wire,) = _kiosk_items(c, "ward-3")
    assert wire["title"] == {"en": "Quieter nights", "cy": "Nosweithiau tawelach"}
    assert _kiosk_items(c, "ward-4") == []

    public = requests.get(f"{c.url}/public/ward-3", timeout=10)  # no sign-in
    assert public.status_code == 200 and "Quieter nights" in public.text
    welsh = requests.get(f"{c.url}/public/ward-3?lang=cy", timeout=10)
    assert "Nosweithiau tawelach" in welsh.text and '<html lang="cy"' in welsh.text
    assert "Dywedoch chi: Roedd hi" in text_of(welsh.text)  # the kiosk's own Welsh label
    assert "Quieter nights" not in requests.get(f"{c.url}/public/ward-4", timeout=10).text
    c.web.settings = dataclasses.replace(c.web.settings, languages=("en", "cy", "ar"))
    arabic = requests.get(f"{c.url}/public/ward-3?lang=ar", timeout=10).text
    assert '<html lang="ar" dir="rtl">' in arabic and "Quieter nights" in arabic  # English shown


def test_an_explicit_english_fallback_and_trust_wide_items(sqlite_web):
    c = sqlite_web
    c.device("ward-3", "Ward 3")
    pat = signed_in(c, "pat")
    resp = pat.post("/staff/yswh/new", [*ITEM.items(), ("fallback_cy", "1"), ("locations", "*"),
                                        ("action", "publish")])  # fmt: skip
    assert resp.status_code == 303
    (wire,) = _kiosk_items(c, "ward-3")
    assert wire["said"] == {"en": ITEM["said_en"]}  # the kiosk shows English for Welsh
    assert _kiosk_items(c, "ward-9") == [wire]  # every location, even one not seen yet
    welsh = requests.get(f"{c.url}/public/ward-3?lang=cy", timeout=10).text
    # The English shown on a Welsh page is marked as English, so it is read aloud as English.
    assert '<span lang="en" dir="ltr">It was too noisy at night.</span>' in welsh
    (item,) = c.web.yswh.items()
    assert pat.post(f"/staff/yswh/{item.item_id}/withdraw", {}).status_code == 303
    assert _kiosk_items(c, "ward-3") == []


def test_a_bad_form_names_each_field_and_saves_nothing(sqlite_web):
    c = sqlite_web
    c.device("ward-3", "Ward 3")
    c.device("ward-4", "Ward 4")
    wendy = signed_in(c, "wendy")
    resp = wendy.post("/staff/yswh/new", [("title_en", "  "), ("said_en", "x" * 2001),
                                          ("locations", "ward-4")])  # fmt: skip
    page = text_of(resp.text)
    assert resp.status_code == 400
    assert "Enter 'Title' in English" in page and "must be 2000 characters or fewer" in page
    assert "Enter 'We did' in English" in page and "Choose only the wards you manage" in page
    assert "x" * 2001 in resp.text  # what was typed is kept for correcting
    assert c.web.yswh.items() == []
    publish = wendy.post("/staff/yswh/new", [*ITEM.items(), ("locations", "ward-3"),
                                             ("action", "publish")])  # fmt: skip
    assert publish.status_code == 400 and "only the patient experience team publishes" in \
        publish.text
    assert c.web.yswh.items() == []


def test_public_page_suppresses_small_counts(sqlite_web):
    c = sqlite_web
    c.ingest([response(c, "ward-3", fft=1) for _ in range(3)]
             + [response(c, "ward-4", fft=1 + i % 2) for i in range(12)]
             + [response(c, "ward-5", fft=1) for _ in range(9)])
    small = text_of(requests.get(f"{c.url}/public/ward-3", timeout=10).text)
    assert "we do not show them yet" in small and " 3 people" not in small
    # ward-3 is hidden; with trust-wide totals published, one more ward is hidden with it.
    big = text_of(requests.get(f"{c.url}/public/ward-4", timeout=10).text)
    other = text_of(requests.get(f"{c.url}/public/ward-5", timeout=10).text)
    shown = [p for p in (big, other) if "people answered" in p]
    assert len(shown) == 1
    assert "12 people answered" in big or "9 people answered" in other
    assert requests.get(f"{c.url}/public/nowhere", timeout=10).status_code == 404
