"""UI benchmarks (printed, not asserted): start-up, tap-to-next-screen latency, memory.

    .venv/bin/python bench/ui.py [--sessions 300] [--rss-sessions 1000]

1. Process start to the first drawn frame of the welcome screen through the real entry point
   (`kiosk --config F run --windowed`: config, sealed store, sync agent, read-aloud, every
   language), against a bare Kivy window opened the same way in the same run (each in a fresh
   interpreter; median of 5, interleaved).
2. Tap-to-next-screen latency: from a scripted touch-up on an answer until the renderer has
   finished the pixels of the frame that shows the next screen (on_flip, then glFinish), over a
   few hundred scripted sessions. Each tap starts with the renderer idle, as when a person reads
   the screen first. Here the renderer is Mesa's llvmpipe (software, on the CPU): every pixel of
   every frame costs CPU time, so the figure includes drawing the whole screen once.
3. RSS at start and after 1,000 complete sessions (sealed store on disk, real HPKE).
Runs offscreen (SDL_VIDEODRIVER=offscreen) when there is no display.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {"SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy", "KIVY_NO_ARGS": "1",
       "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_FILELOG": "1"}

BARE = """
import time, sys
t0 = float(sys.argv[1])
from kivy.config import Config
Config.set('graphics', 'width', '1280'); Config.set('graphics', 'height', '800')
from kivy.app import App
from kivy.uix.label import Label
from kivy.core.window import Window
from kivy.clock import Clock
class Bare(App):
    def build(self):
        Window.bind(on_flip=self.first)
        return Label(text='hello')
    def first(self, *a):
        print(time.time() - t0); sys.stdout.flush(); self.stop()
Bare().run()
"""

KIOSK = """
import time, sys, os
t0 = float(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from kivy.core.window import Window
from kivy.app import App
from kivy.clock import Clock
def first(*a):
    app = App.get_running_app()
    if app is not None and app.root is not None and app.sm.current == 'welcome':
        print(time.time() - t0); sys.stdout.flush()
        if sys.argv[4:] == ['warm']:  # let it settle (the sync agent starts, the overlay is built)
            Window.unbind(on_flip=first)
            Clock.schedule_once(lambda *_: os._exit(0), 2)
        else:
            os._exit(0)
Window.bind(on_flip=first)
from kiosk.cli import main
main(['--config', sys.argv[3], 'run', '--windowed'])
"""


def make_app():
    """The real App with a real sealed store in a temp dir and the installed survey."""
    from kiosk.config import KNOWN_LANGUAGES  # a new kiosk's default: every language
    from kiosk.crypto import PrivateKey, Sealer
    from kiosk.session import DeviceInfo
    from kiosk.store import SealedStore
    from kiosk.survey import load_survey
    from screens.app import PatientVoiceApp
    from screens.wiring import Services

    key = PrivateKey.generate()
    tmp = Path(tempfile.mkdtemp(prefix="pv-bench-"))
    store = SealedStore(tmp / "responses.sqlite", Sealer(key.public_key(), "responses"),
                        Sealer(key.public_key(), "contacts"))
    services = Services(survey=load_survey(ROOT / "assets/surveys/fft.json"),
                        device=DeviceInfo("bench-1", "RXX", "WARD"), add_record=store.add,
                        languages=KNOWN_LANGUAGES, default_language="en")
    return PatientVoiceApp(services), store


def kiosk_config() -> Path:
    """A new kiosk's config as IT writes it: enrolled (so the sync agent starts; its central
    is a closed loopback port), every language, data in a fresh folder."""
    from kiosk.crypto import PrivateKey

    tmp = Path(tempfile.mkdtemp(prefix="pv-bench-cfg-"))
    path = tmp / "kiosk.toml"
    path.write_text(f"""
[device]
id = "bench-0001"
site = "RXX"
location = "ward-3"

[central]
url = "http://127.0.0.1:9"
token = "pvt_bench-never-accepted"

[keys]
responses = "{PrivateKey.generate().public_key().to_text()}"
contacts = "{PrivateKey.generate().public_key().to_text()}"

