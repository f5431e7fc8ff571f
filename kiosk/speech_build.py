"""Build-time read-aloud helpers behind ``python -m kiosk.speech``: pre-render WAVs for the
survey and the UI's fixed prompts, and list what a human must record for a language with no
voice. Kept apart from kiosk/speech.py, which is what the kiosk runs."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kiosk.errors import PatientVoiceError
from kiosk.speech import ROOT, Speaker, SpeechParams, recording_name, screen_script


def prerender(survey: Any, out: Path, *, prompts: dict[str, list[str]] | None = None,
              languages: Sequence[str] = (), params: SpeechParams | None = None) -> int:
    """Render, one WAV per line, every line of every question screen of ``survey`` and every
    fixed UI prompt (``prompts``: language -> texts) in each language with a voice, into ``out``
    (the cache layout: pass ``out`` as ``Speaker(prerendered=...)``; a screen whose lines are
    all there is then joined in milliseconds). Returns the number of files made."""
    speaker = Speaker(out, params=params or SpeechParams(), max_cache_bytes=2**62)
    made = 0
    for language in languages or survey.languages:
        lines = {line for q in survey.questions for line in screen_script(q, language)}
        lines |= set((prompts or {}).get(language, ()))
        for line in sorted(lines):
            audio = speaker.synthesise(line, language)
            made += audio is not None and not audio.cached
    return made


def ui_prompts(languages: Iterable[str], localedir: Path) -> dict[str, list[str]]:
    """The fixed UI texts of each language's gettext catalogue (English: the template).
    Texts with placeholders are filled in at run time, so they are left out."""
    from babel.messages.pofile import read_po

    prompts: dict[str, list[str]] = {}
    for language in languages:
        name = "messages.pot" if language == "en" else f"{language}/LC_MESSAGES/messages.po"
        if not (localedir / name).is_file():
            continue
        with (localedir / name).open("rb") as handle:
            catalog = read_po(handle)
        texts = [m.id if language == "en" else m.string for m in catalog
                 if m.id and isinstance(m.id, str) and not m.fuzzy]
        prompts[language] = [t for t in texts if t and "{" not in t]
    return prompts


def recordings_needed(survey: Any, language: str) -> list[tuple[str, str]]:
    """(file name, text) of every line a human must record for ``language``."""
    seen: dict[str, str] = {}
    for question in survey.questions:
        for line in screen_script(question, language):
            seen.setdefault(recording_name(line), line)
    return sorted(seen.items(), key=lambda item: item[1])


def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.survey import load_survey

    parser = argparse.ArgumentParser(prog="python -m kiosk.speech")
    commands = parser.add_subparsers(dest="command", required=True)
    pre = commands.add_parser("prerender", help="render every question screen to WAV files")
    pre.add_argument("--survey", type=Path, required=True)
    pre.add_argument("--out", type=Path, required=True)
    pre.add_argument("--locales", type=Path, default=ROOT / "locales",
                     help="gettext catalogues whose fixed prompts are rendered too")
    pre.add_argument("--languages", help="comma-separated tags (default: all the survey's)")
    rec = commands.add_parser("recordings", help="list the files a human must record")
    rec.add_argument("--survey", type=Path, required=True)
    rec.add_argument("--lang", required=True)
    args = parser.parse_args(argv)
    try:
        survey = load_survey(args.survey)
        if args.command == "prerender":
            languages = args.languages.split(",") if args.languages else survey.languages
            prompts = ui_prompts(languages, args.locales)
            made = prerender(survey, args.out, prompts=prompts, languages=languages)
            print(f"{made} new WAV file(s) in {args.out}")
        else:
            for name, text in recordings_needed(survey, args.lang):
                print(f"{args.lang}/{name}\t{text}")
    except PatientVoiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0



if __name__ == "__main__":
    raise SystemExit(main())
