"""Running the sync agent: a background thread for the kiosk app, and `kiosk sync [--once]`.

The thread never touches widgets: the app reads the status file (or ``SyncRunner.state``) and
schedules its own redraw. ``wake()`` asks for a round now (e.g. a response was just stored); it
shortens the normal wait between rounds but never a backoff the server asked for.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.errors import ConfigError, PatientVoiceError
from sync.agent import Backoff, SyncAgent, reachable
from sync.client import CentralClient
from sync.protocol import DeviceRevokedError, TransientSyncError

log = logging.getLogger("sync.runner")


class SyncRunner:
    IDLE, SYNCING, WAITING, REVOKED, STOPPED = "idle", "syncing", "waiting", "revoked", "stopped"

    def __init__(
        self,
        agent: SyncAgent,
        *,
        interval: float = 60.0,
        backoff: Backoff | None = None,
        probe_interval: float = 5.0,
        probe: Callable[[str], bool] = reachable,
    ) -> None:
        self.agent, self.interval, self.probe_interval = agent, interval, probe_interval
        self.backoff = backoff or Backoff()
        self._probe = probe
        self._stop, self._wake = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self.state = self.IDLE
        self.rounds = 0

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="sync-agent", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """The loop (in the calling thread). Returns on stop() or when the device is revoked."""
        while not self._stop.is_set():
            self.state = self.SYNCING
            try:
                self.agent.run_round(self._stop)
                self.rounds += 1
                self.backoff.reset()
                # ±20 %: hundreds of kiosks started together (a power cut, a central restart)
                # drift apart instead of arriving in lockstep every minute.
                self._wait(self.interval * random.uniform(0.8, 1.2), backoff=False, probe=False)
            except DeviceRevokedError:
                log.error("device revoked by the central record: uploads stopped, records kept")
                self.state = self.REVOKED
                return
            except TransientSyncError as exc:
                delay = self.backoff.next_delay(exc.retry_after)
                log.warning("sync failed (%s); next try in %.1f s", exc, delay)
                self._wait(delay, backoff=True, probe=exc.retry_after is None)
            except PatientVoiceError as exc:  # protocol or store trouble: keep trying, slowly
                delay = self.backoff.next_delay()
                log.error("sync error (%s); next try in %.1f s", exc, delay)
                self._wait(delay, backoff=True, probe=False)
            except Exception:  # noqa: BLE001 - a bug must not silently kill the kiosk's sync
                delay = self.backoff.next_delay()
                log.exception("unexpected error in the sync agent; next try in %.1f s", delay)
                self._wait(delay, backoff=True, probe=False)
        self.state = self.STOPPED

    def _wait(self, delay: float, *, backoff: bool, probe: bool) -> None:
        self.state = self.WAITING
        deadline = time.monotonic() + delay
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            step = min(remaining, self.probe_interval) if probe else remaining
            if self._wake.wait(step):
                self._wake.clear()
                if not backoff or self._stop.is_set():
                    return
            elif probe and self._probe(self.agent.client.base_url):
                log.info("central record reachable again: syncing now")
                return


def build_agent(cfg: Any, *, session: Any = None, store: Any = None,
                content: Any = None) -> SyncAgent:
    """The agent for an enrolled kiosk's config (``kiosk.config.KioskConfig``). The kiosk app
    passes the store and ContentStore it already has open; `kiosk sync` opens its own."""
    from kiosk.content import ContentStore
    from kiosk.status import StatusFile
    from kiosk.store import SealedStore

    if not cfg.enrolled or not cfg.central.token:
        raise ConfigError(f"{cfg.path}: this kiosk is not enrolled; run `kiosk enrol` or ask IT")
    if store is None:
        store = SealedStore(cfg.store_path, *cfg.sealers())
    client = CentralClient(
        cfg.central.url,
        cfg.central.token,
        session=session,
        ca_bundle=None if cfg.central.ca_bundle is None else str(cfg.central.ca_bundle),
    )
    return SyncAgent(
        store,
        client,
        status=StatusFile(cfg.status_path),
        content=content if content is not None else ContentStore(cfg.kiosk.data_dir),
        data_dir=cfg.kiosk.data_dir,
        config_path=cfg.path,
    )


def sync_forever(config: Any, stop: threading.Event, *, interval: float = 60.0,
                 poll: float = 30.0, backoff: Backoff | None = None) -> None:
    """`kiosk sync` as a service: sync until ``stop``. A revoked kiosk keeps its records and
    waits for IT to enrol it again (the config file changes), then carries on, so a service
    manager's restart loop is never needed."""
    from kiosk.config import config_path, load_config

    path = config_path(config)
    while not stop.is_set():
        cfg = load_config(path)
        agent = build_agent(cfg)
        # Even when the status file says revoked, try: a 401 costs one request, and IT may have
        # fixed the config by hand.
        runner = SyncRunner(agent, interval=interval, backoff=backoff)
        print(f"kiosk sync: syncing with {agent.client.base_url} every {interval:g} s")
        runner.start()
        while runner.alive and not stop.wait(0.5):
            pass
        runner.stop()
        if stop.is_set():
            return
        print("kiosk sync: revoked by the central record; records kept; waiting for `kiosk enrol`")
        _wait_for_new_token(path, cfg.central.token, stop, poll)


def _wait_for_new_token(path: Any, token: str | None, stop: threading.Event, poll: float) -> None:
    from kiosk.config import load_config

    while not stop.wait(poll):
        try:
            if load_config(path).central.token != token:
                return
        except PatientVoiceError as exc:  # a config IT is still editing: look again later
            log.warning("config unreadable while waiting for enrolment: %s", exc)


def sync_main(args: Any) -> int:
    from kiosk.config import load_config

    if not args.once:
        sync_forever(getattr(args, "config", None), threading.Event())
        return 0
    agent = build_agent(load_config(getattr(args, "config", None)))
    if agent.status is not None and agent.status.read().revoked:
        print(
            "kiosk sync: this kiosk was revoked by the central record; its records are kept."
            " Ask IT to enrol it again (`kiosk enrol`)."
        )
        return 3
    before = agent.store.count_pending()
    report = agent.run_round()
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts.items())) or "nothing to send"
    print(
        f"kiosk sync: {before} pending before; sent {report.sent} in {report.batches} batch(es)"
        f" ({counts}); {agent.store.count_pending()} pending now"
    )
    return 0
