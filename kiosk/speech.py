"""Read-aloud: survey text -> WAV files, offline, through espeak-ng run as a subprocess.

espeak-ng is GPL, so it stays behind a process boundary (never linked, never pyttsx3 or plyer).
Playback is the UI's job (Kivy's SoundLoader); this module only makes WAV files, off the UI thread.

What gets spoken: only the survey's own wording (question, help, each option by its meaning) and
the UI's fixed prompts. Anything a person typed (free text, name, phone, email) is never spoken:
``speakable()`` is the rule, and ``Speaker`` refuses text that looks like an email or phone number.

Where audio comes from, per language:
  1. a human recording of every line, ``<recordings>/<lang>/<sha256 of the line>.wav`` (preferred),
  2. else the language's espeak-ng voice (``voices()``, from locales/languages.toml),
  3. else nothing: ``availability()`` says so and the UI hides the speaker button.
Rendered WAVs are cached under names that are hashes of (lines, voice, parameters): the cache
directory never shows what was said.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
import wave
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from kiosk.errors import SpeechError, SpeechRefusedError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "assets" / "audio"

def voices() -> dict[str, str]:
    """espeak-ng voice id per language tag, from the language registry (locales/languages.toml:
    adding a language needs no code change). zh-Hans must use cmn-latn-pinyin: in 1.51 the
    plain `cmn` voice reads each character's pinyin tone digit in English ("hao three")."""
    from kiosk.languages import languages  # babel-heavy: only when speech is first used

    return {lang.tag: lang.voice for lang in languages() if lang.voice}


def no_voice() -> tuple[str, ...]:
    """Languages the kiosk offers that espeak-ng cannot speak: recorded audio or nothing."""
    from kiosk.languages import language_tags

    return tuple(tag for tag in language_tags() if tag not in voices())


#: A screen with at most this many lines not yet rendered on their own is joined from per-line
#: WAVs (≈ 10 ms per new line); with more, one espeak-ng run reads it all (≈ 15-45 ms).
JOIN_MISSING = 2

#: Answer fields that hold a choice among the survey's own options: their meaning may be spoken.
CHOICE_FIELDS = frozenset({"choice", "needs", "interests"})
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_PHONE = re.compile(r"(?:\d[\s\-().]*){9,}")


def speakable(question_kind: str, field: str | None = None) -> bool:
    """May read-aloud speak this part of a question? The wording (``field=None``) always may;
    of what a person entered, only choices among the survey's options may (never name,
    contact value, "other" needs or free text)."""
    if field is None:
        return True
    return field in CHOICE_FIELDS and question_kind != "free_text"


