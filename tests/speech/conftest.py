"""Fixtures for read-aloud tests: the real espeak-ng, seen through a runner that counts calls."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiosk.speech import Speaker
from kiosk.survey import Survey, load_survey

ROOT = Path(__file__).resolve().parents[2]
FFT_SURVEY = ROOT / "assets" / "surveys" / "fft.json"


class CountingRunner:
    """subprocess.run, really run, with every argv kept (the one edge we watch, not fake)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        self.calls.append(list(argv))
        return subprocess.run(argv, **kwargs)

    def voices(self) -> list[str]:
        return [argv[argv.index("-v") + 1] for argv in self.calls]


@pytest.fixture
def runner() -> CountingRunner:
    return CountingRunner()


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    return folder


@pytest.fixture
def speaker(tmp_path: Path, runner: CountingRunner, recordings: Path) -> Speaker:
    return Speaker(tmp_path / "cache", recordings=recordings, runner=runner)


@pytest.fixture(scope="session")
def survey() -> Survey:
    return load_survey(FFT_SURVEY)
