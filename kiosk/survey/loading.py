"""Reading, decoding and installing survey files.

The file's size is checked before it is read in full, and the JSON is decoded strictly: a key
repeated in one object (which ``json`` would silently resolve to the last), ``NaN``/``Infinity``,
a number too long to convert and nesting too deep to decode are each a problem with its path, not
a surprise. ``install_survey`` validates before it touches the live file: a bad survey never
replaces a good one.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from kiosk.errors import SurveyError, SurveyValidationError
from kiosk.fsutil import write_atomic
from kiosk.survey.checker import SurveyChecker
from kiosk.survey.limits import MAX_FILE_BYTES, cap
from kiosk.survey.model import Survey
from kiosk.survey.reader import join


def parse_survey(data: Any, source: str) -> Survey:
    """Validate decoded JSON fully; raise ``SurveyValidationError`` naming every problem."""
    checker = SurveyChecker()
    survey = checker.survey(data)
    if checker.problems or survey is None:
        raise SurveyValidationError(source, cap(checker.problems) or ["is not a survey"])
    return survey


def load_survey(path: str | os.PathLike[str]) -> Survey:
    path = Path(path)
    return parse_survey_bytes(_read(path, str(path)), str(path))


def install_survey(candidate: Path | bytes, live: Path, *, source: str | None = None) -> Survey:
    """Validate ``candidate`` (a file or its bytes) and only then atomically replace ``live``.

    On any problem ``live`` is left exactly as it was and the error names what was wrong.
    """
    if isinstance(candidate, (bytes, bytearray)):
        raw, name = bytes(candidate), source or "new survey"
    else:
        name = source or str(candidate)
        raw = _read(Path(candidate), name)
    survey = parse_survey_bytes(raw, name)
    _atomic_write(Path(live), raw)
    return survey


def parse_survey_bytes(raw: bytes, source: str) -> Survey:
    """A survey file's bytes -> ``Survey``; every problem, repeated keys included, at once."""
    data, repeated = decode_survey(raw, source)
    try:
        survey = parse_survey(data, source)
    except SurveyValidationError as exc:
        raise SurveyValidationError(source, cap(repeated + exc.problems)) from None
    if repeated:
        raise SurveyValidationError(source, cap(repeated))
    return survey


def decode_survey(raw: bytes, source: str) -> tuple[Any, list[str]]:
    """Decode a survey file's bytes strictly: the JSON, and a problem per repeated key.

    Raises ``SurveyValidationError`` when the bytes are too many or not JSON at all.
    """
    _check_size(len(raw), source)
    pairs = _Pairs()
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        problem = f"byte {exc.start} is not UTF-8: save the file as UTF-8 text"
        raise _invalid(source, problem) from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise _invalid(source, f"{where}: {exc.msg}: fix the JSON there") from exc
    except _NotJson as exc:
        raise _invalid(source, f"(file) {exc}") from exc
    except ValueError as exc:  # int() refuses more than sys.get_int_max_str_digits() digits
        raise _invalid(source, "(file) holds a number too long to read: no survey needs more "
                       "than a few digits, so look for a run of digits pasted by mistake") from exc
    except RecursionError as exc:
        raise _invalid(source, "(file) nests lists or objects too deeply to read: a survey "
                       "needs only a few levels, so look for brackets pasted by mistake") from exc
    return data, pairs.problems(data)


def _invalid(source: str, problem: str) -> SurveyValidationError:
    return SurveyValidationError(source, [problem])


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(f"holds {name}, which is not a JSON number: write a number such as 1000")


class _Pairs:
    """``object_pairs_hook`` that notes every key repeated in an object (keeps the last, like
    ``json``, so the rest of the file is still checked)."""

    def __init__(self) -> None:
        # id(object) -> (the object, kept alive so its id stays its own; key -> times seen)
        self.repeated: dict[int, tuple[dict, dict[str, int]]] = {}

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) < len(pairs):
            counts = Counter(key for key, _ in pairs)
            self.repeated[id(obj)] = (obj, {k: n for k, n in counts.items() if n > 1})
        return obj

    def problems(self, data: Any) -> list[str]:
        """One problem per repeated key, named by its JSON path, in document order."""
        if not self.repeated:
            return []
        out: list[str] = []
        stack: list[tuple[str, Any]] = [("", data)]  # a loop, not recursion: depth is the file's
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                for key, times in self._repeats_in(value).items():
                    out.append(f"{join(path, key)} appears {times} times in one object: keep only "
                               "one (a JSON reader silently uses the last and drops the others)")
                stack.extend((join(path, k), v) for k, v in reversed(value.items()))
            elif isinstance(value, list):
                stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        return out

    def _repeats_in(self, obj: dict) -> dict[str, int]:
        entry = self.repeated.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else {}


def _check_size(size: int, source: str, *, exact: bool = True) -> None:
    if size > MAX_FILE_BYTES:
        shown = f"is {size:,} bytes, over" if exact else "is over"
        raise SurveyValidationError(source, [
            f"(file) {shown} the limit of {MAX_FILE_BYTES:,} bytes for a survey "
            "file: check it is the right file (the default survey in 14 languages is about "
            "95,000 bytes), or split it into shorter surveys"])


def _read(path: Path, source: str) -> bytes:
    """The file's bytes, refusing a too-big file by its size before reading it."""
    try:
        with path.open("rb") as fh:
            _check_size(os.fstat(fh.fileno()).st_size, source)
            raw = fh.read(MAX_FILE_BYTES + 1)  # a pipe or a growing file has no honest size
    except OSError as exc:
        raise SurveyError(f"{path}: cannot read the survey file ({exc.strerror or exc})") from exc
    _check_size(len(raw), source, exact=False)
    return raw


def _atomic_write(live: Path, raw: bytes) -> None:
    # After a power cut the live file is either the old survey or the new one, never torn.
    try:  # a survey is not secret; the kiosk app must read it
        write_atomic(live, raw, mode=0o644, dir_mode=0o755)
    except OSError as exc:
        raise SurveyError(f"{live}: cannot install the survey ({exc.strerror or exc}); "
                          "the previous survey is still in use") from exc
