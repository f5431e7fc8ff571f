"""Checking ``show_if``: each test names an earlier question and a real answer to it.

Nesting (``all``/``any``) and list sizes are limited (``kiosk.survey.limits``), so a condition
can neither recurse without end nor bury the real problem under thousands of others.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.survey.limits import MAX_CONDITION_DEPTH, MAX_CONDITION_ITEMS, shown_key
from kiosk.survey.model import Condition, Question, same_value
from kiosk.survey.reader import Reader, show

_EXAMPLE = '{"question": "contact_wanted", "equals": true}'
_TESTABLE = ("fft", "single_choice", "multi_choice", "yes_no")


class Conditions:
    """Reads one question's ``show_if`` against the questions before it."""

    def __init__(self, reader: Reader, own_id: str | None, earlier: Mapping[str, Question],
                 positions: Mapping[str, int]) -> None:
        self.reader = reader
        self.own_id = own_id
        self.earlier = earlier
        self.positions = positions

    def condition(self, raw: Any, path: str, depth: int = 0) -> Condition | None:
        if not isinstance(raw, dict):
            self.reader.add(path, f"is {show(raw)}: it must be a condition object such as "
                            f"{_EXAMPLE}")
            return None
        if "all" in raw or "any" in raw:
            return self.combined(raw, path, depth)
        self.reader.unknown_keys(raw, ("question", "equals", "in", "includes"), path)
        tests = [k for k in ("equals", "in", "includes") if k in raw]
        ref = raw.get("question")
        if not isinstance(ref, str) or len(tests) != 1:
            self.reader.add(path, "must name a 'question' and exactly one of 'equals', 'in' or "
                            f"'includes', e.g. {_EXAMPLE}")
            return None
        target = self.earlier.get(ref)
        if target is None:
            self.unknown_reference(path, ref)
            return None
        test, value = tests[0], raw[tests[0]]
        if not self.fits(path, ref, target, test, value):
            return None
        if test == "equals":
            return Condition(question=ref, equals=value)
        if test == "in":
            return Condition(question=ref, in_=tuple(value))
        return Condition(question=ref, includes=value)

    def combined(self, raw: dict, path: str, depth: int) -> Condition | None:
        key = "all" if "all" in raw else "any"
        where = f"{path}.{key}"
        if len(raw) != 1:
            self.reader.add(path, f"mixes '{key}' with other keys: put every test inside the "
                            f"'{key}' list")
            return None
        if depth >= MAX_CONDITION_DEPTH:
            self.reader.add(where, f"nests 'all'/'any' more than {MAX_CONDITION_DEPTH} levels "
                            "deep: write the condition more simply (few surveys need more than "
                            "two levels)")
            return None
        items = raw[key]
        if not isinstance(items, list) or not items:
            self.reader.add(where, f"is {show(items)}: it must be a non-empty list of conditions")
            return None
        if not self.reader.few(items, MAX_CONDITION_ITEMS, where, "conditions",
                               "split the question or simplify the condition"):
            return None
        parts = [self.condition(c, f"{where}[{k}]", depth + 1) for k, c in enumerate(items)]
        if any(p is None for p in parts):
            return None
        return Condition(all_=tuple(parts)) if key == "all" else Condition(any_=tuple(parts))

    def unknown_reference(self, path: str, ref: str) -> None:
        shown = f"'{shown_key(ref)}'"  # a 5 MB reference must not fill the report
        if ref == self.own_id:
            self.reader.add(path, f"refers to {shown}, its own question: use the id of an earlier "
                            "question")
        elif ref in self.positions:
            self.reader.add(path, f"refers to {shown}, which comes later (questions"
                            f"[{self.positions[ref]}]): a question can only depend on an earlier "
                            "one, so move one of them")
        else:
            self.reader.add(path, f"refers to {shown}, which does not exist: use the id of an "
                            "earlier question")

    def fits(self, path: str, ref: str, target: Question, test: str, value: Any) -> bool:
        kind = target.kind
        if kind not in _TESTABLE:
            self.reader.add(path, f"depends on '{ref}', a {kind} question: show_if can only use "
                            "fft, single_choice, multi_choice and yes_no answers")
            return False
        if (kind == "multi_choice") != (test == "includes"):
            fix = ("use 'includes' with one option id" if kind == "multi_choice"
                   else "use 'equals' or 'in'; 'includes' is for multi_choice questions")
            self.reader.add(f"{path}.{test}", f"does not work on '{ref}', a {kind} question: {fix}")
            return False
        if test == "in" and (not isinstance(value, list) or not value):
            self.reader.add(f"{path}.in", f"is {show(value)}: it must be a non-empty list of "
                            "answers")
            return False
        if test == "in" and not self.reader.few(value, MAX_CONDITION_ITEMS, f"{path}.in",
                                                "answers", "list each answer once"):
            return False
        return self.answers_exist(path, ref, target, test, value)

    def answers_exist(self, path: str, ref: str, target: Question, test: str, value: Any) -> bool:
        kind = target.kind
        allowed = ([True, False] if kind == "yes_no" else
                   [o.code for o in target.options] if kind == "fft" else
                   [o.id for o in target.options])
        ok = True
        for v in value if test == "in" else [value]:
            if not any(same_value(v, a) for a in allowed):
                self.reader.add(f"{path}.{test}", f"is {show(v)}, which is not an answer to "
                                f"'{ref}': use one of {', '.join(show(a) for a in allowed)}")
                ok = False
        return ok


def needs_yes(cond: Condition, questions: Mapping[str, Question]) -> bool:
    """True when ``cond`` can only hold after some yes_no question was answered yes."""
    if cond.all_:
        return any(needs_yes(c, questions) for c in cond.all_)
    if cond.any_:
        return all(needs_yes(c, questions) for c in cond.any_)
    target = questions.get(cond.question or "")
    return target is not None and target.kind == "yes_no" and cond.equals is True
