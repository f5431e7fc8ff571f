"""A tiny real Kivy App that fails in a clock callback, with the crash screen installed.

Run by test_crash.py in its own process (a real window and App.run(), so Kivy's real event loop
and ExceptionManager are used, and no other test's window is disturbed):
    python tests/ops/crash_app.py DATA_DIR LANGUAGE SCREENSHOT.png [--no-crash] [--no-bidi]
        [--wedge]   (after the crash the event loop hangs: the watchdog must end the process)
Prints one JSON line: what the panel showed, and how long until the App stopped. With
--no-crash it prints "started" once running and waits to be stopped (by SIGTERM).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.logs import setup_logging  # noqa: E402

data_dir, language, shot = sys.argv[1], sys.argv[2], Path(sys.argv[3])
CRASH = "--no-crash" not in sys.argv
if "--no-bidi" in sys.argv:  # as if BidiLabel were what broke: the panel must not need it
    sys.modules["screens.bidi_label"] = None  # type: ignore[assignment]
setup_logging(data_dir, "DEBUG", console=True)

from kivy.config import Config  # noqa: E402

Config.set("graphics", "width", "1280")  # the kiosk's reference screen (screens/theme.py)
Config.set("graphics", "height", "800")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.properties import StringProperty  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from screens.crash import install_crash_screen  # noqa: E402

RESTART = 1.5


class Tiny(App):
    language = StringProperty(language)

    def build(self) -> Label:
        from screens import theme

        theme.set_window_size(*Window.size)
        return Label(text="a question")

    def on_start(self) -> None:
        Window.bind(on_request_close=lambda *a, **k: True)  # as the kiosk: no closing
        self.crashed_at = time.monotonic()
        if not CRASH:
            print("started", flush=True)
            return
        Clock.schedule_once(self.fail, 0.3)
        Clock.schedule_once(self.screenshot, 0.9)
        if "--wedge" in sys.argv:
            Clock.schedule_once(lambda dt: time.sleep(120), 1.2)  # a hung main thread

    def fail(self, dt: float) -> None:
        comment = "Nurse Ratched ignored me, call 07700 900461"  # a local: never logged
        self.crashed_at = time.monotonic()
        int(comment)  # ValueError whose message quotes the comment

    def screenshot(self, dt: float) -> None:
        shot.parent.mkdir(parents=True, exist_ok=True)

        def grab(*_: object) -> None:
            Window.unbind(on_flip=grab)
            Path(Window.screenshot(name=str(shot))).replace(shot)

        Window.bind(on_flip=grab)
        Window.canvas.ask_update()


app = Tiny()
handler = install_crash_screen(app, restart_seconds=RESTART, watchdog_grace=1.0)
app.run()
panel = handler.panel
print(
    json.dumps(
        {
            "message": panel.message if panel else None,
            "english": panel.english if panel else None,
            "language": panel.language if panel else None,
            "widget": type(panel.ids.message_box.children[0]).__name__ if panel else None,
            "reference": handler.reference,
            "count": handler.count,
            "stopped_after": round(time.monotonic() - app.crashed_at, 2),
        }
    )
)
