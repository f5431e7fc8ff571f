"""Wiring: the objects the App is given (config, survey, store, status, PIN guard, content).

The App never builds these itself, so tests can hand it a temporary store and an injected
clock, and `kiosk selftest` can hand it the installed configuration with ``test=True``.
The store is reached only through ``Services.submit``, which runs ``SealedStore.add`` on a
worker thread (STYLE.md habit 11) and reports the outcome back on the UI thread.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kiosk.config import KioskConfig, update_config
from kiosk.content import ContentStore
from kiosk.errors import PatientVoiceError
from kiosk.pin import PinGuard, lockout_path
from kiosk.record import ResponseRecord
from kiosk.session import BurstDetector, DeviceInfo, RespondentSession
from kiosk.status import StatusFile, gather
from kiosk.survey import Survey, load_survey

log = logging.getLogger(__name__)


@dataclass
class Services:
    survey: Survey
    device: DeviceInfo
    add_record: Callable[[ResponseRecord], Any]  # durable when it returns (SealedStore.add)
    languages: tuple[str, ...]
    default_language: str
    idle_seconds: float = 90
    warning_seconds: float = 30
    pin_hash: str | None = None
    pin_guard: PinGuard = field(default_factory=PinGuard)
    clock: Callable[[], float] = time.time
    test: bool = False  # records are flagged "test" (kiosk selftest)
    content: ContentStore | None = None
    status: StatusFile | None = None
    config: KioskConfig | None = None
    #: read-aloud (kiosk.speech.Speaker, WAV cache in the data dir); None: no speaker button
    speaker: Any = None
    burst: BurstDetector = field(default_factory=BurstDetector)
    #: background uploads (sync.runner.SyncRunner); None when not enrolled, or in tests
    sync: Any = None
    #: the organisation's short name for the top bar (config [kiosk] organisation)
    organisation: str | None = None
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="pv-store"))
    saves: list[Future] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def make_session(self) -> RespondentSession:
        return RespondentSession(self.survey, self.device, self.submit, clock=self.clock,
                                 test=self.test, burst=self.burst)

    def submit(self, record: ResponseRecord) -> None:
        """The session's submit callback: never blocks the frame."""
        future = self._pool.submit(self.add_record, record)
        with self._lock:
            self.saves = [f for f in self.saves if not f.done()] + [future]
        future.add_done_callback(self._log_outcome)

    def _log_outcome(self, future: Future) -> None:
        exc = future.exception()
        if exc is None:
            if self.sync is not None:
                self.sync.wake()  # stored durably: upload soon if the network allows
            return
        # The technical detail goes to the log and the status file; never the record itself.
        log.error("saving a response failed: %s", exc)
        if self.status is not None:
            try:
                self.status.record_error(f"saving a response failed: {exc}", time.time())
            except PatientVoiceError:
                log.exception("could not write the status file either")

    def wait_for_saves(self, timeout: float = 30.0) -> list[BaseException | None]:
        with self._lock:
            pending = list(self.saves)
        return [f.exception(timeout=timeout) for f in pending]

    def open_store(self, on_error: Callable[[BaseException], None]) -> None:
        """Open a deferred store now, on the store thread: before any response reaches it (the
        thread runs its jobs in order). A failure goes to the log, the status file (needs IT)
        and ``on_error``: the app then shows its "please ask a member of staff" screen."""
        opener = getattr(self.add_record, "__self__", None)
        if not isinstance(opener, DeferredStore):
            return

        def done(future: Future) -> None:
            exc = future.exception()
            if exc is None:
                return
            log.error("the response store cannot be opened: %s", exc)
            if self.status is not None:
                try:
                    self.status.update(last_error=f"the response store cannot be opened: {exc}",
                                       last_error_at=time.time(), needs_it=True)
                except PatientVoiceError:
                    log.exception("could not write the status file either")
            on_error(exc)

        self._pool.submit(opener.open).add_done_callback(done)

    def start_background(self) -> None:
        """The sync agent's thread (it never touches widgets; the staff screen reads status)."""
        if self.sync is not None:
            self.sync.start()

    def stop_background(self) -> None:
        """Every accepted response on disk first, then the sync thread stopped."""
        self._pool.shutdown(wait=True)
        if self.sync is not None:
            self.sync.stop()

    def content_items(self, language: str) -> list[Any]:
        if self.content is None:
            return []
        return self.content.you_said_we_heard(language)

    def staff_facts(self) -> dict[str, Any]:
        """Counts and times for the staff screen (no answers): run it off the UI thread."""
        if self.config is None:
            return {"device": self.device.device_id, "location": self.device.location_code}
        return gather(self.config, time.time())

    def change_location(self, code: str) -> None:
        if self.config is None:
            raise PatientVoiceError("this kiosk has no config file to change")
        self.config = update_config({"device": {"location": code}}, self.config.path)
        self.device = DeviceInfo(self.device.device_id, self.device.site_code, code)


