"""Extract, update and compile the UI catalogues: ``python -m kiosk.i18n_build``.

1. extract every message from kiosk/*.py, screens/*.py and screens/*.kv (``_()``, ``N_()``,
   ``ngettext()``, ``tr._()`` ...), every ``user_message`` an error class shows, and the variant
   labels in locales/languages.toml, into locales/messages.pot;
2. update each locales/<tag>/LC_MESSAGES/messages.po from it (new messages empty, changed ones
   fuzzy: both fall back to English until translated), keeping the review flag in the header;
3. compile each .po to .mo (the .mo files are not in git; kiosk.i18n also compiles on the fly).

``--check`` changes nothing and exits 1 naming each catalogue that lacks a message (for CI).
``--init TAG`` starts a catalogue for a language newly added to the registry.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from kiosk.i18n import LOCALEDIR, REVIEW_FLAG, REVIEW_HEADER, catalogue_header, catalogue_path
from kiosk.languages import ENGLISH, REGISTRY, ROOT, get_language, language_tags

POT = LOCALEDIR / "messages.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_t": None, "translate": (1,)}  # _t: screen helpers
COMMENT_TAGS = ["TRANSLATORS:"]
PROJECT = "Patient Voice"
MACHINE = "machine translation, not yet reviewed"
HEADER_COMMENT = """\
# {name} messages for the Patient Voice kiosk.
# Written without a qualified translator: X-Needs-Review below stays "yes" until one has
# checked every message with the English meaning and the placeholders ({{number}} ...) in mind.
# Then set it to "no", put the reviewer in Last-Translator, and commit (docs/languages.md)."""
Message = tuple[str | tuple[str, str], str, int, list[str]]  # id, file, line, comments

# _('...'), tr._("..."), N_('...'), ngettext('...', '...', n) in kv rules: one line each
_KV_CALL = re.compile(
    r"""\b(?P<fn>_|N_|gettext|ngettext)\(\s*(?P<a>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")"""
    r"""(?:\s*,\s*(?P<b>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"))?"""
)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def extract_python(path: Path) -> Iterator[Message]:
    for lineno, msgid, comments, _context in extract_from_file(
        "python", str(path), keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    ):
        yield msgid, _relative(path), lineno, comments
    yield from extract_user_messages(path)


