"""'You said, we heard': ward managers draft, the patient experience team publishes.

An item says what people said, what we did and when, for one or more locations (or ``*``: every
location), in English and in each language the kiosks offer -- or, per language, an explicit
"show the English" fallback. Publishing validates the whole item first (nothing half-saved), then
rebuilds the kiosks' item lists through the record service's ``ContentPublisher``: each location
gets its own items plus the trust-wide ones (a location's own list replaces ``*`` on a kiosk).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

import babel

from central.content import ALL_LOCATIONS, ContentPublisher
from central.db import Database
from central.web.auth import LOCATION, Staff, StaffError, audit
from central.web.settings import WebSettings
from kiosk.content import MAX_ITEM_TEXT, YSWH_FIELDS


def language_name(tag: str) -> str:
    """'cy' -> 'Cymraeg (Welsh)': the name its speakers use, then the English one."""
    if tag == "en-x-easy":
        return "English (Easy Read)"
    try:
        locale = babel.Locale.parse(tag.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        return tag
    own, english = locale.get_display_name(locale), locale.get_display_name("en")
    return english if own == english else f"{own} ({english})"


FIELD_LABELS = {"title": "Title", "said": "You said", "did": "We did", "when": "When"}
KIND = "you_said_we_heard"


class FormError(StaffError):
    """A form is wrong; ``problems`` maps each field name to what to do about it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class Item:
    item_id: str
    locations: tuple[str, ...]
    texts: dict[str, dict[str, str]]  # field -> language -> text
    fallback: tuple[str, ...]  # languages that show the English on purpose
    status: str  # draft, published, withdrawn
    author: str

    def text(self, name: str, lang: str = "en") -> str:
        return self.texts.get(name, {}).get(lang, "")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:32] or "item"


