"""Global options that may stand before or after the command, as people type them.

``kiosk --config F enrol ...`` and ``kiosk enrol --config F ...`` mean the same. argparse alone
accepts a parser's options only before its sub-command, so ``share_global_options`` adds each
global option to every sub-command (and theirs, all the way down) as well. The copies default to
``argparse.SUPPRESS``: a sub-command that was not given the option leaves the value parsed
before it (or the top-level default) alone; given in both places, the later one wins.

Used by kiosk/cli.py and central/cli.py, so it imports nothing of Patient Voice.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable

#: Adds the global options to a parser; the flag says whether it is the top-level parser (real
#: defaults) or a sub-command (``default_or_suppress`` gives ``argparse.SUPPRESS``).
Define = Callable[[argparse.ArgumentParser, bool], None]


def share_global_options(parser: argparse.ArgumentParser, define: Define) -> None:
    """Call once the sub-commands exist: ``define(parser, True)`` on the top-level parser and
    ``define(sub, False)`` on every sub-command parser below it."""
    define(parser, True)
    for sub in _subcommands(parser):
        _share_below(sub, define)


def _share_below(parser: argparse.ArgumentParser, define: Define) -> None:
    define(parser, False)
    for sub in _subcommands(parser):
        _share_below(sub, define)


def _subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    # argparse has no public way to list a parser's sub-parsers; _SubParsersAction.choices is
    # the registry add_parser fills, unchanged since Python 3.2.
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if sub not in found:  # aliases point at the same parser
                    found.append(sub)
    return found


def default_or_suppress(top: bool, default: object) -> object:
    """The default for one copy of a global option: the real one only on the top level."""
    return default if top else argparse.SUPPRESS
