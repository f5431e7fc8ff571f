"""Patient Voice kiosk core: survey model, respondent session, sealed store, config. No Kivy."""

__version__ = "0.1.0"
