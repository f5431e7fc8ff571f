"""Read-aloud on the screen: the speaker button's states, playback, and stopping on any tap.

kiosk.speech.Speaker makes WAV files on its own thread; this object plays them with Kivy's
SoundLoader on the UI thread (``on_ready`` hops back with ``Clock.schedule_once``). It never
decides *what* is read: each screen's ``speak_text()`` does (the survey's wording only).

States: ``idle`` (button says "Read aloud", or "Repeat" once this screen was read), ``busy``
(rendering or playing: the same button says "Stop"). Any tap elsewhere calls ``stop()``.
If ``SoundLoader.load`` returns None (no audio device: Kivy never retries in that process),
``audio_ok`` is False, every speaker button hides and the staff screen says so.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty

from kiosk.errors import SpeechError
from kiosk.speech import Audio, Speaker, audio_available, write_probe_wav

log = logging.getLogger(__name__)


def _load(path: str) -> Any:
    from kivy.core.audio import SoundLoader

    return SoundLoader.load(path)


class ReadAloud(EventDispatcher):
    state = OptionProperty("idle", options=["idle", "busy"])
    #: this screen was read once: the idle button offers "Repeat"
    done = BooleanProperty(False)
    audio_ok = BooleanProperty(True)
    volume = NumericProperty(1.0)  # the App's volume (reset between people)

    def __init__(self, speaker: Speaker | None, *, loader: Callable[[str], Any] = _load,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.speaker = speaker
        self._load = loader
        self._sound: Any = None
        self._ticket = 0  # a result for an older request (stopped since) is dropped
        self._available: dict[str, bool] = {}
        self.audio_ok = speaker is not None and self._probe()

    # --- what can be read -------------------------------------------------------------------

    def _probe(self) -> bool:
        """Start-up check of the audio device with a 50 ms silent WAV (never played)."""
        assert self.speaker is not None
        try:
            self.speaker.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            probe = write_probe_wav(self.speaker.cache_dir / "probe.wav")
            sound = self._load(str(probe))
        except Exception:  # noqa: BLE001 - a missing device must never stop the kiosk
            log.exception("the audio device check failed: read-aloud is off")
            return False
        if not audio_available(sound):
            log.warning("no audio device: the kiosk works silently and read-aloud is off")
            return False
        sound.unload()
        return True

    def available(self, language: str) -> bool:
        """Whether the speaker button shows for ``language`` (a voice or recordings, and a
        working audio device). Never a button that would say nothing."""
        if not self.audio_ok or self.speaker is None:
            return False
        if language not in self._available:
            self._available[language] = self.speaker.availability(language).available
        return self._available[language]

    def staff_lines(self, languages: Iterable[str]) -> list[str]:
        """For the staff screen: the audio device, then each language without read-aloud."""
        if self.speaker is None:
            return ["Read-aloud is not set up on this kiosk."]
        lines = [] if self.audio_ok else [
            "No audio device was found: the kiosk works silently and read-aloud is off."]
        return lines + [a.reason for a in map(self.speaker.availability, languages)
                        if not a.available]

    # --- reading ----------------------------------------------------------------------------

    def toggle(self, lines: Sequence[str], language: str) -> None:
        """The speaker button: Stop while busy, else read (or repeat) ``lines``."""
        if self.state == "busy":
            self.stop()
        else:
            self.read(lines, language)

    def read(self, lines: Sequence[str], language: str) -> None:
        self.stop()
        if not lines or not self.available(language):
            return
        self.state = "busy"
        ticket = self._ticket
        assert self.speaker is not None
        try:
            self.speaker.request(
                list(lines), language,
                on_ready=lambda audio: Clock.schedule_once(lambda dt: self._play(audio, ticket)),
                on_error=lambda exc: Clock.schedule_once(lambda dt: self._failed(exc, ticket)))
        except SpeechError as exc:  # refused (looks like a contact detail) or empty: silence
            self._failed(exc, ticket)

    def _play(self, audio: Audio | None, ticket: int) -> None:
        if ticket != self._ticket:
            return  # stopped (a tap, a new screen) while the WAV was being made
        sound = self._load(str(audio.path)) if audio is not None else None
        if sound is None:
            self._finished(ticket)
            return
        self._sound = sound
        sound.volume = self.volume
        sound.bind(on_stop=lambda *_: self._finished(ticket))
        sound.play()

    def _failed(self, exc: SpeechError, ticket: int) -> None:
        log.warning("read-aloud: %s", exc)  # the speech module's message names no text
        self._finished(ticket)

    def _finished(self, ticket: int) -> None:
        if ticket == self._ticket:
            self.state = "idle"
            self.done = True
            self._drop_sound()

    def stop(self) -> None:
        """Silence now: queued rendering dropped, playback stopped. Safe to call any time."""
        self._ticket += 1
        if self.speaker is not None:
            self.speaker.stop()
        self._drop_sound()
        self.state = "idle"

    def _drop_sound(self) -> None:
        sound, self._sound = self._sound, None
        if sound is not None:
            if sound.state == "play":
                sound.stop()
            sound.unload()

    def new_screen(self) -> None:
        """A different screen (or language): stop, and offer "Read aloud" again."""
        self.stop()
        self.done = False

    def test_speaker(self) -> str:
        """Staff "Test speaker": play the probe WAV; a sentence for the staff screen."""
        if self.speaker is None:
            return "Read-aloud is not set up on this kiosk."
        probe = write_probe_wav(Path(self.speaker.cache_dir) / "probe.wav")
        sound = self._load(str(probe))
        if not audio_available(sound):
            self.audio_ok = False
            return "No audio device was found: the kiosk works silently and read-aloud is off."
        sound.play()
        return "The audio device played the test sound."