def services_from_config(cfg: KioskConfig, *, test: bool = False) -> Services:
    """Everything a real kiosk needs, from its one config file."""
    responses, contacts = cfg.sealers()
    cfg.kiosk.data_dir.mkdir(parents=True, exist_ok=True)
    store = DeferredStore(cfg.store_path, responses, contacts)
    content = ContentStore(cfg.kiosk.data_dir)
    survey = content.survey() or load_survey(cfg.kiosk.survey)
    device = DeviceInfo(cfg.device.id or "unenrolled", cfg.device.site or "",
                        cfg.device.location or "")
    languages = tuple(t for t in cfg.kiosk.languages if t in survey.languages) or \
        (survey.default_language,)
    default = cfg.kiosk.default_language if cfg.kiosk.default_language in languages \
        else survey.default_language
    return Services(survey=survey, device=device, add_record=store.add, languages=languages,
                    default_language=default, idle_seconds=cfg.kiosk.idle_seconds,
                    warning_seconds=cfg.kiosk.warning_seconds, pin_hash=cfg.staff.pin_hash,
                    # beside the config: a restart does not reset wrong tries or a lock-out
                    pin_guard=PinGuard(state_path=lockout_path(cfg.path)),
                    test=test, content=content, status=StatusFile(cfg.status_path), config=cfg,
                    sync=None if test else _sync_runner(cfg, store, content),
                    speaker=_speaker(cfg), organisation=cfg.kiosk.organisation)


class _Lazy:
    """Builds its object on first use, once, under a lock (the UI thread, the store thread and
    the sync thread may all ask first)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build, self._made, self._lock = build, None, threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._made is None:
                self._made = self._build()
            return self._made


class DeferredStore(_Lazy):
    """The sealed store, opened on first use: the app opens it just after its first frame
    (``Services.open_store``). Importing sqlite-utils and opening the file are not needed to
    draw the welcome screen (bench/ui.py start-up figure). Every other attribute is the
    opened ``SealedStore``'s, so the sync agent uses it as it is."""

    def __init__(self, path: Any, responses: Any, contacts: Any) -> None:
        def build() -> Any:
            from kiosk.store import SealedStore

            return SealedStore(path, responses, contacts)

        super().__init__(build)

    def open(self) -> Any:
        return self.get()

    def add(self, record: ResponseRecord) -> Any:
        return self.get().add(record)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.get(), name)


def _speaker(cfg: KioskConfig) -> Any:
    """Read-aloud with its WAV cache in the data dir (file names are hashes, never text)."""
    from kiosk.speech import Speaker

    return Speaker(cfg.kiosk.data_dir / "speech-cache")


def _sync_runner(cfg: KioskConfig, store: Any, content: ContentStore) -> Any:
    """The background uploader for an enrolled kiosk; None (and a log line) otherwise."""
    if not cfg.enrolled:
        log.warning("this kiosk is not enrolled: responses stay sealed on it until `kiosk enrol`")
        return None
    return DeferredSyncRunner(cfg, store, content)


class DeferredSyncRunner(_Lazy):
    """The sync agent's runner, built when it starts (the app starts it after the first frame).

    Building it imports the HTTP stack (requests, urllib3, ssl: about a tenth of a second), which
    the welcome screen does not need. A wake-up before then is not needed: the first round
    runs as soon as the thread starts."""

    def __init__(self, cfg: KioskConfig, store: Any, content: ContentStore) -> None:
        def build() -> Any:
            from sync.runner import SyncRunner, build_agent

            return SyncRunner(build_agent(cfg, store=store, content=content))

        super().__init__(build)

    @property
    def runner(self) -> Any:
        return self._made

    def start(self) -> None:
        self.get().start()

    def wake(self) -> None:
        if self.runner is not None:
            self.runner.wake()

    def stop(self, timeout: float = 10.0) -> None:
        if self.runner is not None:
            self.runner.stop(timeout)

    @property
    def alive(self) -> bool:
        return self.runner is not None and self.runner.alive

    @property
    def state(self) -> str:
        return self.runner.state if self.runner is not None else "not started"
