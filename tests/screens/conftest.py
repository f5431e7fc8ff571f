"""The real app in a real offscreen Kivy window, built once per pytest process.

``kiosk`` hands each test a ``Driver`` over that app, reset to the welcome screen, with a
fresh sealed store (real SQLite, real HPKE keys) and an injected clock. Taps are real touch
events (``UnitTestTouch``) dispatched through the window; frames advance with
``EventLoop.idle()``; time only moves when a test moves it. Screenshots go to
test-artifacts/screenshots/<lang>/<screen>-<normal|big>.png.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS, ROOT

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

# Kiosk settings and the reference 1280x800 size must be in Config before any test module
# imports kivy.core.window (which creates the window).
from screens.app import lock_down  # noqa: E402

lock_down(windowed=True)

SHOTS = ARTIFACTS / "screenshots"
SURVEY = ROOT / "assets" / "surveys" / "fft.json"
#: As long as config allows (kiosk.config.MAX_ORGANISATION): the top bar must still fit.
ORGANISATION = "Northfield Cancer Centre NHS FT"


def walk_window() -> list:
    """Every widget in the window: the screens and any overlay opened on top."""
    from kivy.core.window import Window

    return [w for top in Window.children for w in top.walk(restrict=False)]


class FakeClock:
    """Seconds that only move when a test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SpySpeaker:
    """The real kiosk.speech.Speaker (real espeak-ng, real WAVs), with every request noted:
    the test sees exactly which lines the UI asked to have spoken, in which language."""

    def __new__(cls, cache_dir: Path) -> Any:
        from kiosk.speech import Speaker

        class _Spy(Speaker):
            def __init__(self, cache: Path) -> None:
                super().__init__(cache)
                self.requests: list[tuple[tuple[str, ...], str]] = []
                self.stops = 0

            def request(self, lines, language, on_ready, on_error=None) -> None:
                self.requests.append((tuple(lines), language))
                super().request(lines, language, on_ready, on_error)

            def stop(self) -> None:
                self.stops += 1
                super().stop()

        return _Spy(cache_dir)


class Driver:
    """Drives the app the way a person does: taps, frames, and looking at the screen."""

    def __init__(self, app: Any, clock: FakeClock, saved: list, store: Any, key: Any) -> None:
        self.app, self.clock, self.saved, self.store, self.key = app, clock, saved, store, key

    # --- frames and taps ------------------------------------------------------------------------

    def frames(self, n: int = 2) -> None:
        from kivy.base import EventLoop

        for _ in range(n):
            EventLoop.idle()

    def settle(self, most: int = 12) -> None:
        """Frames until the layout stops moving (a relayout can take a few frames to ripple:
        answers measured, the question's window sized, the answers paged again)."""
        def layout() -> tuple:
            return tuple((round(w.x), round(w.y), round(w.width), round(w.height))
                         for w in walk_window())
        before = layout()
        for _ in range(most):
            self.frames(1)
            now = layout()
            if now == before:
                return
            before = now

    def tap(self, widget: Any, frames: int = 1) -> None:
        from kivy.tests.common import UnitTestTouch

        assert widget.get_root_window() is not None, f"{widget!r} is not on screen"
        assert not widget.disabled, f"{widget!r} is disabled"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        touch.touch_up()
        self.clock.advance(1.0)  # a person's pace: past the tap guard's debounce
        self.frames(frames)

    def touch_down(self, widget: Any) -> Any:
        from kivy.tests.common import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        return touch

    # --- what is on screen ----------------------------------------------------------------------

    @property
    def current(self) -> str:
        return self.app.sm.current

    def screen(self, name: str | None = None) -> Any:
        return self.app.screen(name or self.current)

    def frame(self) -> Any:
        """The QuestionFrame of the current question screen."""
        from screens.widgets import QuestionFrame

        return next(w for w in self.screen().walk() if isinstance(w, QuestionFrame))

    def button(self, text: str) -> Any:
        """The visible, enabled button showing exactly ``text`` on the current screen/overlay."""

        from screens.widgets import PVButton

        found = [w for w in walk_window()
                 if isinstance(w, PVButton) and w.text == text and not w.disabled
                 and w.opacity > 0 and w.get_root_window() is not None and self._shown(w)]
        assert found, f"no button {text!r} on {self.current}"
        return found[0]

    def _shown(self, widget: Any) -> bool:
        w = widget
        while w is not None and w.parent is not w:
            if getattr(w, "opacity", 1) == 0 or (hasattr(w, "height") and w.height <= 1):
                return False
            w = w.parent
        return True

    def choose_language(self, tag: str) -> None:
        """Tap a language on the welcome screen as a person would: at "Bigger text" through
        "Choose your language", turning the languages' pages until it shows."""
        welcome = self.screen("welcome")
        if not welcome.side_by_side and welcome.mode == "home":
            self.tap(welcome.ids.change_language)
        grid = welcome.ids.language_grid
        for _ in range(grid.page_count):
            found = [b for b in welcome.language_buttons() if b.tag == tag]
            if found:
                self.tap(found[0])
                return
            self.tap(grid.ids.pager.ids.next_page)
        raise AssertionError(f"no language {tag!r} on the welcome screen")

    def start(self, language: str | None = None) -> None:
        welcome = self.screen("welcome")
        if language:
            self.choose_language(language)
        self.tap(welcome.ids.start)

    def type_text(self, keyboard: Any, text: str) -> None:
        keyboard.type_text(text, lambda w: self.tap(w, frames=1))

    def screenshot(self, path: Path) -> Path:
        from kivy.core.window import Window

        path.parent.mkdir(parents=True, exist_ok=True)
        taken: list[str] = []

        def grab(*_: Any) -> None:
            Window.unbind(on_flip=grab)
            taken.append(Window.screenshot(name=str(path.with_suffix("")) + "-.png"))

        Window.bind(on_flip=grab)
        Window.canvas.ask_update()
        for _ in range(10):
            self.frames(1)
            if taken:
                break
        assert taken and taken[0], "no frame was drawn"
        Path(taken[0]).replace(path)
        return path

    def opened(self) -> list[dict]:
        """Every record in the store, opened with the test's private key."""
        out = []
        for pending in self.store.pending(1000):
            out.append(json.loads(self.key.open(pending.sealed, "responses", pending.record_id)))
        return out


