"""Honest progress: "Question 3 of 9", where 9 never grows and the count never goes back.

A count of the questions visible now (what the kiosk used to show) grows as soon as someone
opens a branch: "Question 6 of 6", then "8 of 12". Here the total counts every step the person
can still reach from where they are: a later question counts while its ``show_if`` could still
come true, and a contact or involvement question counts each of its screens. Answering only
ever closes branches, so on the way forward the number rises by one a screen and the total
only falls. While a branch is still open the total is the most there can be (``exact`` False:
"of up to 25"); once nothing ahead depends on an answer not yet given it is exact.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.survey import Condition, Question

#: Screens a question of each kind takes on the kiosk (screens/question_contact.py walks them:
#: contact: intro, name, method, value, needs, review; involvement: interests, name, method,
#: value, needs, review). A test checks the screens take exactly these many.
SCREENS_PER_KIND = {"contact": 6, "involvement": 6}


def screens_of(question: Question) -> int:
    return SCREENS_PER_KIND.get(question.kind, 1)


@dataclass(frozen=True)
class Progress:
    number: int  # this screen's place in the person's journey, from 1
    total: int  # the most screens the journey can have from here (exactly this if ``exact``)
    exact: bool = True


def could_hold(cond: Condition, effective: Mapping[str, Any], open_ids: set[str]) -> bool:
    """Whether ``cond`` may still be true: its tests on settled answers are judged as they
    are, a test on a question still ahead (``open_ids``) may go either way."""
    if cond.all_:
        return all(could_hold(c, effective, open_ids) for c in cond.all_)
    if cond.any_:
        return any(could_hold(c, effective, open_ids) for c in cond.any_)
    return cond.question in open_ids or cond.holds(effective)


def depends_on(cond: Condition, open_ids: set[str]) -> bool:
    if cond.all_ or cond.any_:
        return any(depends_on(c, open_ids) for c in (*cond.all_, *cond.any_))
    return cond.question in open_ids


def steps_ahead(questions: tuple[Question, ...], start: int, effective: Mapping[str, Any],
                current: str | None = None) -> tuple[int, bool]:
    """(screens the questions from ``start`` on can still take, whether that is exact).
    ``effective``: the answers that count, to the questions before ``start``; ``current``: the
    question on screen, whose answer is not given yet either."""
    open_ids = {current} if current else set()  # reachable, answer not given: either way
    count, exact = 0, True
    for question in questions[start:]:
        cond = question.show_if
        if cond is not None and not could_hold(cond, effective, open_ids):
            continue
        if cond is not None and depends_on(cond, open_ids):
            exact = False
        open_ids.add(question.id)
        count += screens_of(question)
    return count, exact
