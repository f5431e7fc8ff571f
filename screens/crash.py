"""What a respondent sees if the kiosk itself fails: a calm full-screen message, never a traceback.

``install_crash_screen(app)`` registers a Kivy exception handler. On an uncaught exception in the
event loop it logs the traceback safely (``kiosk.logs``: frames only, no local variables, no
foreign exception messages), covers the screen with "Something went wrong. Please ask a member of
staff." in the current language (and in English for staff), and after ``restart_seconds`` stops
the App so the service manager starts a fresh process (systemd ``Restart=always``, see
docs/deploy.md): whatever state broke is gone, every saved response is still in the store.

The panel uses plain Kivy widgets, not the app's own, because those may be what failed; only
the message itself is a BidiLabel (a plain Label cannot centre wrapped right-to-left lines, nor
lay out mixed runs), and if that cannot be made, a plain Label with the language's font. If even
the panel cannot be shown the exception is re-raised: the process ends and is restarted, which
is still better than a frozen or half-drawn screen. A watchdog ends the process if the event
loop is too broken to stop on its own.

It also makes SIGTERM (`systemctl stop`, a shutdown) stop the App in order: SDL turns SIGTERM into
a window-close request, which the kiosk vetoes, so without a handler the process ignores it until
systemd's timeout SIGKILLs it, possibly in the middle of saving a response.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk.i18n import N_
from kiosk.logs import log_exception

log = logging.getLogger(__name__)
#: The one sentence; already in every catalogue (it is PatientVoiceError.user_message too).
MESSAGE = N_("Something went wrong. Please ask a member of staff.")
RESTART_SECONDS = 20.0  # long enough for staff to notice, short enough not to lose a visitor
WATCHDOG_GRACE = 15.0  # after RESTART_SECONDS: end the process if the App could not stop
CRASH_EXIT_CODE = 70  # EX_SOFTWARE, used only by the watchdog
LOG_FIRST = 5  # exceptions in a row logged in full; then one line every LOG_EVERY
LOG_EVERY = 100

_KV = str(Path(__file__).with_suffix(".kv"))


class CrashPanel(ModalView):
    """The full-screen message: translated sentence, English for staff, a reference for IT."""

    message = StringProperty("")
    language = StringProperty("en")  # of the message
    english = StringProperty("")  # empty when the message is already in English
    reference = StringProperty("")
    english_font = StringProperty("Roboto")


def _bidi_label(text: str, tag: str, font_size: float, color: Any) -> Widget:
    from screens.bidi_label import BidiLabel

    return BidiLabel(
        text=text, lang=tag, font_size=font_size, color=color, halign="center", size_hint_y=None
    )


def _plain_label(text: str, tag: str, font_size: float, color: Any) -> Widget:
    from kiosk.languages import get_language

    lang = get_language(tag)
    label = Label(
        text=text,
        font_name=str(lang.font),
        font_script_name=lang.script,
        font_direction=lang.direction,
        font_size=font_size,
        color=color,
        halign="center",
        size_hint_y=None,
    )
    label.bind(
        width=lambda w, width: setattr(w, "text_size", (width, None)),
        texture_size=lambda w, size: setattr(w, "height", size[1]),
    )
    return label


def message_widget(text: str, tag: str) -> Widget:
    """The sentence in ``tag``: a BidiLabel if it can be made, else a plain Label."""
    from kivy.core.window import Window

    from screens import theme

    size = min(theme.font_px(theme.NORMAL_TEXT.question), Window.width / 24)
    color = theme.hex_rgba(theme.NORMAL.text)
    try:
        return _bidi_label(text, tag, size, color)
    except Exception:  # noqa: BLE001 (BidiLabel may be what failed)
        log.warning("crash panel: BidiLabel unavailable, using a plain Label")
        return _plain_label(text, tag, size, color)


def build_panel(app: Any, reference: str) -> CrashPanel:
    """The panel in the app's current language; English alone if that language cannot be had."""
    from kiosk.i18n import translate
    from kiosk.languages import ENGLISH, get_language

    if _KV not in Builder.files:
        Builder.load_file(_KV)
    panel = CrashPanel(reference=reference, english_font=str(get_language(ENGLISH).font))
    tag = str(getattr(app, "language", "") or ENGLISH)
    try:
        get_language(tag)
        panel.message, panel.language = translate(MESSAGE, tag), tag
    except Exception:  # noqa: BLE001 (a broken language must not stop the English message)
        log.warning("crash panel: language %s unavailable, showing English", tag)
        panel.message, panel.language = translate(MESSAGE, ENGLISH), ENGLISH
    panel.english = MESSAGE if panel.message != MESSAGE else ""
    panel.ids.message_box.add_widget(message_widget(panel.message, panel.language))
    return panel


