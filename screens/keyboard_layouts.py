"""The on-screen keyboard's layouts (no Kivy: `kiosk selftest` checks a comment against them
before it opens a window)."""
from __future__ import annotations

LAYOUTS: dict[str, list[str]] = {
    "lower": ["q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , . ?"],
    "upper": ["Q W E R T Y U I O P", "A S D F G H J K L '", "Z X C V B N M , . ?"],
    "numbers": ["1 2 3 4 5 6 7 8 9 0", "@ # £ & - + ( ) / :", "; ! ? , . ' \" % * _"],
    "accents": ["á à â ä ą ć ę é è ê", "ë í î ï ł ń ó ô ö ś", "ú û ü ŵ ŷ ź ż ñ ç ă"],
}


def typable() -> set[str]:
    """Every character some layout has a key for, and the space bar."""
    return {key for rows in LAYOUTS.values() for row in rows for key in row.split(" ")} | {" "}