def screen_script(question: Any, language: str, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """What to read for a question screen: the question, its help, then each option by its
    meaning ("Very good", never "smiley face"). ``extra``: the UI's own translated labels
    (e.g. "Yes"/"No" for yes_no questions) read after the options."""
    lines = [question.text[language]]
    if getattr(question, "help", None):
        lines.append(question.help[language])
    lines += [option.text[language] for option in question.options]
    return tuple(lines) + tuple(extra)


def recording_name(text: str) -> str:
    """File name of a human recording of ``text`` (see assets/audio/README.md)."""
    return _sha(_norm(text)) + ".wav"


@dataclass(frozen=True)
class SpeechParams:
    speed: int = 145      # words per minute; espeak-ng's 175 is too fast for frail listeners
    pitch: int = 50
    amplitude: int = 100
    gap_ms: int = 450     # pause between the question and each option


@dataclass(frozen=True)
class Audio:
    path: Path
    language: str
    source: str           # "espeak-ng" or "recording"
    voice: str | None     # the espeak-ng voice, None for a recording
    duration: float       # seconds (the UI keeps automatic sound under 3 s)
    cached: bool


@dataclass(frozen=True)
class Availability:
    language: str
    source: str           # "voice", "recording" or "none"
    voice: str | None
    reason: str           # a sentence for the staff screen

    @property
    def available(self) -> bool:
        return self.source != "none"


Runner = Callable[..., subprocess.CompletedProcess]
OnReady = Callable[[Audio | None], None]
OnError = Callable[[SpeechError], None]


class Speaker:
    """Turns lines of survey text in one language into one WAV file (cached).

    ``render`` blocks; ``request`` queues work for one background thread and calls
    ``on_ready(audio_or_None)`` **on that thread** (the UI hops back with Clock.schedule_once).
    ``stop()`` drops queued work and any result still being made.
    """

    def __init__(self, cache_dir: Path, *, recordings: Path = RECORDINGS,
                 prerendered: Path | None = None, params: SpeechParams = SpeechParams(),
                 espeak: str = "espeak-ng", runner: Runner = subprocess.run,
                 max_cache_bytes: int = 64 * 2**20,
                 voice_of: dict[str, str] | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.recordings = Path(recordings)
        self.prerendered = Path(prerendered) if prerendered else None
        self.params = params
        self.espeak = espeak
        self.voices = voices() if voice_of is None else dict(voice_of)
        self._run = runner
        self._max_cache_bytes = max_cache_bytes
        self._queue: queue.Queue = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._cache_ready = False

    # -- what can be spoken ------------------------------------------------------------
    def availability(self, language: str) -> Availability:
        if self._has_recordings(language):
            return Availability(language, "recording", None,
                                f"{language}: recorded audio (unrecorded screens are silent)")
        voice = self.voices.get(language)
        if voice is None:
            return Availability(language, "none", None,
                                f"{language}: no voice and no recorded audio, so read-aloud is off")
        if shutil.which(self.espeak) is None:
            return Availability(language, "none", voice,
                                f"{language}: read-aloud is off because espeak-ng is not installed")
        return Availability(language, "voice", voice, f"{language}: espeak-ng voice {voice}")

    def can_read(self, lines: Sequence[str], language: str) -> bool:
        """Whether this screen has audio (the UI shows the speaker button only then)."""
        return self._recorded(lines, language) is not None or (
            self.availability(language).source == "voice")

    # -- rendering ---------------------------------------------------------------------
    def render(self, lines: str | Sequence[str], language: str) -> Audio | None:
        """WAV for ``lines`` in ``language``, or None when this language has no audio for them."""
        lines = _as_lines(lines)
        with self._cache_errors():
            recorded = self._recorded(lines, language)
            if recorded is not None:
                return self._join_recordings(recorded, language)
            return self._voice(lines, language)

    def synthesise(self, lines: str | Sequence[str], language: str) -> Audio | None:
        """espeak-ng only (no recordings): None when the language has no voice."""
        lines = _as_lines(lines)
        with self._cache_errors():
            return self._voice(lines, language)

    @contextlib.contextmanager
    def _cache_errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:  # cache folder missing, read-only or full
            raise SpeechError(f"read-aloud cache {self.cache_dir} cannot be used ({exc}): "
                              "check the data directory's permissions and free space") from exc

    def _voice(self, lines: tuple[str, ...], language: str) -> Audio | None:
        """Lines already rendered on their own (pre-rendered at build time, or spoken before)
        are joined, rendering at most ``JOIN_MISSING`` new ones; otherwise one espeak-ng run
        reads the whole screen, which is faster than one process per line."""
        voice = self.voices.get(language)
        if voice is None:
            return None
        key = self._key("espeak-ng", voice, lines)
        if (found := self._find(key)) is not None:
            return _audio(found, language, "espeak-ng", voice, cached=True)
        parts = {line: self._find(self._key("espeak-ng", voice, [line])) for line in lines}
        missing = [line for line, path in parts.items() if path is None]
        if len(lines) == 1 or len(missing) > JOIN_MISSING:
            path = self._synthesise(lines, voice, key)
            return _audio(path, language, "espeak-ng", voice, cached=False)
        for line in missing:
            parts[line] = self._synthesise([line], voice, self._key("espeak-ng", voice, [line]))
        path = self._join([parts[line] for line in lines], key)
        return _audio(path, language, "espeak-ng", voice, cached=not missing)

    def _find(self, key: str) -> Path | None:
        for folder in (self.prerendered, self.cache_dir):
            if folder is not None and (folder / key).is_file():
                return folder / key
        return None

    def request(self, lines: str | Sequence[str], language: str, on_ready: OnReady,
                on_error: OnError | None = None) -> None:
        """Render in the background; personal data is refused here, in the caller's thread."""
        lines = _as_lines(lines)
        with self._lock:
            generation = self._generation
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
                self._thread.start()
        self._queue.put((generation, lines, language, on_ready, on_error))

    def stop(self) -> None:
        """Cancel everything queued or in progress: no on_ready will come for it."""
        with self._lock:
            self._generation += 1
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        self.stop()
        self._queue.put(None)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            generation, lines, language, on_ready, on_error = item
            if generation != self._generation:
                continue
            try:
                audio = self.render(lines, language)
            except SpeechError as exc:
                log.warning("read-aloud failed for %s: %s", language, exc)
                self._deliver(generation, on_error, exc)
            except Exception as exc:  # noqa: BLE001 - a bug here must not silence the kiosk
                log.exception("read-aloud failed unexpectedly for %s", language)
                error = SpeechError(f"read-aloud failed unexpectedly ({type(exc).__name__})")
                self._deliver(generation, on_error, error)
            else:
                self._deliver(generation, on_ready, audio)

    def _deliver(self, generation: int, callback: Callable | None, value: Any) -> None:
        """Call back unless stopped since; a failing callback must not kill the worker."""
        if callback is None or generation != self._generation:
            return
        try:
            callback(value)
        except Exception:  # noqa: BLE001 - the UI's bug, logged; speech goes on
            log.exception("read-aloud callback failed")

    def _key(self, source: str, voice: str, lines: Sequence[str], extra: Any = None) -> str:
        material = {"v": 1, "source": source, "voice": voice, "params": asdict(self.params),
                    "lines": [_norm(line) for line in lines], "extra": extra}
        return _sha(json.dumps(material, ensure_ascii=False, sort_keys=True)) + ".wav"

    def _synthesise(self, lines: Sequence[str], voice: str, key: str) -> Path:
        gap = f'<break time="{self.params.gap_ms}ms"/>'
        ssml = "<speak>" + gap.join(escape(_norm(line)) for line in lines) + "</speak>"
        self._ensure_cache()
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".part-", suffix=".wav")
        os.close(fd)
        p = self.params
        # Text goes through stdin, never argv: argv is visible to every process on the machine.
        argv = [self.espeak, "-v", voice, "-s", str(p.speed), "-p", str(p.pitch),
                "-a", str(p.amplitude), "-m", "-b", "1", "-w", tmp, "--stdin"]
        try:
            done = self._run(argv, input=ssml.encode("utf-8"), capture_output=True, timeout=20)
        except (OSError, subprocess.SubprocessError) as exc:
            os.unlink(tmp)
            raise SpeechError(f"espeak-ng could not run ({type(exc).__name__}: {exc}); "
                              "install it with scripts/setup.sh") from exc
        if done.returncode != 0 or os.path.getsize(tmp) <= 44:
            os.unlink(tmp)
            detail = done.stderr.decode("utf-8", "replace").strip()[:200]
            raise SpeechError(f"espeak-ng voice {voice!r} made no audio (exit "
                              f"{done.returncode}: {detail}); check `espeak-ng --voices`")
        final = self.cache_dir / key
        os.replace(tmp, final)
        self._prune()
        return final

    # -- recorded audio ----------------------------------------------------------------
    def _has_recordings(self, language: str) -> bool:
        folder = self.recordings / language
        return folder.is_dir() and any(folder.glob("*.wav"))

    def _recorded(self, lines: Sequence[str], language: str) -> list[Path] | None:
        """Recordings of every line, or None: half a screen read aloud would mislead."""
        folder = self.recordings / language
        if not folder.is_dir():
            return None
        paths = [folder / recording_name(line) for line in _as_lines(lines)]
        return paths if all(p.is_file() for p in paths) else None

    def _join_recordings(self, paths: list[Path], language: str) -> Audio:
        stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths]
        key = self._key("recording", language, [], extra=stamp)
        if (self.cache_dir / key).is_file():
            return _audio(self.cache_dir / key, language, "recording", None, cached=True)
        return _audio(self._join(paths, key), language, "recording", None, cached=False)

    def _join(self, paths: list[Path], key: str) -> Path:
        """One WAV of ``paths`` with a pause between them, cached under ``key``."""
        self._ensure_cache()
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".part-", suffix=".wav")
        os.close(fd)
        try:
            _concatenate(paths, Path(tmp), self.params.gap_ms)
        except SpeechError:
            os.unlink(tmp)
            raise
        os.replace(tmp, self.cache_dir / key)
        self._prune()
        return self.cache_dir / key

    # -- cache housekeeping ------------------------------------------------------------
    def _ensure_cache(self) -> None:
        if self._cache_ready:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A power cut mid-render leaves a ".part-" file behind: clear old ones once per start.
        for stale in self.cache_dir.glob(".part-*"):
            if time.time() - stale.stat().st_mtime > 60:
                stale.unlink(missing_ok=True)
        self._cache_ready = True

    def _prune(self) -> None:
        """Keep the cache under its size limit, dropping the oldest files first."""
        files = sorted((e for e in os.scandir(self.cache_dir) if e.name.endswith(".wav")
                        and not e.name.startswith(".")), key=lambda e: e.stat().st_mtime)
        total = sum(e.stat().st_size for e in files)
        for entry in files:
            if total <= self._max_cache_bytes:
                return
            total -= entry.stat().st_size
            os.unlink(entry.path)