def _survey_json(**changes: Any) -> dict:
    data = json.loads(SURVEY.read_text(encoding="utf-8"))
    if "languages" in changes:  # review notes for languages a test survey drops
        data.pop("translation_review", None)
    data.update(changes)
    return data


@pytest.fixture(scope="session")
def app_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    from kivy.base import EventLoop

    from kiosk.crypto import PrivateKey, Sealer
    from kiosk.pin import PinGuard, hash_pin
    from kiosk.session import DeviceInfo
    from kiosk.store import SealedStore
    from kiosk.survey import load_survey
    from screens.app import PatientVoiceApp
    from screens.widgets import TAP_GUARD
    from screens.wiring import Services

    clock = FakeClock()
    key = PrivateKey.generate()
    saved: list = []
    holder: dict = {}

    def add(record: Any) -> str:
        saved.append(record)
        return holder["store"].add(record)

    services = Services(
        survey=load_survey(SURVEY), device=DeviceInfo("kiosk-test-1", "RXX01", "WARD-7"),
        add_record=add, languages=("en",), default_language="en", idle_seconds=90,
        warning_seconds=30, pin_hash=hash_pin("2468"), clock=clock,
        pin_guard=PinGuard(clock=clock),
        speaker=SpySpeaker(tmp_path_factory.mktemp("speech-cache")),
        organisation=ORGANISATION)
    TAP_GUARD.clock = clock
    app = PatientVoiceApp(services)
    app._run_prepare()
    EventLoop.start()
    holder.update(app=app, clock=clock, saved=saved, key=key, services=services,
                  tmp=tmp_path_factory, sealer=Sealer(key.public_key(), "responses"),
                  contacts=Sealer(key.public_key(), "contacts"), store_cls=SealedStore)
    yield holder
    app.stop()
    EventLoop.close()


@pytest.fixture
def kiosk(app_session: dict, tmp_path: Path) -> Iterator[Driver]:
    from kiosk.crypto import Sealer
    from kiosk.pin import PinGuard
    from kiosk.survey import load_survey

    app, clock = app_session["app"], app_session["clock"]
    key = app_session["key"]
    store = app_session["store_cls"](tmp_path / "responses.sqlite",
                                     Sealer(key.public_key(), "responses"),
                                     Sealer(key.public_key(), "contacts"))
    app_session["store"] = store
    app_session["saved"].clear()
    services = app.services
    services.survey = load_survey(SURVEY)
    services.languages = ("en",)
    services.pin_guard = PinGuard(clock=clock)
    services.burst = type(services.burst)()
    app.screen("welcome").languages = []
    app.journey.reset()
    driver = Driver(app, clock, app_session["saved"], store, key)
    driver.frames(2)
    yield driver
    services.wait_for_saves()
    app.journey.reset()
    store.close()


@pytest.fixture
def survey_from(app_session: dict, tmp_path: Path):
    """Install a survey built from the default one with changes, for the kinds it lacks."""
    from kiosk.survey import parse_survey

    def install(**changes: Any) -> Any:
        data = _survey_json(**changes)
        survey = parse_survey(data, "test survey")
        app_session["app"].services.survey = survey
        app_session["app"].journey.reset()
        return survey

    return install
