"""The respondent session: one person's path through a survey (``state``), what each kind of
question accepts (``values``), honest progress (``progress``) and bursts (``burst``)."""
from kiosk.session.burst import BurstDetector
from kiosk.session.progress import SCREENS_PER_KIND, Progress
from kiosk.session.state import DeviceInfo, RespondentSession, SessionState
from kiosk.session.values import check_value, expected_shape

__all__ = ["SCREENS_PER_KIND", "BurstDetector", "DeviceInfo", "Progress", "RespondentSession",
           "SessionState", "check_value", "expected_shape"]
