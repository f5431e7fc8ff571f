"""Caching, privacy, recorded audio, the worker and the prerender CLI, with the real espeak-ng."""
from __future__ import annotations

import json
import re
import threading

import pytest

from kiosk.errors import SpeechError, SpeechRefusedError
from kiosk.speech import (
    Speaker,
    no_voice,
    recording_name,
    screen_script,
    speakable,
    staff_report,
    voices,
)

from .wavstats import measure, tone

WELSH = ("Sut oedd eich profiad?", "Da iawn", "Da")


def test_a_cache_hit_does_not_run_espeak_again(speaker, runner):
    first = speaker.render(WELSH, "cy")
    second = speaker.render(WELSH, "cy")
    assert len(runner.calls) == 1
    assert (first.cached, second.cached) == (False, True) and first.path == second.path


def test_the_cache_key_covers_text_voice_and_parameters(tmp_path, runner):
    slow = Speaker(tmp_path / "c", runner=runner)
    fast = Speaker(tmp_path / "c", runner=runner, params=type(slow.params)(speed=180))
    paths = {slow.render("Good", "en").path, slow.render("Good", "pl").path,
             slow.render("Very good", "en").path, fast.render("Good", "en").path}
    assert len(paths) == 4 and len(runner.calls) == 4


def test_cache_file_names_reveal_no_text(speaker):
    speaker.render(WELSH, "cy")
    speaker.render("Overall, how was your experience of our service?", "en")
    names = [p.name for p in speaker.cache_dir.iterdir()]
    assert len(names) == 2
    assert all(re.fullmatch(r"[0-9a-f]{64}\.wav", name) for name in names), names


def test_text_goes_to_espeak_through_stdin_not_argv(speaker, runner):
    speaker.render("Very good", "en")
    assert not any("Very" in arg for arg in runner.calls[0])


@pytest.mark.parametrize("language", no_voice())
def test_no_voice_and_no_recording_means_no_audio(speaker, runner, language):
    assert not speaker.availability(language).available
    assert "no voice and no recorded audio" in speaker.availability(language).reason
    assert speaker.render("Sidee ayey ahayd?", language) is None
    assert not speaker.can_read(["Sidee ayey ahayd?"], language)
    assert runner.calls == []


@pytest.mark.parametrize("language", no_voice())
def test_a_recording_of_every_line_is_played_for_a_language_with_no_voice(
        speaker, recordings, runner, survey, language):
    fft = next(q for q in survey.questions if q.kind == "fft")
    lines = screen_script(fft, language if language in survey.languages else "en")
    for line in lines:
        tone(recordings / language / recording_name(line), 0.5)

    audio = speaker.render(lines, language)

    assert speaker.availability(language).source == "recording"
    assert audio.source == "recording" and audio.voice is None and runner.calls == []
    level = measure(audio.path)
    assert level.duration == pytest.approx(7 * 0.5 + 6 * speaker.params.gap_ms / 1000, abs=0.01)
    assert level.rms > 3000 and level.peak > 10000
    assert speaker.render(lines, language).cached


def test_half_a_screen_of_recordings_is_not_played(speaker, recordings):
    tone(recordings / "so" / recording_name("Aad u fiican"), 0.3)
    assert speaker.render(["Aad u fiican"], "so") is not None
    assert speaker.render(["Aad u fiican", "Fiican"], "so") is None


def test_recordings_of_different_formats_give_a_clear_error(speaker, recordings):
    tone(recordings / "ckb" / recording_name("a"), 0.2, rate=22050)
    tone(recordings / "ckb" / recording_name("b"), 0.2, rate=44100)
    with pytest.raises(SpeechError, match="convert all recordings to one format"):
        speaker.render(["a", "b"], "ckb")


def test_personal_fields_are_never_speakable():
    for kind, field in [("contact", "name"), ("contact", "value"), ("contact", "needs_other"),
                        ("involvement", "name"), ("involvement", "value"),
                        ("free_text", "text"), ("free_text", "choice")]:
        assert not speakable(kind, field), (kind, field)
    assert speakable("contact") and speakable("contact", "needs")
    assert speakable("involvement", "interests") and speakable("fft", "choice")


@pytest.mark.parametrize("detail", ["Call me on 07700 900123", "jo.bloggs@example.org"])
def test_contact_details_are_refused_without_repeating_them(speaker, runner, detail):
    with pytest.raises(SpeechRefusedError) as caught:
        speaker.render(["How can we contact you?", detail], "en")
    with pytest.raises(SpeechRefusedError):
        speaker.request(detail, "en", on_ready=lambda audio: None)
    assert detail not in str(caught.value) and runner.calls == []


def test_request_renders_off_the_calling_thread(speaker):
    done = threading.Event()
    seen = {}

    def on_ready(audio):
        seen.update(audio=audio, thread=threading.current_thread().name)
        done.set()

    speaker.request(WELSH, "cy", on_ready)
    assert done.wait(10)
    assert seen["thread"] == "speech" and measure(seen["audio"].path).rms > 1000
    speaker.close()


