"""The real kiosk shell: cage started exactly as deploy/patient-voice-kiosk.service starts it (its
ExecStart and Environment=, as a non-root user), with the kiosk inside drawing through Xwayland
(the Kivy wheel's SDL2 has no Wayland video driver: X11, KMS/DRM, offscreen and dummy only).

What is real: cage 0.1.4 and its key handling, Xwayland, SDL2's X11 driver, the kiosk process,
an enrolled config from a live central record on loopback, screenshots taken from cage's output
by grim. What is not: cage's backend is wlroots' x11 backend in an Xvfb instead of DRM/KMS on a
panel with libinput (tests/ops/cage_shell.py says why: no GPU driver here, and cage's headless
backend cannot start without one), and touch arrives as a mouse (no touch device in Xvfb).
"""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config, update_config
from kiosk.store import SealedStore
from screens import drawn, theme
from sync.enrol import enrol
from tests.central.live import CentralKeys, LiveCentral
from tests.conftest import ARTIFACTS
from tests.ops.cage_shell import UNIT_HOME, Cage, OuterX, Shot, need_tools, scratch_home

pytestmark = pytest.mark.gui
SHOTS = ARTIFACTS / "screenshots" / "cage"
KIVY_NO_CUTBUFFER = "Cutbuffer: Unable to find any valuable Cutbuffer provider"
#: what xdotool sends -> how the kiosk logs it (screens/keys.py); None: never reaches the kiosk
#: (Ctrl+Alt+Fn is XF86Switch_VT_n in cage's keymap; cage without -s passes it on and it is
#: swallowed before SDL sees it, most likely by Xwayland's XKB SwitchScreen action)
CHORDS = [("Escape", "escape"), ("alt+F4", "alt+f4"), ("ctrl+alt+BackSpace", "ctrl+alt+backspace"),
          ("ctrl+alt+Delete", "ctrl+alt+delete"), ("ctrl+alt+F2", None), ("ctrl+alt+F1", None),
          ("alt+Tab", "alt+tab"), ("ctrl+q", "ctrl+q"), ("ctrl+w", "ctrl+w"), ("super", "super"),
          ("ctrl+F4", "ctrl+f4")]


@pytest.fixture(scope="module")
def outer() -> Iterator[OuterX]:
    need_tools()
    x = OuterX()
    yield x
    x.stop()


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory,
            central_keys: CentralKeys) -> Iterator[LiveCentral]:
    db = tmp_path_factory.mktemp("cage-central") / "central.sqlite"
    live = LiveCentral(f"sqlite:///{db}", central_keys).start()
    live.publish_fft()
    yield live
    live.stop()


@pytest.fixture
def home(central: LiveCentral) -> Iterator[Path]:
    """The kiosk user's home, enrolled, with the config where the unit's KIOSK_CONFIG says."""
    home = scratch_home()
    config = home / ".config" / "patient-voice" / "kiosk.toml"
    config.parent.mkdir(parents=True)
    update_config({"kiosk": {"data_dir": str(home / "data")}}, config)
    enrol(central.url, central.enrol(), config_path=config)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def started() -> Iterator[list[Cage]]:
    cages: list[Cage] = []
    yield cages
    for cage in cages:
        cage.stop(5)


def _wait(what: str, seconds: float, cage: Cage, check: Callable[[], object]) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if cage.proc.poll() is not None:
            pytest.fail(f"cage exited ({cage.proc.returncode}) before {what}:\n{cage.stderr()}")
        time.sleep(0.25)
    pytest.fail(f"no {what} within {seconds} s; cage said:\n{cage.stderr()}")


def _kiosk_drawn(cage: Cage) -> Callable[[], Shot | None]:
    def check() -> Shot | None:
        shot = cage.screenshot()
        return shot if shot and shot.share(theme.NORMAL.bar, 2) > 0.95 else None
    return check


def _log(home: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((home / "data" / "logs").glob("kiosk.log*"))
            for line in path.read_text().splitlines() if line.strip()]


def _save(shot: Shot, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.ppm").write_bytes(
        f"P6\n{shot.width} {shot.height}\n255\n".encode() + shot.rgb)