def extract_user_messages(path: Path) -> Iterator[Message]:
    """``user_message = "..."`` on error classes: sentences screens show via ``_()``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
                and any(getattr(t, "id", None) == "user_message" for t in stmt.targets)
            ):
                yield stmt.value.value, _relative(path), stmt.lineno, [f"shown for {node.name}"]


def extract_kv(path: Path) -> Iterator[Message]:
    comments: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#") and "TRANSLATORS:" in stripped:
            comments = [stripped.split("TRANSLATORS:", 1)[1].strip()]
            continue
        for match in _KV_CALL.finditer(line):
            first = ast.literal_eval(match["a"])
            if match["fn"] == "ngettext" and match["b"]:
                yield (first, ast.literal_eval(match["b"])), _relative(path), lineno, comments
            else:
                yield first, _relative(path), lineno, comments
        comments = []


def extract_labels(path: Path = REGISTRY) -> Iterator[Message]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for entry in data.get("language", []):
        if entry.get("label"):
            yield entry["label"], _relative(path), 0, [f"name of the {entry['tag']} variant"]


def sources(root: Path = ROOT) -> list[Path]:
    files = sorted((root / "kiosk").rglob("*.py")) + sorted((root / "screens").glob("*.py"))
    return files + sorted((root / "screens").glob("*.kv"))


def extract(root: Path = ROOT) -> Catalog:
    template = Catalog(
        project=PROJECT,
        version="1",
        copyright_holder=PROJECT,
        msgid_bugs_address="",
        charset="utf-8",
        fuzzy=False,
    )
    messages: list[Message] = []
    for path in sources(root):
        messages += extract_kv(path) if path.suffix == ".kv" else extract_python(path)
    messages += extract_labels()
    for msgid, filename, lineno, comments in messages:
        if msgid and (msgid if isinstance(msgid, str) else msgid[0]):
            template.add(msgid, locations=[(filename, lineno)], auto_comments=comments)
    return template


def _po_text(catalog: Catalog, *, width: int = 100) -> str:
    out = io.BytesIO()
    # no line numbers in the locations: editing a screen must not churn thirteen catalogues
    write_po(
        out,
        catalog,
        width=width,
        sort_by_file=True,
        ignore_obsolete=True,
        include_previous=False,
        include_lineno=False,
    )
    return out.getvalue().decode("utf-8")


def with_header_field(text: str, name: str, value: str) -> str:
    """Add ``name: value`` to a .po header (babel drops fields it does not know)."""
    lines = text.split("\n")
    end = lines.index("", lines.index('msgstr ""'))  # the blank line closing the header entry
    lines.insert(end, f'"{name}: {value}\\n"')
    return "\n".join(lines)


_VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): .*$', re.M)


def write_if_changed(path: Path, text: str) -> bool:
    """Write unless only the timestamps differ, so a rebuild leaves git clean."""
    if path.is_file() and _VOLATILE.sub("", path.read_text("utf-8")) == _VOLATILE.sub("", text):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def update_catalogue(tag: str, template: Catalog) -> Catalog:
    lang = get_language(tag)
    path = catalogue_path(tag)
    header = catalogue_header(tag)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=str(lang.locale))
    catalog.update(template, update_header_comment=False)
    catalog.obsolete.clear()
    text = _po_text(catalog)
    if header.get(REVIEW_HEADER):
        text = with_header_field(text, REVIEW_HEADER, header[REVIEW_HEADER])
    write_if_changed(path, text)
    return catalog


def init_catalogue(tag: str, template: Catalog) -> Path:
    """A new, empty catalogue for ``tag``, flagged for review from the start."""
    path = catalogue_path(tag)
    if path.exists():
        raise SystemExit(f"i18n_build: {path} already exists: edit it instead")
    lang = get_language(tag)
    catalog = Catalog(
        locale=str(lang.locale),
        project=PROJECT,
        version="1",
        copyright_holder=PROJECT,
        msgid_bugs_address="",
        fuzzy=False,
        header_comment=HEADER_COMMENT.format(name=lang.english_name),
        last_translator=MACHINE,
        language_team=f"{lang.english_name} ({tag})",
    )
    catalog.update(template)
    write_if_changed(path, with_header_field(_po_text(catalog), REVIEW_HEADER, REVIEW_FLAG))
    return path


def missing_messages(catalog: Catalog, template: Catalog) -> list[str]:
    """Template messages the catalogue lacks, or has only as fuzzy (fuzzy ones are not shown)."""
    missing = []
    for message in template:
        if not message.id:
            continue
        own = catalog.get(message.id)
        strings = own.string if own is not None else None
        values = strings if isinstance(strings, tuple | list) else (strings,)
        if own is None or own.fuzzy or not all(values):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compile_all() -> int:
    count = 0
    for tag in language_tags():
        po = catalogue_path(tag)
        if po.is_file():
            with po.open("rb") as handle:
                catalog = read_po(handle)
            out = io.BytesIO()
            write_mo(out, catalog)
            catalogue_path(tag, ".mo").write_bytes(out.getvalue())
            count += 1
    return count


def check(template: Catalog) -> int:
    problems = 0
    for tag in language_tags():
        if tag == ENGLISH or not catalogue_path(tag).is_file():
            continue
        with catalogue_path(tag).open("rb") as handle:
            catalog = read_po(handle)
        gaps = missing_messages(catalog, template)
        if gaps:
            problems += 1
            print(f"{tag}: {len(gaps)} message(s) untranslated or fuzzy, e.g. {gaps[0]!r}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.i18n_build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="report gaps, change nothing")
    parser.add_argument(
        "--init", metavar="TAG", help="start the catalogue of a newly added language"
    )
    args = parser.parse_args(argv)
    template = extract()
    if args.check:
        return check(template)
    write_if_changed(POT, _po_text(template))
    if args.init:
        print(f"created {init_catalogue(args.init, template)}")
    for tag in language_tags():
        if tag != ENGLISH and catalogue_path(tag).is_file():
            update_catalogue(tag, template)
    print(f"{len(template)} messages; compiled {compile_all()} catalogues")
    return check(template)


if __name__ == "__main__":
    sys.exit(main())
