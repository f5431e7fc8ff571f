"""`kiosk selftest`: prove a deployed kiosk works, end to end, with the real UI.

Runs the real App (offscreen when there is no display), taps through the installed survey with
scripted touches (typing the comment key by key on the on-screen keyboard), lets the session
submit to the real sealed store, and prints the new record's id. The record is flagged "test"
so reports leave it out. With ``--screenshots DIR`` it also saves each screen and judges it as
a person would see it on this display (screens/drawn.py: words inside their boxes, on the
screen, not over the bar or each other), saving the frames as JSON beside the pictures. Exit 0
on success, 1 if anything on the way failed (a layout problem included: each is printed).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
MAX_STEPS = 200  # a survey that never ends is a failure, not a hang


class StepClock:
    """The tap guard's clock: one second per reading, so scripted taps count as a person's pace
    (the real debounce still applies between them, it is just never waited out in real time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


class Finger:
    """Real touch events through the real window, one frame at a time."""

    def __init__(self, app: Any, shots: Path | None) -> None:
        self.app, self.shots, self.count = app, shots, 0
        self.problems: list[str] = []  # what the layout checks saw on the pictures taken

    def frames(self, n: int = 2) -> None:
        from kivy.base import EventLoop

        for _ in range(n):
            EventLoop.idle()

    def tap(self, widget: Any) -> None:
        touch = _ScriptedTouch(*widget.to_window(*widget.center))
        touch.dispatch_as("begin")
        self.frames(1)
        touch.dispatch_as("end")
        self.frames(2)

    def snap(self, name: str) -> None:
        if self.shots is None:
            return
        from kivy.core.window import Window

        self.shots.mkdir(parents=True, exist_ok=True)
        self.count += 1
        taken: list[str] = []

        def grab(*_: Any) -> None:
            Window.unbind(on_flip=grab)
            taken.append(Window.screenshot(name=str(self.shots / f"{self.count:02d}-{name}-.png")))

        Window.bind(on_flip=grab)
        Window.canvas.ask_update()
        for _ in range(10):
            self.frames(1)
            if taken:
                Path(taken[0]).replace(self.shots / f"{self.count:02d}-{name}.png")
                break
        self.check(name)

    def check(self, name: str) -> None:
        """Judge the frame as drawn (screens/drawn.py) and keep it beside its picture."""
        from screens import drawn

        assert self.shots is not None
        frame = drawn.capture(f"{self.count:02d}-{name}", self.app)
        frame.save(self.shots / f"{self.count:02d}-{name}.json")
        self.problems += drawn.problems(frame)


def answer_current(finger: Finger, comment: str) -> None:
    """One scripted answer for whatever question is showing (no contact details asked for)."""
    app = finger.app
    screen = app.sm.current_screen
    kind = app.journey.session.current.kind
    if kind == "fft":
        finger.tap(next(f for f in screen.faces() if f.code == 1))
    elif kind == "free_text":
        finger.tap(screen.ids.field)
        screen.ids.keyboard.type_text(comment, finger.tap)
        finger.tap(screen.ids.keyboard.ids.done)
        finger.tap(_frame(screen).ids.next)
    elif kind in ("single_choice", "multi_choice"):
        finger.tap(screen.ids.choices.buttons()[0])
        if kind == "multi_choice":
            finger.tap(_frame(screen).ids.next)
    elif kind == "yes_no":
        finger.tap(screen.ids.no)  # "no": the self-test never leaves contact details
    else:  # contact/involvement only follow a "yes"; skip if the survey asks anyway
        finger.tap(_frame(screen).ids.skip)


def _frame(screen: Any) -> Any:
    from screens.widgets import QuestionFrame

    return next(w for w in screen.walk() if isinstance(w, QuestionFrame))


def _headless_environment() -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("KIVY_NO_ARGS", "1")


def _say(message: str) -> None:
    # Kivy routes sys.stderr into its logger (silent with KIVY_NO_CONSOLELOG); IT must see this.
    print(f"kiosk selftest: {message}", file=sys.__stderr__)


def selftest_main(args: Any) -> int:
    from screens.keyboard_layouts import typable

    comment = str(getattr(args, "comment", "") or "Self-test comment")
    missing = sorted(set(comment) - typable())
    if missing:
        _say(f"the on-screen keyboard has no key for {''.join(missing)!r}; use letters, "
             "digits and common punctuation in --comment")
        return 2
    _headless_environment()
    from screens.app import lock_down

    lock_down(windowed=True)
    return _run(args, comment)


def _run(args: Any, comment: str) -> int:
    from kivy.base import EventLoop

    from kiosk.config import load_config
    from screens.app import PatientVoiceApp
    from screens.widgets import TAP_GUARD
    from screens.wiring import services_from_config

    services = services_from_config(load_config(getattr(args, "config", None)), test=True)
    TAP_GUARD.clock = StepClock()
    app = PatientVoiceApp(services)
    app._run_prepare()
    EventLoop.start()
    shots = Path(args.screenshots) if getattr(args, "screenshots", None) else None
    finger = Finger(app, shots)
    try:
        finger.frames(3)
        finger.snap("welcome")
        finger.tap(app.screen("welcome").ids.start)
        for _ in range(MAX_STEPS):
            if app.sm.current == "thank_you":
                break
            finger.snap(app.journey.session.current.id)
            answer_current(finger, comment)
        else:
            _say("the survey did not reach its end")
            return 1
        finger.snap("thank_you")
        problems = [exc for exc in services.wait_for_saves() if exc is not None]
        if problems:
            _say(f"the response could not be saved: {problems[0]}")
            return 1
        print(app.journey.last_record.record_id)
        for problem in finger.problems[:20]:
            _say(f"layout: {problem}")
        return 1 if finger.problems else 0
    finally:
        app.stop()
        EventLoop.close()


def _ScriptedTouch(x: float, y: float) -> Any:  # noqa: N802 (a class made on first use)
    """One finger at (x, y) in window pixels, through Kivy's real input dispatch.

    Kivy's own kivy.tests.common.UnitTestTouch does the same but imports pytest, which a
    frozen kiosk must not carry; and kivy.input must not be imported before the window is.
    """
    from kivy.base import EventLoop
    from kivy.input.motionevent import MotionEvent

    class ScriptedTouch(MotionEvent):
        def depack(self, args: dict) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

        def dispatch_as(self, kind: str) -> None:
            EventLoop.post_dispatch_input(kind, self)

    win = EventLoop.window
    touch = ScriptedTouch("selftest", 99, {"x": x / (win.width - 1.0),
                                           "y": y / (win.height - 1.0)},
                          is_touch=True, type_id="touch")
    touch.profile = ["pos"]
    return touch
