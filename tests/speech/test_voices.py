"""For each language with a voice, the FFT screen is read as real audio in that language's voice."""
from __future__ import annotations

import re
import subprocess

import pytest

from kiosk.speech import screen_script, voices

from .wavstats import measure

VOICES = voices()


def fft_question(survey):
    return next(q for q in survey.questions if q.kind == "fft")


@pytest.mark.parametrize("language", sorted(VOICES))
def test_fft_screen_is_real_speech_in_the_languages_voice(language, survey, speaker, runner):
    assert language in survey.languages, f"the default survey has no {language} text"
    lines = screen_script(fft_question(survey), language)
    assert len(lines) == 7  # the question, then the six answers by meaning

    audio = speaker.render(lines, language)

    assert audio is not None and audio.source == "espeak-ng"
    assert audio.voice == VOICES[language] and runner.voices() == [VOICES[language]]
    level = measure(audio.path)
    # Seven phrases with pauses: several seconds, loud, mostly sound rather than silence.
    assert 3.0 < level.duration < 40.0, level
    assert level.rms > 1000 and level.peak > 8000, level
    assert level.active > 0.4, level


#: An acronym in brackets, e.g. "(BSL)": spoken letter by letter in English on purpose.
ACRONYM = re.compile(r"[(（]\s*[A-Z]{2,}\s*[)）]")


@pytest.mark.parametrize("language", sorted(VOICES))
def test_the_voice_reads_every_screen_without_falling_back_to_english(language, survey):
    """espeak-ng marks a switch to another language's rules with "(en)": for non-English
    text that means words spelt out in English (what the plain cmn voice does with hanzi)."""
    if language.startswith("en"):
        pytest.skip("English is English")
    lines = [ACRONYM.sub("", line) for q in survey.questions for line in screen_script(q, language)]
    argv = ["espeak-ng", "-q", "-x", "-b", "1", "--stdin", "-v", VOICES[language]]
    phonemes = subprocess.run(argv, input="\n\n".join(lines).encode(), capture_output=True,
                              check=True).stdout.decode()
    assert "(en)" not in phonemes, phonemes


def test_every_configured_voice_is_installed():
    """The registry's voice ids (locales/languages.toml) are ones `espeak-ng --voices` lists."""
    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, check=True, text=True)
    installed = {row.split()[1] for row in listing.stdout.splitlines()[1:] if row.strip()}
    assert set(VOICES.values()) <= installed, set(VOICES.values()) - installed
