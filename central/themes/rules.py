"""Transparent rule-based theme suggestions: keywords per sub-category, the matched words as "why".

English rules only. A comment in another kiosk language gets whatever these rules match (usually
nothing but words borrowed from English) until labelled data or rules in that language exist; the
staff page says so beside the suggestion. Each keyword is a regular expression matched on word
boundaries, case-insensitive; keep them short and obvious so a reader can check a suggestion by eye.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

KEYWORDS: dict[str, tuple[str, ...]] = {
    "Positive experience & gratitude": (r"thank(s| you)?", r"excellent", r"brilliant", r"great",
                                        r"fantastic", r"amazing", r"very good", r"grateful"),
    "Negative experience & dissatisfaction": (r"awful", r"terrible", r"disgusting", r"appalling",
                                              r"worst", r"unacceptable", r"disappointed"),
    "Organisation & efficiency": (r"organi[sz]ed", r"disorgani[sz]ed", r"efficient(ly)?",
                                  r"chaotic", r"well run"),
    "Funding & use of financial resources": (r"funding", r"money", r"cost(s)?", r"paid", r"budget"),
    "Staff manner & personal attributes": (r"kind(ness)?", r"caring", r"friendly", r"polite",
                                           r"rude", r"compassion(ate)?", r"lovely", r"helpful",
                                           r"respectful", r"patient and", r"welcoming", r"nice"),
    "Number & deployment of staff": (r"short[- ]staffed", r"understaffed", r"more staff",
                                     r"not enough staff", r"staffing"),
    "Staff responsiveness": (r"call bell", r"responsive", r"ignored", r"attentive"),
    "Staff continuity": (r"same (doctor|nurse|person|staff)", r"different (doctor|nurse|staff)",
                         r"continuity"),
    "Competence & training": (r"professional(ism)?", r"competent", r"knowledgeable", r"skilled",
                              r"training", r"thorough"),
    "Unspecified communication": (r"communication", r"communicate(d)?"),
    "Staff listening, understanding & involving patients": (r"listen(ed|ing|s)?", r"understood",
                                                            r"understanding", r"involved"),
    "Information directly from staff during care": (r"explain(ed|ing|s)?", r"explanation"),
    "Information provision & guidance": (r"leaflet(s)?", r"information", r"advice", r"guidance",
                                         r"website", r"signpost(ing|ed)?"),
    "Being kept informed, clarity & consistency of information": (r"kept informed",
                                                                  r"updated?", r"no one told",
                                                                  r"clear(er|ly)?"),
    "Interaction with family/ carers": (r"family", r"carer(s)?", r"relative(s)?", r"husband",
                                        r"wife", r"mum", r"dad", r"visiting"),
    "Contacting services": (r"phone(d|s)?", r"call(ed|ing)? (back|you)", r"get through",
                            r"answer(ed)? the phone", r"switchboard", r"email(s)?"),
    "Appointment arrangements": (r"appointment(s)?", r"booking", r"booked", r"rebook(ed)?",
                                 r"cancell?ed", r"reschedul(e|ed)"),
    "Appointment method": (r"video (call|appointment)", r"face to face", r"telephone appointment"),
    "Timeliness of care": (r"wait(ed|ing|s)?", r"delay(s|ed)?", r"quick(ly)?", r"on time",
                           r"prompt(ly)?", r"hours", r"seen (quickly|promptly|straight away)",
                           r"no wait", r"late"),
    "Supplying & understanding medication": (r"medication", r"medicine(s)?", r"prescription(s)?",
                                             r"tablets", r"pharmacy"),
    "Pain management": (r"pain( relief|killers?)?",),
    "Diagnosis & triage": (r"diagnos(is|ed)", r"triage", r"scan(s)?", r"test(s|ed)?",
                           r"x-?ray(s)?", r"assessment"),
    "Referals & continuity of care": (r"referr?al(s)?", r"referred", r"follow[- ]up", r"gp"),
    "Admission": (r"admitted", r"admission"),
    "Discharge": (r"discharge(d)?",),
    "Care plans": (r"care plan(s)?",),
    "Patient records": (r"records?", r"notes"),
    "Impact of treatment/ care": (r"feel(ing)? better", r"recover(y|ed)", r"changed my life",
                                  r"improved", r"made a difference"),
    "Food & drink provision & facilities": (r"food", r"meal(s)?", r"drink(s)?", r"tea", r"coffee",
                                            r"breakfast", r"lunch", r"dinner", r"menu"),
    "Feeling safe": (r"safe", r"unsafe", r"secure"),
    "Patient appearance & grooming": (r"shower(ed)?", r"wash(ed|ing)?", r"hair", r"shave(d)?"),
    "Equality, Diversity & Inclusion": (r"discriminat(ed|ion)", r"racist", r"wheelchair access",
                                        r"interpreter", r"disabilit(y|ies)"),
    "Activities & access to fresh air": (r"activit(y|ies)", r"fresh air", r"garden", r"groups?",
                                         r"outside", r"leave"),
    "Electronic entertainment": (r"tv", r"television", r"wi-?fi", r"radio", r"internet"),
    "Cleanliness, tidiness & infection control": (r"clean(liness)?", r"dirty", r"tidy",
                                                  r"hygien(e|ic)", r"infection"),
    "Sensory experience": (r"noisy", r"noise", r"too (hot|cold)", r"smell(s|y)?", r"quiet"),
    "Environment & Facilities": (r"toilet(s)?", r"seat(s|ing)?", r"waiting (room|area)",
                                 r"room", r"building", r"facilities", r"bed(s)?"),
    "Provision of medical equipment": (r"equipment", r"wheelchair", r"crutches", r"hearing aid"),
    "Mental Health Act": (r"section(ed)?", r"mental health act", r"detained"),
    "Service location": (r"location", r"close to home", r"local", r"far away", r"easy to find"),
    "Transport to/ from services": (r"transport", r"ambulance", r"taxi", r"bus", r"driver(s)?"),
    "Parking": (r"parking", r"car park", r"park(ed)?"),
}
POSITIVE_WORDS = (r"good", r"great", r"excellent", r"kind", r"caring", r"friendly", r"helpful",
                  r"thank(s| you)?", r"brilliant", r"lovely", r"happy", r"amazing", r"fantastic",
                  r"professional", r"quick(ly)?", r"clean", r"nice", r"polite", r"well")
NEGATIVE_WORDS = (r"poor", r"bad", r"rude", r"awful", r"terrible", r"long wait", r"waited",
                  r"dirty", r"never", r"not", r"no one", r"unhelpful", r"ignored", r"late",
                  r"worst", r"disappointed", r"cancell?ed", r"delay(ed|s)?", r"could be better",
                  r"improve", r"more", r"less", r"unacceptable")


def _compile(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)


PATTERNS = {label: _compile(words) for label, words in KEYWORDS.items()}
_POSITIVE, _NEGATIVE = _compile(POSITIVE_WORDS), _compile(NEGATIVE_WORDS)


@dataclass(frozen=True)
class RuleMatch:
    """One sub-category suggested by the rules, with the words in the comment that triggered it."""

    label: str
    words: tuple[str, ...]


def _found(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for match in pattern.finditer(text):
        seen.setdefault(match.group(0).lower(), None)
    return tuple(seen)


def rule_themes(text: str) -> list[RuleMatch]:
    """Every sub-category whose keywords occur in ``text``, in framework order."""
    found = ((label, _found(pattern, text)) for label, pattern in PATTERNS.items())
    return [RuleMatch(label, words) for label, words in found if words]


_COLUMN = {label: col for col, label in enumerate(PATTERNS)}


def rule_matrix(matches: list[list[RuleMatch]]) -> csr_matrix:
    """1.0 where a sub-category's keywords occur (comments × KEYWORDS order): the model's extra
    features, so it can lean on the same words a reader sees in the rules."""
    rows = [row for row, found in enumerate(matches) for _ in found]
    cols = [_COLUMN[m.label] for found in matches for m in found]
    values = np.ones(len(rows), dtype=np.float32)
    return csr_matrix((values, (rows, cols)), shape=(len(matches), len(PATTERNS)))


def rule_features(texts: list[str]) -> csr_matrix:
    return rule_matrix([rule_themes(text) for text in texts])


def rule_sentiment(text: str) -> tuple[str | None, tuple[str, ...]]:
    """positive / mixed / negative from the counts of cue words, with those words; None if none."""
    good, bad = _found(_POSITIVE, text), _found(_NEGATIVE, text)
    if not good and not bad:
        return None, ()
    sentiment = "mixed" if good and bad else "positive" if good else "negative"
    return sentiment, good + bad