def test_the_unit_command_is_what_this_test_starts() -> None:
    from tests.ops.cage_shell import unit_command

    argv, env = unit_command()
    assert argv[:3] == ["/usr/bin/cage", "-d", "--"] and argv[-1] == "run"
    assert env["SDL_VIDEODRIVER"] == "x11"  # the wheel's SDL2 has no wayland driver
    assert env["KIOSK_CONFIG"].startswith(UNIT_HOME)


def test_only_leave_chords_are_named_never_a_character() -> None:
    from screens.keys import chord_name

    assert [chord_name(k, m) for k, m in [("escape", []), ("f4", ["alt", "numlock"]),
                                          ("backspace", ["ctrl", "alt"]), ("super", ["meta"])]] \
        == ["escape", "alt+f4", "ctrl+alt+backspace", "super"]
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    for mods in ([], ["shift"], ["alt"], ["ctrl", "alt"], ["meta"]):  # typing, AltGr, compose
        assert [k for k in letters if chord_name(k, mods)] == [], mods
    assert chord_name("q", ["ctrl"]) == "ctrl+q" and chord_name("f2", []) is None


def test_selftest_under_cage_taps_through_one_response(
        outer: OuterX, home: Path, started: list[Cage]) -> None:
    shots = home / "selftest"
    cage = Cage(outer, home, ["selftest", "--screenshots", str(shots)])
    started.append(cage)
    cage.proc.wait(90)
    # cage 0.1.4 exits 0 whatever its application did: judge the kiosk by what it left
    printed = cage.out.read_text().split()
    assert printed, f"kiosk selftest printed no record id; cage said:\n{cage.stderr()}"
    assert "kiosk selftest: layout" not in cage.stderr(), cage.stderr()
    cfg = load_config(home / ".config" / "patient-voice" / "kiosk.toml")
    store = SealedStore(cfg.store_path, *cfg.sealers())
    try:
        assert [r.record_id for r in store.pending(10)] == [printed[-1]]
    finally:
        store.close()
    frames = sorted(shots.glob("*.json"))
    assert frames[0].name == "01-welcome.json" and frames[-1].name.endswith("thank_you.json")
    for path in frames:
        assert drawn.problems(drawn.Frame.load(path)) == [], path.name


