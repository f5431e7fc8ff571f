"""The one translator: gettext catalogues per language, English as the fallback, observable.

Code writes ``_("Question {number} of {total}").format(number=n, total=t)``: never an f-string or
``%`` inside ``_()``, so the message in the catalogue is the one the code asks for, and a test
checks every catalogue keeps each ``{placeholder}``. ``N_()`` marks a string for extraction where
it is defined and translated later (``_(error.user_message)`` on screen).

Catalogues: ``locales/<tag>/LC_MESSAGES/messages.po`` (babel; ``python -m kiosk.i18n_build``).
Compiled ``.mo`` files are not in git: a missing or stale ``.mo`` is compiled from the ``.po`` in
memory when the language is first used (and written next to it when the folder is writable).

The Kivy layer calls ``tr.subscribe(callback)`` and re-renders when ``tr.set_language()`` switches
language live. Every catalogue written without a qualified translator carries the header
``X-Needs-Review: yes — machine translation, needs review by a qualified translator`` until a person
clears it; ``unreviewed_languages()`` lists those for the staff screen.
"""

from __future__ import annotations

import gettext
import io
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from kiosk.languages import ENGLISH, ROOT, get_language, language_tags

log = logging.getLogger(__name__)

LOCALEDIR = ROOT / "locales"
DOMAIN = "messages"
REVIEW_HEADER = "X-Needs-Review"
REVIEW_FLAG = "yes — machine translation, needs review by a qualified translator"

Subscriber = Callable[[str], None]


def N_(message: str) -> str:  # noqa: N802 (gettext convention)
    """Mark ``message`` for extraction only; translate it with ``_()`` where it is shown."""
    return message


def catalogue_path(tag: str, suffix: str = ".po", localedir: Path = LOCALEDIR) -> Path:
    return localedir / tag / "LC_MESSAGES" / (DOMAIN + suffix)


def compile_catalogue(po_path: Path) -> bytes:
    """The .mo bytes for a .po file (fuzzy and untranslated entries left out: they fall back)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _write_quietly(path: Path, data: bytes) -> None:
    """Cache a compiled catalogue on disk; a read-only install simply compiles each start."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mo-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("could not cache %s (%s); compiled in memory instead", path, exc)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def load_catalogue(tag: str, localedir: Path = LOCALEDIR) -> gettext.NullTranslations | None:
    """One language's own catalogue (no fallback), or None if it has none or it is unreadable."""
    po, mo = catalogue_path(tag, ".po", localedir), catalogue_path(tag, ".mo", localedir)
    try:
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            return gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
        if not po.is_file():
            return None
        data = compile_catalogue(po)
        _write_quietly(mo, data)
        return gettext.GNUTranslations(io.BytesIO(data))
    except Exception as exc:  # a broken catalogue must not stop the kiosk: English is shown
        log.error("catalogue for %s is unusable, showing its fallback: %s", tag, exc)
        return None


class Translator:
    """Current language + its catalogue chain (language -> its fallback -> English source)."""

    def __init__(self, localedir: Path = LOCALEDIR, language: str = ENGLISH) -> None:
        self._localedir = localedir
        self._chains: dict[str, gettext.NullTranslations] = {}
        self._subscribers: list[Subscriber] = []
        self.language = get_language(language).tag
        self._current = self.catalogue(self.language)

    def catalogue(self, tag: str) -> gettext.NullTranslations:
        """The translation chain for ``tag``, loaded once."""
        if tag not in self._chains:
            chain = gettext.NullTranslations()
            for step in reversed(_fallback_chain(tag)):
                own = load_catalogue(step, self._localedir)
                if own is not None:
                    own.add_fallback(chain)
                    chain = own
            self._chains[tag] = chain
        return self._chains[tag]

    def set_language(self, tag: str) -> None:
        """Switch language (ConfigError for a tag the registry lacks) and tell subscribers."""
        tag = get_language(tag).tag
        if tag == self.language:
            return
        self._current = self.catalogue(tag)
        self.language = tag
        for callback in list(self._subscribers):
            try:
                callback(tag)
            except Exception:  # one broken listener must not leave the others in the old language
                log.exception("language-change subscriber %r failed", callback)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(tag)`` after each language switch; returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _(self, message: str) -> str:
        return self._current.gettext(message)

    gettext = _

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural forms by the language's CLDR rule (Polish, Welsh, Arabic have several)."""
        return self._current.ngettext(singular, plural, n)

    def translate(self, message: str, tag: str) -> str:
        """``message`` in language ``tag`` without switching (language picker labels)."""
        return self.catalogue(get_language(tag).tag).gettext(message)

    @property
    def direction(self) -> str:
        return get_language(self.language).direction


def _fallback_chain(tag: str) -> list[str]:
    """[tag, its fallback, ..., 'en'] without loops."""
    chain: list[str] = []
    current: str | None = tag
    while current and current not in chain:
        chain.append(current)
        current = get_language(current).fallback
    return chain


def catalogue_header(tag: str, localedir: Path = LOCALEDIR) -> dict[str, str]:
    """The header fields of a language's .po file (babel drops unknown fields, so read it here)."""
    path = catalogue_path(tag, ".po", localedir)
    if not path.is_file():
        return {}
    header: dict[str, str] = {}
    for line in _header_lines(path.read_text(encoding="utf-8")):
        name, sep, value = line.partition(":")
        if sep:
            header[name.strip()] = value.strip()
    return header


def _header_lines(text: str) -> list[str]:
    """The ``"Name: value\\n"`` lines of the first (empty msgid) entry."""
    joined, in_header = "", False
    for raw in text.splitlines():
        raw = raw.strip()
        if raw.startswith('msgstr ""'):
            in_header = True
        elif in_header and raw.startswith('"') and raw.endswith('"'):
            joined += raw[1:-1].replace('\\"', '"')
        elif in_header:
            break
    return [line for line in joined.split("\\n") if line]


def needs_review(tag: str, localedir: Path = LOCALEDIR) -> bool:
    return catalogue_header(tag, localedir).get(REVIEW_HEADER, "").lower().startswith("yes")


def unreviewed_languages(localedir: Path = LOCALEDIR) -> list[str]:
    """Languages whose catalogue still carries the machine-translation review flag."""
    return [tag for tag in language_tags() if needs_review(tag, localedir)]


tr = Translator()
_ = tr._
gettext_ = tr.gettext
ngettext = tr.ngettext
set_language = tr.set_language
translate = tr.translate