class YouSaidWeHeard:
    def __init__(self, db: Database, publisher: ContentPublisher, settings: WebSettings) -> None:
        self.db, self.publisher, self.settings = db, publisher, settings

    # ---------------------------------------------------------------- reading

    def items(self, staff: Staff | None = None, status: str | None = None) -> list[Item]:
        sql = "SELECT item_id, locations, body, status, author FROM web_yswh"
        params: tuple = ()
        if status:
            sql, params = sql + " WHERE status = ?", (status,)
        with self.db.read() as tx:
            rows = tx.all(sql + " ORDER BY updated_at DESC", params)
        items = [_item(r) for r in rows]
        if staff is not None and staff.role == "ward_manager":
            items = [i for i in items if any(staff.sees(loc) for loc in i.locations)]
        return items

    def item(self, item_id: str) -> Item | None:
        with self.db.read() as tx:
            row = tx.one("SELECT item_id, locations, body, status, author FROM web_yswh"
                         " WHERE item_id = ?", (item_id,))  # fmt: skip
        return None if row is None else _item(row)

    def published_for(self, location: str) -> list[Item]:
        return [i for i in self.items(status="published")
                if location in i.locations or ALL_LOCATIONS in i.locations]  # fmt: skip

    # ---------------------------------------------------------------- writing

    def save_draft(self, staff: Staff, form: dict[str, str], locations: list[str],
                   item_id: str | None = None, *, publish: bool = False) -> str:  # fmt: skip
        """Save (and with ``publish``, publish) an item: every check first, then one write."""
        texts, fallback = self._texts(form)
        problems = self._problems(staff, texts, locations)
        if publish:
            if staff.role != "patient_experience":
                raise StaffError("only the patient experience team publishes items")
            draft = Item("", tuple(locations), texts, tuple(fallback), "draft", staff.username)
            problems = {**problems, **self._translation_problems(draft)}
        if problems:
            raise FormError(problems)
        now = self.settings.clock()
        body = json.dumps({"texts": texts, "fallback": fallback}, ensure_ascii=False)
        refresh = False
        with self.db.transaction() as tx:
            if item_id is None:
                item_id = f"{_slug(texts['title']['en'])}-{secrets.token_hex(3)}"
                tx.execute(
                    "INSERT INTO web_yswh (item_id, locations, body, status, author, created_at,"
                    " updated_at) VALUES (?, ?, ?, 'draft', ?, ?, ?)",
                    (item_id, ",".join(locations), body, staff.username, now, now),
                )
            else:
                was = self._may_edit(tx, staff, item_id)
                # Saved without publishing, a published item goes back to draft (off the kiosks).
                tx.execute("UPDATE web_yswh SET locations = ?, body = ?, updated_at = ?,"
                           " status = 'draft' WHERE item_id = ?",
                           (",".join(locations), body, now, item_id))  # fmt: skip
                refresh = was == "published"
            audit(tx, now, staff.username, "yswh_saved", item_id)
            if publish:
                tx.execute("UPDATE web_yswh SET status = 'published', published_by = ?,"
                           " published_at = ? WHERE item_id = ?", (staff.username, now, item_id))
                audit(tx, now, staff.username, "yswh_published", item_id)
        if publish or refresh:
            self.republish()
        return item_id

    def publish(self, staff: Staff, item_id: str) -> None:
        if staff.role != "patient_experience":
            raise StaffError("only the patient experience team publishes items")
        item = self.item(item_id)
        if item is None:
            raise StaffError("there is no such item")
        missing = self._translation_problems(item)
        if missing:
            raise FormError(missing)
        self._set_status(staff, item_id, "published")

    def withdraw(self, staff: Staff, item_id: str) -> None:
        if staff.role != "patient_experience":
            raise StaffError("only the patient experience team withdraws items")
        self._set_status(staff, item_id, "withdrawn")

    def _set_status(self, staff: Staff, item_id: str, status: str) -> None:
        now = self.settings.clock()
        with self.db.transaction() as tx:
            tx.execute("UPDATE web_yswh SET status = ?, published_by = ?, published_at = ?,"
                       " updated_at = ? WHERE item_id = ?",
                       (status, staff.username, now, now, item_id))  # fmt: skip
            audit(tx, now, staff.username, f"yswh_{status}", item_id)
        self.republish()

    def republish(self) -> None:
        """Rebuild every affected location's list (and the trust-wide one) for the kiosks."""
        published = self.items(status="published")
        everywhere = [i for i in published if ALL_LOCATIONS in i.locations]
        with self.db.read() as tx:
            had = {r[0] for r in tx.all("SELECT location FROM content WHERE kind = ?", (KIND,))}
        own = {loc for i in published for loc in i.locations} | had
        for location in sorted(own - {ALL_LOCATIONS}):
            mine = [i for i in published if location in i.locations and i not in everywhere]
            self.publisher.publish(location, KIND, [_wire(i) for i in mine + everywhere], "web")
        self.publisher.publish(ALL_LOCATIONS, KIND, [_wire(i) for i in everywhere], "web")

    # ---------------------------------------------------------------- validation

    def _texts(self, form: dict[str, str]) -> tuple[dict[str, dict[str, str]], list[str]]:
        texts: dict[str, dict[str, str]] = {name: {} for name in YSWH_FIELDS}
        for name in YSWH_FIELDS:
            for lang in self.settings.languages:
                value = (form.get(f"{name}_{lang}") or "").strip()
                if value:
                    texts[name][lang] = value.replace("\r\n", "\n")
        fallback = [lang for lang in self.settings.languages if form.get(f"fallback_{lang}")]
        return texts, fallback

    def _problems(self, staff: Staff, texts: dict, locations: list[str]) -> dict[str, str]:
        # In the order of the form, so the error summary reads top to bottom like the page.
        problems: dict[str, str] = {}
        if not locations:
            problems["locations"] = "Choose at least one location"
        elif any(loc != ALL_LOCATIONS and not LOCATION.match(loc) for loc in locations):
            problems["locations"] = "Choose locations from the list"
        elif staff.role == "ward_manager" and not all(staff.sees(x) for x in locations):
            problems["locations"] = "Choose only the wards you manage"
        for name in YSWH_FIELDS:
            if not texts[name].get("en"):
                problems[f"{name}_en"] = f"Enter '{FIELD_LABELS[name]}' in English"
            for lang, value in texts[name].items():
                if len(value) > MAX_ITEM_TEXT:
                    problems[f"{name}_{lang}"] = (
                        f"'{FIELD_LABELS[name]}' ({language_name(lang)}) must be"
                        f" {MAX_ITEM_TEXT} characters or fewer; it has {len(value)}")  # fmt: skip
        return problems

    def _translation_problems(self, item: Item) -> dict[str, str]:
        problems = {}
        for lang in self.settings.languages:
            if lang == "en" or lang in item.fallback:
                continue
            for name in YSWH_FIELDS:
                if not item.text(name, lang):
                    problems[f"{name}_{lang}"] = (
                        f"Enter '{FIELD_LABELS[name]}' in {language_name(lang)}, or tick 'Show"
                        f" the English text' for it, before publishing")  # fmt: skip
        return problems

    @staticmethod
    def _may_edit(tx: object, staff: Staff, item_id: str) -> str:
        """The item's status, if this staff member may change it."""
        row = tx.one("SELECT locations, status FROM web_yswh WHERE item_id = ?",  # type: ignore[attr-defined]
                     (item_id,))  # fmt: skip
        if row is None:
            raise StaffError("there is no such item")
        if staff.role == "ward_manager" and (
            row[1] != "draft" or not all(staff.sees(x) for x in row[0].split(","))
        ):
            raise StaffError("ward managers can change only drafts for their own wards")
        return str(row[1])


def _item(row: tuple) -> Item:
    body = json.loads(row[2])
    return Item(row[0], tuple(row[1].split(",")), body["texts"], tuple(body["fallback"]),
                row[3], row[4])  # fmt: skip


def _wire(item: Item) -> dict:
    """The item as kiosks take it (kiosk.content.parse_yswh); a missing language shows English."""
    wire: dict = {"id": item.item_id}
    for name in YSWH_FIELDS:
        wire[name] = {lang: t for lang, t in item.texts[name].items() if lang not in item.fallback}
    return wire
