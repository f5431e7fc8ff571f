"""The core, the wire and the central record never import Kivy (STYLE.md, "The shape of the house").

Each package's every module is imported in a fresh interpreter, so an import that sneaks Kivy in
anywhere (even transitively, even in a module no test touches) fails here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = """
import importlib, pkgutil, sys
pkg = importlib.import_module({name!r})
names = [pkg.__name__]
for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
    if info.name.endswith("__main__"):
        continue
    importlib.import_module(info.name)
    names.append(info.name)
leaked = sorted(m for m in sys.modules if m == "kivy" or m.startswith("kivy."))
print(len(names), "modules;", "kivy imported" if leaked else "no kivy")
sys.exit(1 if leaked else 0)
"""


@pytest.mark.parametrize("package", ["kiosk", "sync", "central"])
def test_package_imports_no_kivy(package: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(name=package)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, (
        f"{package} pulled in Kivy or failed to import:\n{proc.stdout}{proc.stderr}"
    )
    assert "no kivy" in proc.stdout


def test_probe_detects_kivy() -> None:
    """The probe can fail: run on the Kivy layer itself, it must report Kivy."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(name="screens")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "kivy imported" in proc.stdout