class CrashHandler(ExceptionHandler):
    """Kivy's hook for exceptions that reach the event loop (clock callbacks, touches, kv)."""

    def __init__(
        self,
        app: Any,
        restart_seconds: float = RESTART_SECONDS,
        watchdog_grace: float = WATCHDOG_GRACE,
    ) -> None:
        super().__init__()
        self.app = app
        self.restart_seconds = restart_seconds
        self.watchdog_grace = watchdog_grace
        self.panel: CrashPanel | None = None
        self.reference = ""
        self.count = 0
        self._watchdog: threading.Timer | None = None

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, KeyboardInterrupt | SystemExit):
            return ExceptionManager.RAISE
        self.count += 1
        if self.count == 1:
            self.reference = f"{time.strftime('%H%M')}-{uuid.uuid4().hex[:4]}"
        if self.count <= LOG_FIRST:
            log_exception(inst, f"the kiosk window (crash reference {self.reference})")
        elif self.count % LOG_EVERY == 0:
            log.critical("still failing: %d exceptions since crash %s", self.count, self.reference)
        if self.panel is not None:
            return ExceptionManager.PASS
        try:
            self.panel = build_panel(self.app, self.reference)
            self.panel.open(animation=False)
        except Exception as exc:  # noqa: BLE001 (nothing left to show: let the process end)
            log_exception(exc, "the crash screen itself")
            return ExceptionManager.RAISE
        self._schedule_restart()
        return ExceptionManager.PASS

    def _schedule_restart(self) -> None:
        log.critical("crash %s: the kiosk restarts in %.0f s", self.reference, self.restart_seconds)
        Clock.schedule_once(lambda dt: self._stop(), self.restart_seconds)
        self._watchdog = threading.Timer(
            self.restart_seconds + self.watchdog_grace, self._force_exit
        )
        self._watchdog.daemon = True
        self._watchdog.start()

    def cancel_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _stop(self) -> None:
        """The event loop still runs, so the App can stop in order (pending saves finish)."""
        self.cancel_watchdog()
        log.critical("crash %s: stopping the kiosk for a clean restart", self.reference)
        self.app.stop()

    def _force_exit(self) -> None:
        """Only when the event loop is wedged (the scheduled stop never ran)."""
        log.critical("crash %s: the kiosk did not stop; ending the process", self.reference)
        logging.shutdown()
        os._exit(CRASH_EXIT_CODE)


def stop_on_sigterm(app: Any) -> None:
    """SIGTERM stops ``app`` in order (pending saves finish in its on_stop). Python's handler
    wins whichever way round it and SDL's are installed: SDL keeps a handler it finds, and a
    later ``signal.signal`` replaces SDL's. Main thread only."""

    def handle(signum: int, frame: Any) -> None:
        log.info("SIGTERM: stopping the kiosk")
        Clock.schedule_once(lambda dt: app.stop())

    signal.signal(signal.SIGTERM, handle)


def install_crash_screen(
    app: Any,
    restart_seconds: float = RESTART_SECONDS,
    *,
    sigterm: bool = True,
    watchdog_grace: float = WATCHDOG_GRACE,
) -> CrashHandler:
    """Register the crash screen for ``app`` (call once, in the main thread, before
    ``app.run()``); with ``sigterm``, also ``stop_on_sigterm(app)``."""
    for old in [h for h in ExceptionManager.handlers if isinstance(h, CrashHandler)]:
        ExceptionManager.remove_handler(old)
    handler = CrashHandler(app, restart_seconds, watchdog_grace)
    ExceptionManager.add_handler(handler)
    if sigterm:
        stop_on_sigterm(app)
    return handler
