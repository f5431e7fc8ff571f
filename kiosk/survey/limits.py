"""Upper limits on everything in a survey file, in one place (docs/surveys.md, "Limits").

A real NHS survey stays far below each one (the default survey in 14 languages is about 95 KB, its
longest question 141 characters, its longest help text 325, its biggest list 20 options), but a
file that is a mistake or an attack (a 5 MB question, a ``max_length`` of a billion, a million
options) is refused with a message naming the path, the size and the limit, before the kiosk
lays out, speaks or stores anything from it. Sizes of text are in characters (Python ``len``),
the file in bytes.
"""
from __future__ import annotations

from kiosk.survey.model import LANGUAGES

#: The survey file, checked before it is parsed.
MAX_FILE_BYTES = 1_000_000
#: Every supported language once.
MAX_LANGUAGES = len(LANGUAGES)
MAX_QUESTIONS = 100
#: Options of one question (the default survey's ethnic-group list, the biggest, has 20).
MAX_OPTIONS = 50
#: Survey, question and option ids, and ``section`` names.
MAX_ID_CHARS = 64
MAX_TITLE_CHARS = 200
MAX_QUESTION_CHARS = 1000
MAX_HELP_CHARS = 2000
MAX_OPTION_CHARS = 300
#: The most a ``free_text`` question's ``max_length`` may allow a person to type.
MAX_FREE_TEXT_LENGTH = 5000
#: A text option ``code`` such as an NHS Data Dictionary letter.
MAX_CODE_CHARS = 16
#: An option's number ``code`` (0 up to this) and the survey's ``version`` (1 up to this): both
#: end up in database columns and reports, where a 4,000-digit number would not fit.
MAX_NUMBER = 999_999
#: A ``translation_review`` note.
MAX_NOTE_CHARS = 500
#: How deep ``all``/``any`` may nest in one ``show_if``.
MAX_CONDITION_DEPTH = 4
#: Conditions in one ``all``/``any`` list, and answers in one ``in`` list.
MAX_CONDITION_ITEMS = 20
#: Problems listed in one error (the rest are counted): a broken file gives a readable report.
MAX_REPORTED_PROBLEMS = 100

#: (constant, value, what it limits): the table docs/surveys.md must show (tested).
LIMITS: tuple[tuple[str, int, str], ...] = (
    ("MAX_FILE_BYTES", MAX_FILE_BYTES, "bytes in the survey file"),
    ("MAX_LANGUAGES", MAX_LANGUAGES, "entries in `languages`"),
    ("MAX_QUESTIONS", MAX_QUESTIONS, "entries in `questions`"),
    ("MAX_OPTIONS", MAX_OPTIONS, "options of one question"),
    ("MAX_ID_CHARS", MAX_ID_CHARS, "characters in an `id` or a `section`"),
    ("MAX_TITLE_CHARS", MAX_TITLE_CHARS, "characters in one language of `title`"),
    ("MAX_QUESTION_CHARS", MAX_QUESTION_CHARS, "characters in one language of a question's `text`"),
    ("MAX_HELP_CHARS", MAX_HELP_CHARS, "characters in one language of `help`"),
    ("MAX_OPTION_CHARS", MAX_OPTION_CHARS, "characters in one language of an option's `text`"),
    ("MAX_FREE_TEXT_LENGTH", MAX_FREE_TEXT_LENGTH, "the `max_length` of a `free_text` question"),
    ("MAX_CODE_CHARS", MAX_CODE_CHARS, "characters in an option's text `code`"),
    ("MAX_NUMBER", MAX_NUMBER, "an option's number `code`, and the survey's `version`"),
    ("MAX_NOTE_CHARS", MAX_NOTE_CHARS, "characters in a `translation_review` note"),
    ("MAX_CONDITION_DEPTH", MAX_CONDITION_DEPTH, "levels of `all`/`any` inside one `show_if`"),
    ("MAX_CONDITION_ITEMS", MAX_CONDITION_ITEMS, "items in one `all`, `any` or `in` list"),
    ("MAX_REPORTED_PROBLEMS", MAX_REPORTED_PROBLEMS, "problems listed in one error"),
)


def too_long(value: str, limit: int, what: str, fix: str) -> str | None:
    """The problem (without its path) when ``value`` has more than ``limit`` characters."""
    if len(value) <= limit:
        return None
    return (f"is {len(value):,} characters long, over the limit of {limit:,} for {what}: {fix}")


def too_many(count: int, limit: int, what: str, fix: str) -> str | None:
    """The problem (without its path) when a list holds more than ``limit`` items."""
    if count <= limit:
        return None
    return f"has {count:,} {what}, over the limit of {limit:,}: {fix}"


def cap(problems: list[str]) -> list[str]:
    """At most ``MAX_REPORTED_PROBLEMS`` problems, the rest counted in a last line."""
    if len(problems) <= MAX_REPORTED_PROBLEMS:
        return problems
    rest = len(problems) - MAX_REPORTED_PROBLEMS
    return [*problems[:MAX_REPORTED_PROBLEMS],
            f"... and {rest:,} more problem(s) not listed: fix these first, then check again"]


def shown_key(key: object) -> str:
    """A JSON key as it appears in a problem's path, cut short so a huge key cannot flood it."""
    text = str(key)
    return text if len(text) <= MAX_ID_CHARS else text[:MAX_ID_CHARS - 3] + "..."
