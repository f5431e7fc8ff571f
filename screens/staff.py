"""The staff screen, behind a hidden gesture (hold the top-left corner 5 s) and the staff PIN.

Shows the device, its location, pending responses, last sync and last error; lets staff test
the speaker, change the location and exit the app. It never shows any respondent's answers:
it is given a ``StaffInfo`` of counts and times, never a record.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kivy.properties import NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.pin import PIN_MAX, PIN_MIN
from screens import theme
from screens.keyboard import EntryField, OnScreenKeyboard  # noqa: F401  (used in the .kv)
from screens.widgets import PVButton, app_state, load_kv

PIN_DIGITS = PIN_MAX


class PinDots(Widget):
    """One filled circle per digit typed, then empty ones up to the shortest PIN: staff see
    how many they have typed, and nobody else sees which."""

    count = NumericProperty(0)

    def on_kv_post(self, *_: Any) -> None:
        self.bind(count=self.redraw, pos=self.redraw, size=self.redraw)
        app_state().bind(palette=self.redraw)

    def slots(self) -> int:
        return max(PIN_MIN, int(self.count))

    def redraw(self, *_: Any) -> None:
        from kivy.graphics import Color, Ellipse, Line

        r, step = theme.mm(2.2), theme.mm(7)
        slots = self.slots()
        left = self.center_x - step * (slots - 1) / 2
        self.canvas.clear()
        with self.canvas:
            Color(*theme.hex_rgba(app_state().palette.text))
            for i in range(slots):
                cx = left + i * step
                if i < self.count:
                    Ellipse(pos=(cx - r, self.center_y - r), size=(2 * r, 2 * r))
                else:
                    Line(circle=(cx, self.center_y, r - theme.mm(0.25)), width=theme.mm(0.5))


@dataclass(frozen=True)
class StaffInfo:
    device: str
    location: str
    pending: str
    last_sync: str
    last_error: str
    speaker: str
    needs_it: str = ""
    content: str = ""
    to_review: str = ""


class StaffScreen(Screen):
    mode = OptionProperty("pin", options=["pin", "checking", "info", "location"])
    pin = StringProperty("")
    message = StringProperty("")
    info = ObjectProperty(None, allownone=True)
    tries_left = NumericProperty(5)
    __events__ = ("on_pin_entered", "on_leave_staff", "on_test_speaker", "on_exit_app",
                  "on_change_location")

    def on_kv_post(self, *_: Any) -> None:
        pad = self.ids.pinpad
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"):
            # staff text keeps its size under "Bigger text" (theme.FIXED_ROLES): the pad fits
            btn = PVButton(text=key if key.isdigit() else "", kind="primary" if key == "ok" else
                           "secondary", size_role="staff_title" if key.isdigit() else
                           "staff_button", wrap=False)
            btn.key = key
            btn.bind(on_release=self.key)
            pad.add_widget(btn)
        self._label_keys()

    def _label_keys(self, *_: Any) -> None:
        from kivy.app import App
        tr = App.get_running_app().tr
        for btn in self.ids.pinpad.children:
            if btn.key == "del":
                btn.text = tr._("Delete")
            elif btn.key == "ok":
                btn.text = tr._("OK")

    def key(self, btn: PVButton) -> None:
        if self.mode != "pin":
            return
        if btn.key == "del":
            self.pin = self.pin[:-1]
        elif btn.key == "ok":
            if self.pin:
                self.mode = "checking"
                self.dispatch("on_pin_entered", self.pin)
        elif len(self.pin) < PIN_DIGITS:
            self.pin += btn.key

    def pin_result(self, ok: bool, message: str) -> None:
        """The App's answer after checking the PIN off the UI thread."""
        self.pin = ""
        self.message = message
        self.mode = "info" if ok else "pin"

    def pin_keys(self) -> dict[str, PVButton]:
        return {b.key: b for b in self.ids.pinpad.children}

    def start_location_change(self, current: str) -> None:
        self.mode = "location"
        self.ids.location_field.text = current
        self.ids.keyboard.target = self.ids.location_field

    def finish_location_change(self) -> None:
        self.mode = "info"
        self.dispatch("on_change_location", self.ids.location_field.text.strip())

    def clear(self) -> None:
        self.pin = self.message = ""
        self.mode = "pin"
        self.info = None
        self.ids.location_field.text = ""

    def speak_text(self) -> list[str]:
        """The heading only: never the PIN, the device's details or an error's text."""
        return [self.ids.heading.text]

    def on_pin_entered(self, pin: str) -> None:
        pass

    def on_leave_staff(self) -> None:
        pass

    def on_test_speaker(self) -> None:
        pass

    def on_exit_app(self) -> None:
        pass

    def on_change_location(self, code: str) -> None:
        pass


load_kv(__file__)


def _when(epoch: float | None, tr: Any) -> str:
    import time

    if epoch is None:
        return tr._("never")
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def staff_info(facts: dict[str, Any], tr: Any) -> StaffInfo:
    """Counts and times only: ``facts`` is kiosk.status.gather(), which holds no answers."""
    device = facts.get("device") or tr._("not enrolled")
    if facts.get("site"):
        device += f" ({facts['site']})"
    location = facts.get("location") or tr._("not set")
    if facts.get("location_name"):
        location += f" ({facts['location_name']})"
    error = facts.get("last_error")
    if error and facts.get("last_error_at"):
        error = f"{error} ({_when(facts['last_error_at'], tr)})"
    return StaffInfo(device=device, location=location, pending=str(facts.get("pending", "?")),
                     last_sync=_when(facts.get("last_sync_at"), tr),
                     last_error=error or tr._("none"), speaker=str(facts.get("audio", "unknown")),
                     needs_it=_needs_it(facts, tr), content=_content(facts, tr),
                     to_review=", ".join(facts.get("unreviewed", ())) or tr._("none"))


def _needs_it(facts: dict[str, Any], tr: Any) -> str:
    if facts.get("revoked"):
        return tr._("Yes: this kiosk was revoked. Ask IT to enrol it again.")
    return tr._("Yes") if facts.get("needs_it") else tr._("No")


def _content(facts: dict[str, Any], tr: Any) -> str:
    """The live content version as the central record names it (ETag), or the packaged one."""
    version = str(facts.get("content_version") or "").strip('"')
    return version[:12] if version else tr._("as installed")
