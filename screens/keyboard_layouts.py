"""The on-screen keyboard's layouts (no Kivy: `kiosk selftest` checks a comment against them
before it opens a window).

Latin pages (with the accents Welsh, Polish, Romanian and Portuguese need) serve every
language; Arabic, Urdu, Farsi, Sorani and Bengali also have pages of their own script, shown
first when that language is chosen. Native pages list letters in alphabetical order, in
reading order (the keyboard lays right-to-left pages out from the right): people at a kiosk
hunt for letters rather than touch-type. Keys are separated by single spaces; a key showing
something other than what it types is written ``shown=typed`` (a Bengali vowel sign is shown
on a dotted circle).
"""
from __future__ import annotations

import unicodedata

LAYOUTS: dict[str, list[str]] = {
    "lower": ["q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , . ?"],
    "upper": ["Q W E R T Y U I O P", "A S D F G H J K L '", "Z X C V B N M , . ?"],
    "numbers": ["1 2 3 4 5 6 7 8 9 0", "@ # £ & - + ( ) / :", "; ! ? , . ' \" % * _"],
    # Welsh (â ê î ô û ŵ ŷ ë ï), Polish (ą ć ę ł ń ó ś ź ż), Romanian (ă â î ș ț),
    # Portuguese (á à â ã é ê í ó ô õ ú ç)
    "accents": ["á à â ä ã ą ć ę é è ê ë", "í î ï ł ń ó ô ö õ ś ș ț", "ú û ü ŵ ŷ ź ż ñ ç ă"],
    "arabic": ["ا ب ت ث ج ح خ د ذ ر ز س ش", "ص ض ط ظ ع غ ف ق ك ل م ن ه",
               "و ي ى ة ء أ إ آ ؤ ئ ، ؟ ."],
    "arabic_signs": ["١ ٢ ٣ ٤ ٥ ٦ ٧ ٨ ٩ ٠", "، ؛ ؟ . ! « » ( ) -", "ـ ً ٌ ٍ َ ُ ِ ّ ْ"],
    "urdu": ["ا آ ب پ ت ٹ ث ج چ ح خ د ڈ ذ", "ر ڑ ز ژ س ش ص ض ط ظ ع غ ف ق",
             "ک گ ل م ن ں و ہ ھ ء ی ے ئ"],
    "urdu_signs": ["۱ ۲ ۳ ۴ ۵ ۶ ۷ ۸ ۹ ۰", "۔ ، ؛ ؟ ! « » ( ) -", "ۓ ؤ ۃ ً ٰ ِ ُ"],
    "farsi": ["ا آ ب پ ت ث ج چ ح خ د ذ ر", "ز ژ س ش ص ض ط ظ ع غ ف ق ک",
              "گ ل م ن و ه ی ء ئ ، ؟ ."],
    "farsi_signs": ["۱ ۲ ۳ ۴ ۵ ۶ ۷ ۸ ۹ ۰", "، ؛ ؟ . ! « » ( ) -", "أ ؤ ة إ ً ٌ َ ُ ِ"],
    "sorani": ["ئ ا ب پ ت ج چ ح خ د ر ڕ ز", "ژ س ش ع غ ف ڤ ق ک گ ل ڵ م",
               "ن و ۆ ه ە ی ێ ، ؟ ."],
    "sorani_signs": ["١ ٢ ٣ ٤ ٥ ٦ ٧ ٨ ٩ ٠", "، ؛ ؟ . ! « » ( ) -", "ء ة ي ك"],
    "bengali": ["ক খ গ ঘ ঙ চ ছ জ ঝ ঞ ট ঠ ড", "ঢ ণ ত থ দ ধ ন প ফ ব ভ ম য",
                "র ল শ ষ স হ ড় ঢ় য় ৎ ◌ং=ং ◌ঃ=ঃ ◌ঁ=ঁ"],
    "bengali_signs": ["অ আ ই ঈ উ ঊ ঋ এ ঐ ও ঔ ।",
                      "◌া=া ◌ি=ি ◌ী=ী ◌ু=ু ◌ূ=ূ ◌ৃ=ৃ ◌ে=ে ◌ৈ=ৈ ◌ো=ো ◌ৌ=ৌ ◌্=্",
                      "০ ১ ২ ৩ ৪ ৫ ৬ ৭ ৮ ৯"],
}

LAYOUTS["accents_upper"] = [row.upper() for row in LAYOUTS["accents"]]

#: Native pages per language tag: [letters, signs]. A language not here types with the Latin
#: pages (Somali is written in Latin letters; Welsh and Polish use the accents page).
NATIVE: dict[str, tuple[str, str]] = {
    "ar": ("arabic", "arabic_signs"),
    "ur": ("urdu", "urdu_signs"),
    "fa": ("farsi", "farsi_signs"),
    "ckb": ("sorani", "sorani_signs"),
    "bn": ("bengali", "bengali_signs"),
}
#: Languages whose script cannot be typed here at all: the screen says so in that language
#: and offers the alternatives (the survey's choices, staff, English or pinyin).
NO_KEYBOARD = frozenset({"zh-Hans", "zh-Hant"})
RTL_PAGES = frozenset(page for tag, pages in NATIVE.items() if tag != "bn" for page in pages)


def page_language(page: str) -> str:
    """The language tag a page's keys are drawn in ('en' for the Latin pages)."""
    return next((tag for tag, pages in NATIVE.items() if page in pages), "en")


def keys(page: str) -> list[list[tuple[str, str]]]:
    """(shown, typed) per key, row by row, in reading order."""
    return [[_key(k) for k in row.split(" ")] for row in LAYOUTS[page]]


def _key(key: str) -> tuple[str, str]:
    shown, _, typed = key.partition("=")
    typed = typed or shown
    if shown == typed and unicodedata.category(typed[0]).startswith("M"):
        shown = "\u25cc" + typed  # a vowel sign or harakah alone: drawn on a dotted circle
    return shown, typed


def typable() -> set[str]:
    """Every character some layout has a key for, and the space bar."""
    return {c for page in LAYOUTS for row in keys(page) for _, typed in row for c in typed} | {" "}
