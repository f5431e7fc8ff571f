"""The kiosk's real shell for tests/ops/test_cage.py: cage started with the command line and
environment of deploy/patient-voice-kiosk.service, screenshots from cage itself with grim, and
keys and pointer moves that enter through cage's own seat.

Why wlroots' x11 backend and not the headless one: cage 0.1.4 is built on wlroots 0.15.1, whose
headless backend wants a DRM render node even with ``WLR_RENDERER=pixman`` ("drmGetDevices2
failed", then "Unable to create the wlroots renderer"); a machine with no GPU driver at all
(no /dev/dri, no drm in /proc/devices: this CI box) cannot start it. The x11 backend runs in an
Xvfb with shared-memory buffers and pixman, and gives cage a real keyboard and pointer: what
xdotool sends to Xvfb arrives at cage's seat, is checked against cage's own key bindings and
only then reaches the kiosk through Xwayland, like a USB keyboard on a kiosk would.

cage refuses to run as root, and the unit runs it as the ``kiosk`` user: under root the test
drops to ``nobody`` with setpriv.
"""
from __future__ import annotations

import os
import select
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT, missing
from tests.ops.test_deploy import parse_unit, values

UNIT = ROOT / "deploy" / "patient-voice-kiosk.service"
BUNDLE = "/opt/patient-voice/kiosk/kiosk"  # what the unit starts; here: this checkout's kiosk
UNIT_HOME = "/home/kiosk"
UNPRIVILEGED = 65534  # nobody: cage will not start as root (it could get root back)
#: program -> Debian package (scripts/setup.sh installs them)
TOOLS = {"cage": "cage", "Xwayland": "xwayland", "grim": "grim", "Xvfb": "xvfb",
         "xdotool": "xdotool", "setpriv": "util-linux"}


def need_tools() -> None:
    lost = [f"{tool} (Debian package {pkg})" for tool, pkg in TOOLS.items()
            if not shutil.which(tool)]
    if lost:
        missing(f"the kiosk shell test needs {', '.join(lost)}: run scripts/setup.sh as root, or "
                f"apt-get install {' '.join(TOOLS[t.split()[0]] for t in lost)}")


def unit_command() -> tuple[list[str], dict[str, str]]:
    """(cage argv, Environment=) from the unit, with the bundle replaced by this checkout."""
    unit = parse_unit(UNIT)
    (start,) = values(unit, "Service", "ExecStart")
    argv = shlex.split(start)
    sep = argv.index("--")
    app = argv[sep + 1:]
    assert app[0] == BUNDLE, f"{UNIT.name}: ExecStart runs {app[0]}, the test expects {BUNDLE}"
    env = dict(v.split("=", 1) for v in values(unit, "Service", "Environment"))
    return [*argv[: sep + 1], sys.executable, "-m", "kiosk.cli", *app[1:]], env


