"""The NHS England Patient Experience Qualitative Data Categorisation Framework (version 6).

Categories and sub-categories carry the framework's own labels, spelt exactly as in the labelled
data (including its "Referals"); the one-line definitions are ours, written to help a reader, not
quoted.
Five sub-categories have no labelled examples in the data (they were added to the framework later);
where they sit among the categories is our reading of the framework.
"""

from __future__ import annotations

CATEGORIES: dict[str, dict[str, str]] = {
    "General": {
        "Positive experience & gratitude": "Thanks or general praise for the care or the service.",
        "Negative experience & dissatisfaction": "General unhappiness with the care or service.",
        "Organisation & efficiency": "How well the service is run and organised as a whole.",
        "Funding & use of financial resources": "Money: funding, costs, charges, how it is spent.",
        "Learning organisation": "Whether the service learns from feedback and mistakes.",
    },
    "Staff": {
        "Staff manner & personal attributes": "Kindness, compassion, politeness, rudeness.",
        "Number & deployment of staff": "Too few staff, staff stretched, where staff are placed.",
        "Staff responsiveness": "How quickly and willingly staff respond to a need or a call.",
        "Staff continuity": "Seeing the same staff, or too many different faces.",
        "Competence & training": "Skill, knowledge and professionalism of staff.",
    },
    "Communication & involvement": {
        "Unspecified communication": "Communication mentioned without saying what kind.",
        "Staff listening, understanding & involving patients": "Being listened to, understood and "
        "involved in decisions.",
        "Information directly from staff during care": "Explanations given by staff during care.",
        "Information provision & guidance": "Leaflets, signs, websites, written guidance.",
        "Being kept informed, clarity & consistency of information": "Updates, clear and "
        "consistent information, not being left in the dark.",
        "Interaction with family/ carers": "How staff involve, inform and treat family and carers.",
    },
    "Access to medical care & support": {
        "Contacting services": "Getting through by phone, online or in person.",
        "Appointment arrangements": "Booking, cancelling and rearranging appointments.",
        "Appointment method": "Face to face, phone or video appointments.",
        "Timeliness of care": "Waiting times, delays, being seen quickly.",
        "Psychological therapy arrangements": "Arrangements for talking therapies.",
        "Existence of services": "Whether a service exists or is available at all.",
        "Choice of services": "Choice of where, how or from whom to get care.",
        "Out of hours support (community services)": "Help available outside working hours.",
    },
    "Medication": {
        "Supplying & understanding medication": "Getting medicines and knowing how to take them.",
        "Pain management": "How pain is assessed and relieved.",
    },
    "Patient journey & service coordination": {
        "Diagnosis & triage": "Assessment, tests, diagnosis and being prioritised.",
        "Referals & continuity of care": "Referrals and joined-up care between services.",
        "Admission": "Being admitted to a ward or service.",
        "Discharge": "Leaving hospital or a service, and the arrangements for it.",
        "Care plans": "Planned care, its agreement and follow-through.",
        "Patient records": "Notes and records being kept, shared and accurate.",
        "Impact of treatment/ care": "The effect the care had on the person's health or life.",
    },
    "Food & diet": {
        "Food & drink provision & facilities": "Meals, drinks, choice, quality, facilities.",
    },
    "Category TBC": {
        "Feeling safe": "Whether the person felt safe and secure.",
        "Patient appearance & grooming": "Help with washing, dressing, hair and appearance.",
        "Equality, Diversity & Inclusion": "Fair treatment, respect for identity, access needs.",
        "Safeguarding concerns?": "Something that may need a safeguarding response.",
    },
    "Activities": {
        "Activities & access to fresh air": "Things to do, groups, going outside.",
        "Electronic entertainment": "TV, radio, wifi, games.",
    },
    "Environment & equipment": {
        "Cleanliness, tidiness & infection control": "Clean, tidy places and infection control.",
        "Sensory experience": "Noise, light, temperature, smell.",
        "Environment & Facilities": "Buildings, rooms, seating, toilets and other facilities.",
        "Provision of medical equipment": "Having the right equipment and aids.",
    },
    "Mental Health specifics": {
        "Mental Health Act": "Detention, section and rights under the Mental Health Act.",
    },
    "Service location, travel & transport": {
        "Service location": "Where the service is and how easy it is to reach.",
        "Transport to/ from services": "Ambulances, patient transport, buses, travel.",
        "Parking": "Car parking: spaces, cost, distance.",
    },
}

SUBCATEGORIES: tuple[str, ...] = tuple(s for subs in CATEGORIES.values() for s in subs)
CATEGORY_OF: dict[str, str] = {s: c for c, subs in CATEGORIES.items() for s in subs}
DEFINITIONS: dict[str, str] = {s: d for subs in CATEGORIES.values() for s, d in subs.items()}
# Labels in the data that are not themes: nothing to act on, so never suggested.
NOT_THEMES = ("Not assigned", "Labelling not possible")
SENTIMENTS = ("positive", "mixed", "negative")


def sentiment_of(score: str | int | None) -> str | None:
    """The data's 1 (very positive) … 5 (very negative) as positive / mixed / negative."""
    if score in (None, ""):
        return None
    value = int(score)
    return "positive" if value <= 2 else "mixed" if value == 3 else "negative"
