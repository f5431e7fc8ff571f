"""Benchmark: read-aloud, from the tap to a WAV ready to play, per language.

    .venv/bin/python bench/speech.py [--rounds 3] [--survey assets/surveys/fft.json]

"Tap to audio-ready" is ``Speaker.request(lines, language, on_ready)`` until ``on_ready`` is
called on the speech thread with the WAV's path: the work the kiosk does after a tap on the
speaker button, before Kivy's SoundLoader (≈ 4 ms) and the SDL mixer buffer (≈ 90 ms) which this
machine, having no audio device, cannot measure. Phrases are the screens of the default survey
(question + help + options), each language's own text. Uncached: a fresh cache directory per
round, so espeak-ng runs every time. Joined: every line pre-rendered on its own (as
`python -m kiosk.speech prerender` does at build time), the screen itself new. Cached: the same
screens again. Targets: uncached ≤ 100 ms, cached ≤ 10 ms (p95). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.speech import Speaker, no_voice, screen_script, voices  # noqa: E402
from kiosk.survey import load_survey  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The screens timed: the FFT screen, a free-text prompt, a choice list, a long help text.
SCREENS = ("fft", "why", "who", "contact_wanted", "age", "contact")


def tap_to_ready(speaker: Speaker, lines: tuple[str, ...], language: str) -> float:
    """Milliseconds from request() to on_ready() on the speech thread."""
    done = threading.Event()
    start = time.perf_counter()
    speaker.request(lines, language, lambda audio: done.set())
    if not done.wait(30):
        raise RuntimeError(f"no audio after 30 s for {language}")
    return (time.perf_counter() - start) * 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def bench_language(scripts: dict[str, tuple[str, ...]], language: str, rounds: int) -> tuple:
    """Uncached samples as (ms, screen id); joined from pre-rendered lines; cached (ms)."""
    uncached: list[tuple[float, str]] = []
    joined: list[float] = []
    cached: list[float] = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="pv-bench-speech-") as tmp:
            speaker = Speaker(Path(tmp) / "cache", recordings=Path(tmp) / "no-recordings")
            uncached += [(tap_to_ready(speaker, lines, language), screen)
                         for screen, lines in scripts.items()]
            for _ in range(3):
                cached += [tap_to_ready(speaker, lines, language) for lines in scripts.values()]
            speaker.close()
            build = Speaker(Path(tmp) / "pre")
            for line in {line for lines in scripts.values() for line in lines}:
                build.synthesise(line, language)  # build time: one WAV per line, not timed
            kiosk = Speaker(Path(tmp) / "kiosk-cache", recordings=Path(tmp) / "no-recordings",
                            prerendered=Path(tmp) / "pre")
            joined += [tap_to_ready(kiosk, lines, language) for lines in scripts.values()]
            kiosk.close()
    return uncached, joined, cached


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--survey", type=Path, default=ROOT / "assets" / "surveys" / "fft.json")
    args = parser.parse_args()
    survey = load_survey(args.survey)
    questions = [q for q in survey.questions if q.id in SCREENS]
    print(
        f"read-aloud, tap to audio-ready: {len(questions)} screens x {args.rounds} rounds "
        "uncached, joined and x3 cached; ms"
    )
    print(f"{'language':10} {'voice':16} {'uncached p50':>12} {'p95':>6} {'joined p50':>10} "
          f"{'p95':>5} {'cached p50':>10} {'p95':>5}  {'slowest uncached':18} targets")
    worst = [0.0, 0.0, 0.0]
    VOICES, NO_VOICE = voices(), no_voice()  # noqa: N806 - read once, used as constants
    for language in survey.languages:
        if language not in VOICES:
            why = "no voice: recorded audio or none" if language in NO_VOICE else "no voice"
            print(f"{language:10} {'-':16} {why}")
            continue
        scripts = {q.id: screen_script(q, language) for q in questions}
        samples, joined, cached = bench_language(scripts, language, args.rounds)
        uncached = [ms for ms, _ in samples]
        up, jp, cp = p95(uncached), p95(joined), p95(cached)
        slow_ms, slow_screen = max(samples)
        worst = [max(worst[0], up), max(worst[1], jp), max(worst[2], cp)]
        verdict = "ok" if up <= 100 and cp <= 10 else "MISSED"
        print(f"{language:10} {VOICES[language]:16} {statistics.median(uncached):12.1f} {up:6.1f} "
              f"{statistics.median(joined):10.2f} {jp:5.2f} {statistics.median(cached):10.2f} "
              f"{cp:5.2f}  {slow_ms:6.1f} {slow_screen:11} {verdict}")
    print(f"worst p95: uncached {worst[0]:.1f} ms, joined from pre-rendered lines "
          f"{worst[1]:.2f} ms, cached {worst[2]:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