def test_kiosk_run_under_cage_as_the_unit_starts_it(
        outer: OuterX, home: Path, started: list[Cage]) -> None:
    cage = Cage(outer, home)
    started.append(cage)
    welcome = _wait("kiosk on cage's output (top bar colour across the top)", 40, cage,
                    _kiosk_drawn(cage))
    assert isinstance(welcome, Shot)
    _save(welcome, "01-welcome")
    kiosk = cage.kiosk_pid()
    assert kiosk is not None
    assert welcome.share(theme.NORMAL.page, welcome.height - 3) > 0.9  # fills the output
    assert welcome.colours() > 20  # words and buttons, not one flat colour

    outer.xdotool("mousemove", str(welcome.width // 2), str(welcome.height // 2))
    for keys, chord in CHORDS:
        _send_chord(outer, cage, home, keys, chord)
    for start, end in _edge_swipes(welcome):
        _swipe(outer, start, end, pause="0.05")  # a finger's pace: about 150 ms edge to third
    time.sleep(1)
    after = cage.screenshot()
    assert after is not None, cage.stderr()
    _save(after, "02-after-keys-and-swipes")
    assert cage.proc.poll() is None and cage.kiosk_pid() == kiosk  # same kiosk, still up
    assert after.differs(welcome) < 0.01  # still the welcome screen, nothing opened or closed

    # The one way out is the staff gesture (hold the top-left corner): proves the pointer
    # reaches the kiosk, so the swipes above were delivered too.
    outer.xdotool("mousemove", "3", "3", "mousedown", "1", "sleep", "5.5", "mouseup", "1")
    staff = _wait("staff screen after holding the corner", 10, cage,
                  lambda: (s := cage.screenshot()) and s.differs(welcome) > 0.05 and s)
    _save(staff, "03-staff")

    start = time.monotonic()
    cage.systemd_stop()  # the unit's ExecStop: the kiosk first, then cage quits by itself
    while _alive(kiosk) and time.monotonic() - start < 20:
        time.sleep(0.1)
    took = time.monotonic() - start
    assert not _alive(kiosk), "the kiosk was still running 20 s after SIGTERM (TimeoutStopSec)"
    # cage quit by itself once its one client had gone: no abort in wl_display_terminate (cage
    # 0.1.4 sometimes asserts there when it is signalled together with Xwayland and the kiosk)
    assert cage.proc.returncode == 0 and "Assertion" not in cage.stderr(), cage.stderr()
    log = _log(home)
    assert any(e["msg"] == "SIGTERM: stopping the kiosk" for e in log), (  # stopped in order
        f"the kiosk did not stop in order; its last log lines: {[e['msg'][:80] for e in log[-4:]]}"
        f"\ncage said:\n{cage.stderr()[-1500:]}")
    errors = [e["msg"] for e in log if e["level"] in ("ERROR", "CRITICAL")]
    # Known, harmless: Kivy on X11 looks for xclip/xsel for middle-click paste (a kiosk wants
    # none) and logs an ERROR when the staff screen's PIN field first needs its clipboard.
    assert [m for m in errors if not m.startswith(KIVY_NO_CUTBUFFER)] == []
    print(f"cage + kiosk: stopped in order {took:.1f} s after the unit's ExecStop began")


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a container's PID 1 to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _chords_logged(home: Path, chord: str) -> int:
    return sum(f"key chord {chord}:" in e["msg"] for e in _log(home))


def _send_chord(outer: OuterX, cage: Cage, home: Path, keys: str, chord: str | None) -> None:
    """Send one chord through cage's seat; wait for the kiosk's log line. A chord that never
    reaches the kiosk is followed by Escape, which must still arrive: the kiosk is up and its
    keyboard still works after it."""
    marker = chord or "escape"
    before = _chords_logged(home, marker)
    outer.xdotool("key", "--delay", "60", keys)
    if chord is None:
        time.sleep(0.5)
        outer.xdotool("key", "Escape")
    _wait(f"log line for {keys if chord else 'Escape after ' + keys} (the kiosk saw it)", 5,
          cage, lambda: _chords_logged(home, marker) > before)
    if chord is None:
        assert not any(keys.lower() in e["msg"] for e in _log(home)), f"{keys} reached the kiosk"


def _swipe(outer: OuterX, start: tuple[str, str], end: tuple[str, str], pause: str) -> None:
    outer.xdotool("mousemove", *start, "sleep", pause, "mousedown", "1", "sleep", pause,
                  "mousemove", *_mid(start, end), "sleep", pause, "mousemove", *end,
                  "sleep", pause, "mouseup", "1")


@pytest.mark.xfail(strict=True, reason=(
    "Kivy's mouse provider moves a touch before its queued 'begin' is dispatched, so a flick "
    "(down, move, up within one frame) lands where it ends: a fast swipe in from the right edge "
    "ending on a language button chooses that language. Mouse only; touch input not tested."))
def test_a_fast_flick_from_the_edge_is_not_a_tap(
        outer: OuterX, home: Path, started: list[Cage]) -> None:
    cage = Cage(outer, home)
    started.append(cage)
    welcome = _wait("kiosk on cage's output", 40, cage, _kiosk_drawn(cage))
    assert isinstance(welcome, Shot)
    for start, end in _edge_swipes(welcome):
        _swipe(outer, start, end, pause="0")
        time.sleep(0.5)
    after = cage.screenshot()
    assert after is not None, cage.stderr()
    _save(after, "04-after-fast-flicks")
    assert after.differs(welcome) < 0.01, "a flick from an edge changed the welcome screen"


def _edge_swipes(shot: Shot) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    w, h = shot.width, shot.height
    edges = [((0, h // 2), (w // 3, h // 2)), ((w - 1, h // 2), (2 * w // 3, h // 2)),
             ((w // 2, 0), (w // 2, h // 3)), ((w // 2, h - 1), (w // 2, 2 * h // 3))]
    return [((str(a), str(b)), (str(c), str(d))) for (a, b), (c, d) in edges]


def _mid(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    return str((int(a[0]) + int(b[0])) // 2), str((int(a[1]) + int(b[1])) // 2)