def test_stop_cancels_queued_and_running_work(tmp_path):
    started, release = threading.Event(), threading.Event()

    def slow_runner(argv, **kwargs):
        import subprocess
        started.set()
        release.wait(10)
        return subprocess.run(argv, **kwargs)

    speaker = Speaker(tmp_path / "c", runner=slow_runner)
    ready, last = [], threading.Event()
    speaker.request("Good", "en", ready.append)
    assert started.wait(10)
    speaker.request("Very good", "en", ready.append)
    speaker.stop()  # "Good" is being made, "Very good" is queued: neither may arrive
    release.set()
    speaker.request("Poor", "en", lambda audio: (ready.append(audio), last.set()))
    assert last.wait(10)
    speaker.close()
    assert [a.path for a in ready] == [speaker.render("Poor", "en").path]


def test_a_missing_espeak_is_reported_not_crashed(tmp_path, recordings):
    speaker = Speaker(tmp_path / "c", recordings=recordings, espeak="/nonexistent/espeak-ng")
    assert "espeak-ng is not installed" in speaker.availability("cy").reason
    with pytest.raises(SpeechError, match="espeak-ng could not run"):
        speaker.render("Da iawn", "cy")
    assert list((tmp_path / "c").iterdir()) == []  # no half-written file left behind


def test_staff_report_names_the_missing_device_and_the_silent_languages(speaker):
    report = staff_report(speaker, ["en", "cy", "so", "ckb"], loaded_sound=None)
    assert report[0].startswith("No audio device")
    assert [line.split(":")[0] for line in report[1:]] == ["so", "ckb"]
    assert staff_report(speaker, ["en", "cy"], loaded_sound=object()) == []


def test_fft_options_are_read_by_meaning_in_code_order(survey):
    fft = next(q for q in survey.questions if q.kind == "fft")
    assert screen_script(fft, "en") == (
        "Overall, how was your experience of our service?", "Very good", "Good",
        "Neither good nor poor", "Poor", "Very poor", "Don't know")


def test_prerender_cli_fills_the_cache_the_kiosk_reads(tmp_path, runner, survey):
    from kiosk.speech_build import main
    from tests.speech.conftest import FFT_SURVEY

    keep = [lang for lang in ("en", "cy", "so") if lang in survey.languages]
    data = json.loads(FFT_SURVEY.read_text(encoding="utf-8"))
    data["questions"] = [q for q in data["questions"] if q["id"] in ("fft", "why")]
    data = _only_languages(data, set(survey.languages), keep)
    small = tmp_path / "small.json"
    small.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    locales = tmp_path / "locales"
    (locales / "cy" / "LC_MESSAGES").mkdir(parents=True)
    (locales / "cy" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid "Read aloud"\nmsgstr "Darllen yn uchel"\n\n'
        'msgid "Question {number} of {total}"\nmsgstr "Cwestiwn {number} o {total}"\n')

    assert main(["prerender", "--survey", str(small), "--out", str(tmp_path / "pre"),
                 "--locales", str(locales)]) == 0

    # One WAV per line: FFT question + 6 answers, the why question + its help; and the one
    # Welsh UI prompt without placeholders.
    voiced = sum(lang in voices() for lang in keep)
    assert len(list((tmp_path / "pre").glob("*.wav"))) == 9 * voiced + 1
    kiosk = Speaker(tmp_path / "cache", prerendered=tmp_path / "pre", runner=runner)
    fft = next(q for q in survey.questions if q.kind == "fft")
    assert kiosk.render(screen_script(fft, "cy"), "cy").cached
    assert kiosk.render("Darllen yn uchel", "cy").cached and runner.calls == []


def test_a_screen_with_one_new_line_joins_the_rest_from_single_lines(speaker, runner):
    for line in WELSH:
        speaker.render(line, "cy")
    runner.calls.clear()
    audio = speaker.render(("Cwestiwn 1 o 12",) + WELSH, "cy")
    assert len(runner.calls) == 1 and not audio.cached  # only the new line was rendered
    singles = sum(measure(speaker.render(line, "cy").path).duration for line in WELSH)
    assert measure(audio.path).duration > singles + 3 * speaker.params.gap_ms / 1000


def _only_languages(node, every: set[str], keep: list[str]):
    """The survey cut down to the languages in ``keep`` (texts are dicts keyed by language)."""
    if isinstance(node, dict):
        if node and set(node) <= every:
            return {lang: text for lang, text in node.items() if lang in keep}
        return {key: _only_languages(value, every, keep) for key, value in node.items()}
    if isinstance(node, list):
        if node and all(isinstance(v, str) for v in node) and set(node) <= every:
            return [lang for lang in node if lang in keep]  # the "languages" list
        return [_only_languages(value, every, keep) for value in node]
    return node


def test_an_unusable_cache_folder_is_a_clear_speech_error(tmp_path, recordings):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    speaker = Speaker(blocker / "cache", recordings=recordings)
    with pytest.raises(SpeechError, match="cache .* cannot be used"):
        speaker.render("Good", "en")


def test_a_half_written_file_from_a_power_cut_is_cleared(tmp_path, recordings):
    import os

    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / ".part-abc.wav"
    stale.write_bytes(b"RIFF")
    os.utime(stale, (0, 0))
    Speaker(cache, recordings=recordings).render("Good", "en")
    assert not stale.exists()