[kiosk]
data_dir = "{tmp / 'data'}"
""", encoding="utf-8")
    path.chmod(0o600)
    return path


def _child(code: str, *extra: str) -> float:
    env = {**os.environ, **ENV, "KIVY_HOME": tempfile.mkdtemp(prefix="pv-kh-")}
    script = Path(tempfile.mkdtemp(prefix="pv-bench-")) / "child.py"  # Kivy wants a source file
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), repr(time.time()), str(ROOT), *extra],
                         env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    if out.returncode != 0 or not lines:
        raise RuntimeError(out.stderr[-1500:])
    return float(lines[-1])


def startup() -> None:
    config = str(kiosk_config())
    _child(BARE)  # one unmeasured start each: Python's and Kivy's caches as on a kiosk that
    _child(KIOSK, config, "warm")  # has started before (.pyc files, the data folder made)
    bares, kiosks = [], []
    for _ in range(5):  # interleaved: a busy moment on the machine falls on both sides
        bares.append(_child(BARE))
        kiosks.append(_child(KIOSK, config))
    bare, kiosk = statistics.median(bares), statistics.median(kiosks)
    print(f"start to first frame: bare Kivy {bare * 1000:.0f} ms, kiosk welcome "
          f"{kiosk * 1000:.0f} ms ({kiosk / bare:.2f}x bare; target <= 2x)")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Bench:
    def __init__(self) -> None:
        os.environ.update({k: v for k, v in ENV.items() if k != "KIVY_NO_CONSOLELOG"})
        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="pv-kh-")
        from screens.app import lock_down

        lock_down(windowed=True)
        from kivy.base import EventLoop
        from kivy.core.window import Window

        from screens.widgets import TAP_GUARD

        self.clock = 0.0
        TAP_GUARD.clock = self._tick  # scripted taps at a person's pace, without waiting
        self.app, self.store = make_app()
        self.app._run_prepare()
        EventLoop.start()
        self.EventLoop, self.Window = EventLoop, Window
        from kivy.graphics.opengl import GL_RENDERER, glGetString

        self.renderer = glGetString(GL_RENDERER).decode(errors="replace")
        self.flipped = 0.0
        Window.bind(on_flip=self._flip)
        self.latencies: list[float] = []  # touch-up to the next screen's pixels finished
        self.submitted: list[float] = []  # touch-up to the frame handed to the renderer
        for _ in range(5):  # lay the welcome screen out before the first tap
            self.frame()

    def _tick(self) -> float:
        self.clock += 1.0
        return self.clock

    def _flip(self, *_: object) -> None:
        self.flipped = time.perf_counter()

    def frame(self) -> None:
        self.EventLoop.idle()

    def tap(self, widget, measure: bool = False) -> None:
        from kivy.graphics.opengl import glFinish
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(*widget.to_window(*widget.center))
        touch.touch_down()
        self.frame()
        before = self.app.sm.current_screen, getattr(self.app.sm.current_screen, "view", None)
        glFinish()  # a person reads the screen before the next tap: the renderer is idle
        start = time.perf_counter()
        touch.touch_up()
        self.frame()  # the frame that draws the next screen
        flipped = self.flipped
        glFinish()  # ...and the person sees it only once the renderer has finished its pixels
        done = time.perf_counter()
        if measure:
            after = self.app.sm.current_screen, getattr(self.app.sm.current_screen, "view", None)
            if after != before:
                self.submitted.append(flipped - start)
                self.latencies.append(done - start)

    def session(self) -> None:
        app = self.app
        self.tap(app.screen("welcome").ids.start, measure=True)
        fft = app.screen("fft")
        self.tap(next(f for f in fft.faces() if f.code == 2), measure=True)
        frame = lambda s: next(w for w in s.walk() if type(w).__name__ == "QuestionFrame")  # noqa: E731
        self.tap(frame(app.screen("free_text")).ids.skip, measure=True)
        self.tap(app.screen("choice").ids.choices.buttons()[0], measure=True)
        for _ in range(3):
            self.tap(app.screen("yes_no").ids.no, measure=True)
        app.journey.reset()
        self.frame()

    def run(self, sessions: int, rss_sessions: int) -> None:
        for _ in range(5):  # warm caches (textures, fonts) before measuring
            self.session()
        self.latencies.clear()
        self.submitted.clear()
        for _ in range(sessions):
            self.session()
        p50, p95 = _percentiles(self.latencies)
        s50, s95 = _percentiles(self.submitted)
        print(f"tap to next screen drawn (pixels finished): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"over {len(self.latencies)} taps in {sessions} sessions (target p95 <= 50 ms)")
        print(f"  of which the app's own work (touch-up to frame handed to the renderer): "
              f"p50 {s50:.1f} ms, p95 {s95:.1f} ms; renderer: {self.renderer}")
        self.app.services.wait_for_saves()
        start = rss_mb()
        for _ in range(rss_sessions):
            self.session()
        self.app.services.wait_for_saves()
        end = rss_mb()
        print(f"RSS: {start:.1f} MB after warm-up, {end:.1f} MB after {rss_sessions} more "
              f"sessions ({(end / start - 1) * 100:+.1f}%; target < +10%); "
              f"{self.store.summary().count_pending} responses sealed")


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--rss-sessions", type=int, default=1000)
    args = parser.parse_args()
    startup()
    Bench().run(args.sessions, args.rss_sessions)


if __name__ == "__main__":
    main()