class OuterX:
    """Xvfb: the 'monitor' cage's x11 backend draws into (one output, 1024x768 by default)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(write)
        number, deadline = b"", time.monotonic() + 15
        while not number.endswith(b"\n") and time.monotonic() < deadline:  # "1", then "\n"
            ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read, 16) if ready else b""
            if not chunk:
                break
            number += chunk
        os.close(read)
        number = number.decode().strip()
        if not number:
            self.stop()
            raise RuntimeError(f"Xvfb gave no display number within 15 s: {self.err()}")
        self.display = f":{number}"

    def err(self) -> str:
        return self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def xdotool(self, *args: str) -> None:
        env = {"DISPLAY": self.display, "PATH": os.environ["PATH"]}
        subprocess.run(["xdotool", *args], env=env, check=True, timeout=30, capture_output=True)


def _others_can_reach(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.parents)


@dataclass
class Shot:
    """One grim screenshot of cage's output (PPM: 8-bit RGB, no decoder needed)."""

    width: int
    height: int
    rgb: bytes

    @classmethod
    def from_ppm(cls, data: bytes) -> Shot:
        magic, width, height, depth, pixels = data.split(maxsplit=4)
        assert magic == b"P6" and depth == b"255", f"not an 8-bit PPM: {data[:20]!r}"
        return cls(int(width), int(height), pixels[: int(width) * int(height) * 3])

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]

    def share(self, colour: str, row: int, tolerance: int = 24) -> float:
        """Fraction of the pixels of one row within ``tolerance`` of ``colour`` (#RRGGBB)."""
        want = [int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
        near = [all(abs(c - w) <= tolerance for c, w in zip(self.pixel(x, row), want, strict=True))
                for x in range(self.width)]
        hits = sum(near)
        return hits / self.width

    def colours(self) -> int:
        return len({self.rgb[i:i + 3] for i in range(0, len(self.rgb), 3 * 97)})

    def differs(self, other: Shot) -> float:
        """Fraction of sampled pixels that are not the same in both shots."""
        assert (self.width, self.height) == (other.width, other.height)
        step = 3 * 13
        diff = sum(self.rgb[i:i + 3] != other.rgb[i:i + 3] for i in range(0, len(self.rgb), step))
        return diff / (len(self.rgb) // step)


class Cage:
    """cage -d -- kiosk ..., as the unit starts it, inside ``outer``; files under ``home``."""

    def __init__(self, outer: OuterX, home: Path, app_args: list[str] | None = None) -> None:
        argv, unit_env = unit_command()
        if app_args is not None:  # e.g. ["selftest", ...] instead of the unit's "run"
            argv = argv[: argv.index("kiosk.cli") + 1] + app_args
        self.home, self.runtime = home, home / "run"
        self.runtime.mkdir(mode=0o700)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home)}
        env |= {k: v.replace(UNIT_HOME, str(home)) for k, v in unit_env.items()}
        env |= {"XDG_RUNTIME_DIR": str(self.runtime), "WLR_BACKENDS": "x11",
                "DISPLAY": outer.display, "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
                "SDL_AUDIODRIVER": "dummy",  # no sound card on CI
                "KIVY_HOME": str(home / "kivy"), "PYTHONPATH": str(ROOT),
                "KIOSK_LOG_LEVEL": "INFO"}
        self.env = env
        prefix: list[str] = []
        if os.geteuid() == 0:
            _give_away(home)
            prefix = ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}",
                      "--clear-groups"]
            if not _others_can_reach(Path(sys.executable).resolve()):
                # This machine's Python lives under a mode-700 /root: let the kiosk user read
                # and search files (no other privilege; cage still cannot regain root).
                prefix += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
        self.out, self.err = home / "cage.out", home / "cage.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen([*prefix, *argv], cwd=ROOT, env=env, stdout=out,
                                         stderr=err, start_new_session=True)

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")[-4000:]

    def kiosk_pid(self) -> int | None:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        children = path.read_text().split() if path.exists() else []
        return int(children[0]) if children else None

    def screenshot(self) -> Shot | None:
        sockets = [p for p in self.runtime.glob("wayland-*") if not p.name.endswith(".lock")]
        if not sockets:
            return None
        env = {"XDG_RUNTIME_DIR": str(self.runtime), "WAYLAND_DISPLAY": sockets[0].name,
               "PATH": self.env["PATH"]}
        proc = subprocess.run(["grim", "-t", "ppm", "-"], env=env, capture_output=True,
                              timeout=30)
        return Shot.from_ppm(proc.stdout) if proc.returncode == 0 else None

    def systemd_stop(self, seconds: float = 20) -> float:
        """What `systemctl stop` does: the unit's ExecStop with $MAINPID (cage), then SIGTERM to
        whatever is left in the cgroup; within TimeoutStopSec (20 s). Returns the time taken."""
        start = time.monotonic()
        (stop,) = values(parse_unit(UNIT), "Service", "ExecStop")
        argv = [word.replace("$$", "$") for word in shlex.split(stop)]  # systemd's unescaping
        env = {"PATH": self.env["PATH"], "MAINPID": str(self.proc.pid)}
        subprocess.run(argv, env=env, timeout=seconds, check=True)
        self.stop(max(1.0, seconds - (time.monotonic() - start)))
        return time.monotonic() - start

    def stop(self, seconds: float = 20) -> float:
        """SIGTERM to every process, as systemd does to the unit's cgroup; the time taken.
        Killed if still there after ``seconds``."""
        start = time.monotonic()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        return time.monotonic() - start


def _give_away(home: Path) -> None:
    for path in [home, *home.rglob("*")]:
        os.chown(path, UNPRIVILEGED, UNPRIVILEGED, follow_symlinks=False)


def scratch_home() -> Path:
    """A fresh home in /tmp (pytest's tmp_path sits under a root-only directory)."""
    return Path(tempfile.mkdtemp(prefix="pv-cage-"))
