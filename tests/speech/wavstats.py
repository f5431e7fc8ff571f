"""Measure a WAV file with the stdlib: is it speech-like audio or silence?"""
from __future__ import annotations

import array
import math
import wave
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Level:
    duration: float     # seconds
    rms: float          # of 16-bit samples, whole file
    peak: int
    active: float       # share of 20 ms windows clearly above silence


def measure(path: Path) -> Level:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2, "expected 16-bit PCM"
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    window = rate // 50
    chunks = [samples[i:i + window] for i in range(0, len(samples) - window + 1, window)]
    loud = sum(math.sqrt(sum(x * x for x in c) / window) > 300 for c in chunks)
    rms = math.sqrt(sum(x * x for x in samples) / max(len(samples), 1))
    peak = max((abs(x) for x in samples), default=0)
    return Level(len(samples) / rate, rms, peak, loud / max(len(chunks), 1))


def tone(path: Path, seconds: float, hz: float = 440.0, rate: int = 22050) -> Path:
    """A sine tone WAV, standing in for a human recording in tests."""
    frames = array.array("h", (int(12000 * math.sin(2 * math.pi * hz * n / rate))
                               for n in range(int(seconds * rate))))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames.tobytes())
    return path
