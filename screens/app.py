"""The kiosk App: wires the services to the screens and owns the ScreenManager. Nothing more.

Respondent state lives in the session (kiosk.session) driven by ``Journey``; inactivity in
``IdleWatcher``; colours and sizes in ``theme``. The App keeps only what every screen shows:
palette, text size, language (and its font), and the volume, all reset between people.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from screens import theme

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
STAFF_HOLD_SECONDS = 5.0  # hold the top-left corner this long (docs/ui.md)
STAFF_CORNER_MM = 18.0


def lock_down(windowed: bool = False) -> None:
    """Kiosk settings; must run before ``kivy.core.window`` is imported."""
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("graphics", "fullscreen", "0" if windowed else "auto")
    Config.set("graphics", "borderless", "0" if windowed else "1")
    Config.set("graphics", "show_cursor", "1" if windowed else "0")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "width", str(theme.REFERENCE_SIZE[0]))
    Config.set("graphics", "height", str(theme.REFERENCE_SIZE[1]))
    # No red dots on a right click; one mouse contact is one touch.
    Config.set("input", "mouse", "mouse,disable_multitouch")


from kivy.app import App  # noqa: E402  (lock_down must be callable before Window exists)
from kivy.clock import Clock  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import (  # noqa: E402
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.floatlayout import FloatLayout  # noqa: E402
from kivy.uix.screenmanager import ScreenManager  # noqa: E402

from kiosk.i18n import Translator  # noqa: E402
from screens.idle import IdleWatcher  # noqa: E402
from screens.journey import QUESTION_SCREENS, Journey  # noqa: E402
from screens.keys import watch_leave_chords  # noqa: E402
from screens.translation import Lookup, style_for  # noqa: E402
from screens.wiring import Services  # noqa: E402

#: screen name -> (module, class)
SCREENS = {
    "welcome": ("screens.welcome", "WelcomeScreen"),
    "fft": ("screens.question_fft", "FftScreen"),
    "choice": ("screens.question_choice", "ChoiceScreen"),
    "yes_no": ("screens.question_yes_no", "YesNoScreen"),
    "free_text": ("screens.question_text", "FreeTextScreen"),
    "contact": ("screens.question_contact", "ContactScreen"),
    "thank_you": ("screens.thank_you", "ThankYouScreen"),
    "staff": ("screens.staff", "StaffScreen"),
}


class KioskRoot(FloatLayout):
    """Top bar + screens. Watches the hidden staff gesture: hold the top-left corner 5 s."""

    hold_seconds = NumericProperty(STAFF_HOLD_SECONDS)
    __events__ = ("on_staff_gesture",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._hold = None
        self._hold_touch = None

    def in_corner(self, pos: tuple[float, float]) -> bool:
        size = theme.mm(STAFF_CORNER_MM)
        return pos[0] <= self.x + size and pos[1] >= self.top - size

    def on_touch_down(self, touch: Any) -> bool:
        if self.in_corner(touch.pos):
            self._cancel_hold()
            self._hold_touch = touch
            self._hold = Clock.schedule_once(self._held, self.hold_seconds)
        return super().on_touch_down(touch)

    def on_touch_move(self, touch: Any) -> bool:
        if touch is self._hold_touch and not self.in_corner(touch.pos):
            self._cancel_hold()
        return super().on_touch_move(touch)

    def on_touch_up(self, touch: Any) -> bool:
        if touch is self._hold_touch:
            self._cancel_hold()
        return super().on_touch_up(touch)

    def _cancel_hold(self) -> None:
        if self._hold is not None:
            self._hold.cancel()
        self._hold = self._hold_touch = None

    def _held(self, *_: Any) -> None:
        self._hold = None
        self.dispatch("on_staff_gesture")

    def on_staff_gesture(self) -> None:
        pass


class Screens(ScreenManager):
    """The ScreenManager without Kivy's stencil clip: screens change with no transition, so the
    clip never cuts anything, yet it drew the whole screen area twice more every frame (a
    software renderer pays for each pixel)."""


class PatientVoiceApp(App):
    title = "Patient Voice"
    palette = ObjectProperty(theme.NORMAL)
    sizes = ObjectProperty(theme.NORMAL_TEXT)
    style = ObjectProperty(None)
    tr = ObjectProperty(None)
    language = StringProperty("en")
    big_text = BooleanProperty(False)
    high_contrast = BooleanProperty(False)
    volume = NumericProperty(1.0)
    can_speak = BooleanProperty(False)  # the speaker button shows (this language has audio)
    reading = StringProperty("idle")  # "busy" while rendering or playing: the button says Stop
    read_done = BooleanProperty(False)  # this screen was read: the button says Repeat

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # first: Kivy properties set before it never dispatch
        self.services = services
        self.translator = Translator(language=services.default_language)
        self.language = services.default_language
        self.style = style_for(services.default_language)
        self.tr = Lookup(self.translator, services.default_language)
        self.reader: Any = None  # screens.read_aloud.ReadAloud, made in build()
        self.idle = IdleWatcher(services.idle_seconds, services.warning_seconds,
                                on_warn=self._warn, on_countdown=self._countdown,
                                on_expire=self._expire, clock=services.clock)
        self.journey = Journey(self, services.make_session)

    # --- building ------------------------------------------------------------------------------

    def build(self) -> KioskRoot:
        from kivy.core.window import Window

        theme.set_window_size(*Window.size)
        self._screens: dict[str, Any] = {}
        self._make_reader()
        import screens.widgets  # noqa: F401  (the top bar's classes, for app.kv)

        root = Builder.load_file(str(HERE / "app.kv"))
        self.sm = root.ids.sm
        self.screen("welcome")  # the others are built when first shown (start-up time)
        self._timeout: Any = None  # "Do you need more time?": built just after the first frame
        root.bind(on_staff_gesture=lambda *_: self.open_staff())
        Window.bind(on_request_close=lambda *a, **k: True)  # no closing from the window manager
        watch_leave_chords(Window)  # Esc, Alt+F4...: noted in the log, nothing else
        Window.bind(on_touch_down=lambda *_: self.idle.activity())
        Window.bind(on_touch_down=self._interrupt_speech)
        self.sm.bind(current=lambda *_: self.reader.new_screen())
        from screens.widgets import TAP_GUARD

        # Every finger lifted frees the tap guard, even if its button vanished meanwhile.
        Window.bind(on_touch_up=lambda _w, touch: TAP_GUARD.release(touch))
        self._idle_event = Clock.schedule_interval(lambda dt: self.idle.tick(), 0.5)
        self._thanks_event = None
        self.clear_everything()
        return root

    def _make_screen(self, name: str) -> Any:
        """Build one screen and connect its events (Kivy's showcase: screens load lazily)."""
        import importlib

        module, cls = SCREENS[name]
        screen = getattr(importlib.import_module(module), cls)(name=name)
        if name == "welcome":
            screen.bind(on_start_feedback=lambda *_: self.journey.start(),
                        on_choose_language=lambda _w, tag: self.set_language(tag))
        elif name in QUESTION_SCREENS:
            screen.bind(on_answer=lambda _s, v: self.journey.answer(v),
                        on_back=lambda *_: self.journey.back(),
                        on_skip=lambda *_: self.journey.skip(),
                        on_draft=lambda _s, v: self.journey.draft(v))
        elif name == "thank_you":
            screen.bind(on_done=lambda *_: self.journey.reset())
        elif name == "staff":
            screen.bind(on_pin_entered=lambda _s, pin: self._check_pin(pin),
                        on_leave_staff=lambda *_: self.journey.reset(),
                        on_exit_app=lambda *_: self.stop(),
                        on_test_speaker=lambda s: setattr(s, "message",
                                                          self.reader.test_speaker()),
                        on_change_location=lambda _s, code: self._change_location(code))
        return screen

    @property
    def timeout(self) -> Any:
        """The "Do you need more time?" overlay (built on first use)."""
        if self._timeout is None:
            self._timeout = self._make_overlay()
        return self._timeout

    def _overlay_open(self) -> bool:
        return self._timeout is not None and self._timeout.parent is not None

    def _make_overlay(self) -> Any:
        from screens.timeout import TimeoutOverlay

        overlay = TimeoutOverlay()
        overlay.bind(on_open=lambda *_: self.reader.new_screen(),
                     on_dismiss=lambda *_: self.reader.new_screen(),
                     on_more_time=lambda *_: self.more_time(),
                     on_finish_now=lambda *_: self._expire())
        return overlay

    def screen(self, name: str) -> Any:
        if name not in self._screens:
            self._screens[name] = screen = self._make_screen(name)
            self.sm.add_widget(screen)
        return self._screens[name]

    def show_screen(self, name: str) -> None:
        self.sm.current = name

    # --- what every screen shows ---------------------------------------------------------------

    def brand(self, tr: Any) -> str:
        """The top bar's words: the organisation's own name (the same in every language), then
        "Patient feedback" in the visitor's language."""
        words = tr._("Patient feedback")
        org = self.services.organisation
        return f"{org} · {words}" if org else words

    def lstyle(self, tag: str, current: Any) -> Any:
        """The style for a label pinned to language ``tag``, else the current one."""
        return style_for(tag) if tag else current

    def set_language(self, tag: str) -> None:
        self.translator.set_language(tag)
        self.language = tag
        self.style = style_for(tag)
        self.tr = Lookup(self.translator, tag)
        self.screen("welcome").mark_language(tag)
        if self.reader is not None:
            self.reader.new_screen()
            self.can_speak = self.reader.available(tag)
        self._refresh_welcome()

    def on_big_text(self, *_: Any) -> None:
        self.sizes = theme.text_sizes(self.big_text)

    def on_high_contrast(self, *_: Any) -> None:
        self.palette = theme.HIGH_CONTRAST if self.high_contrast else theme.NORMAL

    # --- read-aloud (issue 4) ------------------------------------------------------------------

    def _make_reader(self) -> None:
        from screens.read_aloud import ReadAloud

        self.reader = ReadAloud(self.services.speaker, volume=self.volume)
        self.bind(volume=lambda _a, v: setattr(self.reader, "volume", v))
        self.reader.bind(state=lambda _r, v: setattr(self, "reading", v),
                         done=lambda _r, v: setattr(self, "read_done", v))
        if self.services.status is not None:
            try:
                self.services.status.update(audio="ok" if self.reader.audio_ok else "no-device")
            except Exception:  # noqa: BLE001 - a status file problem must not stop the kiosk
                log.exception("could not record the audio state in the status file")

    def shown_screen(self) -> Any:
        """What a person sees: the timeout warning when it is open, else the current screen."""
        return self.timeout if self._overlay_open() else self.sm.current_screen

    def speak(self) -> None:
        """The speaker button: read the shown screen in its language (Stop while reading)."""
        shown = self.shown_screen()
        lines = shown.speak_text() if hasattr(shown, "speak_text") else []
        self.reader.toggle(lines, self.language)

    def speaker_button(self) -> Any:
        return self.timeout.ids.read_aloud if self._overlay_open() else self.root.ids.read_aloud

    def _interrupt_speech(self, _window: Any, touch: Any) -> None:
        """Any tap anywhere silences read-aloud, except on the speaker button (it toggles)."""
        if self.reader.state != "busy":
            return
        button = self.speaker_button()
        x, y = button.to_window(button.x, button.y)
        if not (x <= touch.x <= x + button.width and y <= touch.y <= y + button.height):
            self.reader.stop()

    # --- inactivity ----------------------------------------------------------------------------

    def _warn(self, seconds: int) -> None:
        if self.journey.session is None:  # back at the welcome screen: nothing to keep
            self._expire()
            return
        self.timeout.seconds = seconds
        if not self.timeout.parent:
            self.timeout.open(animation=False)

    def _countdown(self, seconds: int) -> None:
        self.timeout.seconds = seconds

    def more_time(self) -> None:
        self.idle.extend()
        self.timeout.dismiss(animation=False)

    def _expire(self) -> None:
        self.timeout.dismiss(animation=False)
        self.journey.expire()

    # --- endings and clearing ------------------------------------------------------------------

    def show_thank_you(self, *, contact_requested: bool, involvement_requested: bool) -> None:
        thanks = self.screen("thank_you")
        thanks.contact_requested = contact_requested
        thanks.involvement_requested = involvement_requested
        self.show_screen("thank_you")
        thanks.start()
        self._cancel_thanks()
        self._thanks_event = Clock.schedule_interval(self._thanks_tick, 1.0)

    def _thanks_tick(self, *_: Any) -> None:
        if self.screen("thank_you").tick():
            self.journey.reset()

    def _cancel_thanks(self) -> None:
        if getattr(self, "_thanks_event", None) is not None:
            self._thanks_event.cancel()
            self._thanks_event = None

    def clear_everything(self) -> None:
        """Between two people: no widget keeps the last person's words or choices."""
        self._cancel_thanks()
        if self._overlay_open():
            self.timeout.dismiss(animation=False)
        for screen in self._screens.values():
            if hasattr(screen, "clear"):
                screen.clear()
        from screens.widgets import TAP_GUARD

        TAP_GUARD.reset()
        self.big_text = self.high_contrast = False
        self.volume = 1.0
        self.set_language(self.services.default_language)
        self.show_screen("welcome")

    def back_to_welcome(self) -> None:
        """From the first question: the welcome screen again, in the person's language and
        text size (they came back to change them); the usual reset follows if they leave."""
        for name in QUESTION_SCREENS:
            if name in self._screens:
                self._screens[name].clear()
        self.show_screen("welcome")
        self.idle.start()

    def _refresh_welcome(self) -> None:
        services, welcome = self.services, self.screen("welcome")
        lang = self.language
        welcome.title = services.survey.text(services.survey.title, lang)
        welcome.idle_seconds = int(services.idle_seconds)
        welcome.warning_seconds = int(services.warning_seconds)
        if not welcome.languages:
            welcome.languages = [(t, style_for(t).native_name) for t in services.languages]
        try:
            welcome.items = services.content_items(lang)
        except Exception:  # a broken content cache must not stop the welcome screen
            log.exception("could not read 'You said, we heard' items")
            welcome.items = []

    # --- staff ---------------------------------------------------------------------------------

    def open_staff(self) -> None:
        if self.journey.session is not None:
            return  # never in the middle of someone's answers
        staff = self.screen("staff")
        staff.clear()
        self.show_screen("staff")

    def _check_pin(self, pin: str) -> None:
        """scrypt is slow on purpose: check on a worker thread, answer on the UI thread."""
        def work() -> None:
            from kiosk.errors import PatientVoiceError
            try:
                ok = self.services.pin_guard.attempt(pin, self.services.pin_hash)
                message = "" if ok else self._pin_message()
            except PatientVoiceError as exc:
                ok, message = False, self.tr._(exc.user_message)
            facts = self._staff_facts() if ok else None
            Clock.schedule_once(lambda dt: self._pin_checked(ok, message, facts))
        threading.Thread(target=work, name="pv-pin", daemon=True).start()

    def _pin_message(self) -> str:
        guard = self.services.pin_guard
        if guard.remaining_tries == 0:
            minutes = max(1, round(guard.seconds_locked() / 60))
            return self.tr._("Too many wrong PINs. Try again in {minutes} minutes.").format(
                minutes=minutes)
        return self.tr._("Wrong PIN. {tries} tries left.").format(tries=guard.remaining_tries)

    def _pin_checked(self, ok: bool, message: str, facts: dict | None) -> None:
        from screens.staff import staff_info

        staff = self.screen("staff")
        if ok and facts is not None:
            staff.info = staff_info(facts, self.tr)
        staff.pin_result(ok, message)

    def _change_location(self, code: str) -> None:
        from kiosk.errors import PatientVoiceError

        staff = self.screen("staff")
        try:
            self.services.change_location(code)
        except PatientVoiceError as exc:
            log.error("changing the location failed: %s", exc)
            staff.message = self.tr._(exc.user_message)
            return
        staff.info = None
        staff.message = self.tr._("Location changed to {code}.").format(code=code)
        self._check_refresh_staff()

    def _check_refresh_staff(self) -> None:
        from screens.staff import staff_info

        staff = self.screen("staff")
        staff.info = staff_info(self._staff_facts(), self.tr)

    def _staff_facts(self) -> dict[str, Any]:
        """Counts and times, with read-aloud's state: the device and languages without it."""
        facts = dict(self.services.staff_facts())
        problems = self.reader.staff_lines(self.services.languages)
        facts["audio"] = "; ".join(problems) if problems else "ok"
        facts["unreviewed"] = self._unreviewed()
        return facts

    def _unreviewed(self) -> list[str]:
        """Offered languages whose UI catalogue or survey text is still machine translation."""
        from kiosk.i18n import unreviewed_languages

        survey = set(self.services.survey.translation_review)
        flagged = set(unreviewed_languages()) | survey
        return [tag for tag in self.services.languages if tag in flagged]

    def on_start(self) -> None:
        # The sync agent starts once the welcome screen is on the glass: building it imports
        # the HTTP stack, which the first frame does not need (bench/ui.py start-up figure);
        # the timeout overlay is built then too.
        from kivy.core.window import Window

        def after_first_frame(*_: Any) -> None:
            self.services.open_store(on_error=self._out_of_order)
            self.services.start_background()
            self.timeout  # noqa: B018  (built now, while nobody is waiting for it)

        def first_frame(*_: Any) -> None:
            Window.unbind(on_flip=first_frame)
            Clock.schedule_once(after_first_frame, 0)

        Window.bind(on_flip=first_frame)

    def _out_of_order(self, exc: BaseException) -> None:
        """The store cannot take responses: raised in the event loop, so the crash screen
        ("Something went wrong. Please ask a member of staff.") covers the kiosk and the
        service manager restarts it, rather than thanking people for answers it cannot keep."""

        def fail(*_: Any) -> None:
            raise exc

        Clock.schedule_once(fail, 0)

    def on_stop(self) -> None:
        if self.reader is not None:
            self.reader.stop()
        if self.services.speaker is not None:
            self.services.speaker.close()  # ends the speech thread
        self.services.stop_background()  # every accepted response is on disk first


def run_main(args: Any) -> int:
    """`kiosk run [--windowed]`."""
    from kiosk.config import load_config
    from screens.wiring import services_from_config

    windowed = bool(getattr(args, "windowed", False))
    if not windowed and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "kmsdrm")
    lock_down(windowed)
    cfg = load_config(getattr(args, "config", None))
    from screens.crash import install_crash_screen

    app = PatientVoiceApp(services_from_config(cfg))
    install_crash_screen(app)  # a calm "please ask a member of staff" screen, never a traceback
    app.run()
    return 0