def _as_lines(lines: str | Sequence[str]) -> tuple[str, ...]:
    lines = (lines,) if isinstance(lines, str) else tuple(lines)
    if not lines or not all(isinstance(line, str) and line.strip() for line in lines):
        raise SpeechError("nothing to read: every line must be non-empty text")
    for line in lines:
        if _EMAIL.search(line) or _PHONE.search(line):
            # The message names no text: it may be the very detail we refuse to handle.
            raise SpeechRefusedError("refused to speak a line that looks like an email address "
                                     "or phone number: contact details are never spoken")
    return lines


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _audio(path: Path, language: str, source: str, voice: str | None, *, cached: bool) -> Audio:
    return Audio(path, language, source, voice, wav_duration(path), cached)


def wav_duration(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, wave.Error, EOFError) as exc:
        raise SpeechError(f"{path.name} is not a readable WAV file ({exc})") from exc


def _concatenate(paths: list[Path], out: Path, gap_ms: int) -> None:
    """Join WAVs of one format with a pause between them (stdlib only)."""
    params = None
    with wave.open(str(out), "wb") as dst:
        for index, path in enumerate(paths):
            try:
                src = wave.open(str(path), "rb")
            except (OSError, wave.Error, EOFError) as exc:
                raise SpeechError(f"recording {path} is not a readable WAV file ({exc})") from exc
            with src:
                fmt = (src.getnchannels(), src.getsampwidth(), src.getframerate())
                if params is None:
                    params = fmt
                    dst.setnchannels(fmt[0])
                    dst.setsampwidth(fmt[1])
                    dst.setframerate(fmt[2])
                elif fmt != params:
                    raise SpeechError(f"recording {path} is {fmt}, others are {params} "
                                      "(channels, bytes, rate): convert all recordings to one "
                                      "format, see assets/audio/README.md")
                if index:
                    dst.writeframes(b"\0" * (fmt[0] * fmt[1] * fmt[2] * gap_ms // 1000))
                dst.writeframes(src.readframes(src.getnframes()))


# -- for the staff screen --------------------------------------------------------------------
def audio_available(loaded_sound: object | None) -> bool:
    """Pass what ``SoundLoader.load(probe_wav)`` returned: None means no audio device (Kivy
    logs "Unable to open mixer" once and never retries in that process)."""
    return loaded_sound is not None and getattr(loaded_sound, "length", 1) != 0


def write_probe_wav(path: Path) -> Path:
    """A 50 ms silent WAV for the start-up SoundLoader probe (never played aloud)."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\0" * 2 * 1102)
    return path


def staff_report(speaker: Speaker, languages: Iterable[str],
                 loaded_sound: object | None) -> list[str]:
    """Sentences for the staff screen: the audio device, then every language without audio."""
    lines = [] if audio_available(loaded_sound) else [
        "No audio device was found: the kiosk works silently and read-aloud is off."]
    return lines + [a.reason for a in map(speaker.availability, languages) if not a.available]


if __name__ == "__main__":  # `python -m kiosk.speech prerender|recordings ...`
    from kiosk.speech_build import main

    raise SystemExit(main())
