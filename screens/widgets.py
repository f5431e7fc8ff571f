"""The shared widgets, from the modules that hold them (one import place for screens and tests).

labels.py (PVLabel, PVText, FitLabel), buttons.py (PVButton and its kinds, the tap guard),
faces.py (FFT faces), boxes.py (folding parts, mirrored rows), paged.py (the paging rule: answer
grids, text columns, the pager), frame.py (the question frame).
"""
from screens.base import app_state, load_kv
from screens.boxes import HideMixin, MirrorBox, Panel, least_height, stacked_height
from screens.buttons import (
    TAP_GUARD,
    ChoiceButton,
    LanguageButton,
    PVButton,
    SpeakerButton,
    TapGuard,
)
from screens.faces import FaceButton
from screens.frame import FramePart, QuestionFrame
from screens.labels import FitLabel, FitMixin, PVLabel, PVText
from screens.paged import PINNED_IDS, ChoiceList, PagedGrid, Pager, paginate
from screens.paged_column import PagedColumn

__all__ = ["PINNED_IDS", "TAP_GUARD", "ChoiceButton", "ChoiceList", "FaceButton", "FitLabel",
           "FitMixin", "FramePart", "HideMixin", "LanguageButton", "MirrorBox", "PVButton",
           "PVLabel", "PVText", "PagedColumn", "PagedGrid", "Pager", "Panel", "QuestionFrame",
           "SpeakerButton", "TapGuard", "app_state", "least_height", "load_kv", "paginate",
           "stacked_height"]
