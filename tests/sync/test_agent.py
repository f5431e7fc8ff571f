"""The sync agent against the live central record on loopback (SQLite), with a real sealed store."""

from __future__ import annotations

import argparse
import logging
import os
import stat
import threading
import time
from pathlib import Path

import pytest
import requests

from kiosk.config import KioskConfig, load_config, update_config
from kiosk.status import StatusFile
from kiosk.store import InMemoryStore, SealedStore
from sync.agent import DEFAULT_BATCH, Backoff, Prepared, Submitter, SyncAgent, Uploader
from sync.client import CentralClient
from sync.enrol import enrol
from sync.protocol import BatchResult, DeviceRevokedError, TransientSyncError, WireError
from sync.runner import SyncRunner, build_agent, sync_main
from tests.central.live import LiveCentral, make_record
from tests.sync.faults import FaultProxy, is_batch


def _enrolled(central: LiveCentral, tmp_path: Path, url: str | None = None) -> KioskConfig:
    path = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, path)
    enrol(url or central.url, central.enrol(), config_path=path)
    return load_config(path)


def _fill(cfg: KioskConfig, n: int) -> list[str]:
    store = SealedStore(cfg.store_path, *cfg.sealers())
    try:
        return [
            store.add(make_record(cfg.device.id, comment=f"c{i}", fft=1 + i % 6)) for i in range(n)
        ]
    finally:
        store.close()


def test_enrol_writes_the_config_and_never_prints_the_token(
    sqlite_central: LiveCentral, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    assert cfg.enrolled and cfg.device.location == "ward-3" and cfg.device.site == "REN"
    assert cfg.central.token and cfg.central.token not in capsys.readouterr().out
    assert stat.S_IMODE(os.stat(cfg.path).st_mode) == 0o600
    assert cfg.keys.responses == sqlite_central.keys.responses.public_key().to_text()


def test_one_round_uploads_everything_once_then_purges(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    ids = _fill(cfg, 450)
    agent = build_agent(cfg)
    report = agent.run_round()
    assert report.counts == {"accepted": 450} and report.batches == -(-450 // DEFAULT_BATCH)
    assert agent.store.count_pending() == 0
    with sqlite_central.db.transaction() as tx:
        stored = {r[0] for r in tx.all("SELECT record_id FROM responses")}
    assert stored == set(ids)
    status = StatusFile(cfg.status_path).read()
    assert status.last_sync_at is not None and status.last_error is None
    assert status.content_version is not None and agent.content.survey().id == "fft"
    (view,) = sqlite_central.record.devices()
    assert view.pending == 0 and view.app_version


class _AnswersHalf(Uploader):
    """The central record's answer reaches the kiosk with every other result missing."""

    def send(self, batch: Prepared) -> BatchResult:
        result = super().send(batch)
        return BatchResult(result.batch_id, result.results[::2])


def test_records_left_out_of_an_answer_stay_pending_and_go_again_while_batches_overlap(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    store = InMemoryStore(*cfg.sealers())
    ids = [store.add(make_record(cfg.device.id, comment=f"c{i}")) for i in range(30)]
    client = CentralClient(sqlite_central.url, cfg.central.token)
    report = Submitter(store, _AnswersHalf(client), batch_size=10).submit_all()
    assert store.count_pending() == 0 and report.sent == 30
    # What the answers left out went again: stored already, so answered "duplicate".
    assert set(report.counts) == {"accepted", "duplicate"} and report.batches > 3
    with sqlite_central.db.transaction() as tx:
        stored = [r[0] for r in tx.all("SELECT record_id FROM responses")]
    assert sorted(stored) == sorted(ids)  # each once


def test_sync_once_command(
    sqlite_central: LiveCentral, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 5)
    assert sync_main(argparse.Namespace(config=str(cfg.path), once=True)) == 0
    out = capsys.readouterr().out
    assert "5 pending before; sent 5 in 1 batch(es) (5 accepted); 0 pending now" in out
    assert cfg.central.token not in out


def test_revoked_kiosk_stops_keeps_every_record_and_needs_it(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 7)
    sqlite_central.record.revoke(cfg.device.id)
    agent = build_agent(cfg)
    with pytest.raises(DeviceRevokedError):
        agent.run_round()
    assert agent.store.count_pending() == 7
    status = StatusFile(cfg.status_path).read()
    assert status.revoked and status.needs_it and "device_revoked" in status.last_error
    runner = SyncRunner(agent, interval=0.01)
    runner.run()  # returns by itself: uploads stopped
    assert runner.state == SyncRunner.REVOKED and agent.store.count_pending() == 7
    assert sync_main(argparse.Namespace(config=str(cfg.path), once=True)) == 3
    # IT enrols it again: the kept records go up under the new identity.
    assert sqlite_central.record.counts()["records"] == 0
    enrol(sqlite_central.url, sqlite_central.enrol(), config_path=cfg.path)
    cfg2 = load_config(cfg.path)
    assert cfg2.device.id != cfg.device.id and not StatusFile(cfg2.status_path).read().revoked
    report = build_agent(cfg2).run_round()
    assert report.counts == {"accepted": 7}
    assert sqlite_central.record.counts()["responses"] == 7


def test_lost_acknowledgement_is_resent_and_stored_once(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 30)
    lost = {"n": 0}

    def choose(request: bytes) -> str:
        if is_batch(request) and lost["n"] < 2:
            lost["n"] += 1
            return "ack_lost"
        return "pass"

    proxy = FaultProxy(sqlite_central.port, choose)
    agent = build_agent(load_config(cfg.path))
    agent.client = CentralClient(proxy.url, cfg.central.token)
    agent.submitter.uploader.client = agent.client
    for _ in range(2):
        with pytest.raises(TransientSyncError):
            agent.run_round()
        assert agent.store.count_pending() == 30  # nothing marked sent without an answer
    report = agent.run_round()
    assert report.counts == {"duplicate": 30}
    counts = sqlite_central.record.counts()
    assert (counts["records"], counts["responses"], counts["batches"]) == (30, 30, 1)
    proxy.close()


def test_retry_after_is_honoured_and_backoff_is_full_jitter_capped() -> None:
    b = Backoff(base=1.0, cap=8.0)
    delays = [b.next_delay() for _ in range(200)]
    assert all(0 <= d <= 8.0 for d in delays) and max(delays[10:]) > 4.0
    assert min(delays[:1]) <= 1.0
    b.reset()
    assert all(b.next_delay(retry_after=5.0) >= 5.0 for _ in range(20))


def test_503_retry_after_reaches_the_agent(sqlite_central: LiveCentral, tmp_path: Path) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 1)
    proxy = FaultProxy(sqlite_central.port, lambda r: "busy503")
    client = CentralClient(proxy.url, cfg.central.token)
    agent = SyncAgent(SealedStore(cfg.store_path, *cfg.sealers()), client)
    with pytest.raises(TransientSyncError) as err:
        agent.run_round()
    assert err.value.retry_after == 1.0 and agent.store.count_pending() == 1
    proxy.close()


def test_runner_starts_promptly_when_the_network_returns(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 3)
    sqlite_central.stop()  # the network is gone
    agent = build_agent(cfg)
    # A huge backoff: only the "network is back" probe can start the next round soon.
    runner = SyncRunner(
        agent, interval=3600, backoff=Backoff(base=600, cap=600), probe_interval=0.1
    )
    runner.backoff.failures = 5
    runner.start()
    time.sleep(0.5)
    assert agent.store.count_pending() == 3 and runner.state == SyncRunner.WAITING
    sqlite_central.start()
    deadline = time.monotonic() + 10
    while agent.store.count_pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    runner.stop()
    assert agent.store.count_pending() == 0 and not runner.alive


def test_bad_content_is_refused_and_last_good_content_stays(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    agent = build_agent(cfg)
    agent.run_round()
    good = agent.content.version()
    # A buggy central record serving settings that break WCAG timing (bypassing its validation).
    with sqlite_central.db.transaction() as tx:
        tx.execute(
            "INSERT INTO content (location, kind, body, updated_at) VALUES (?, ?, ?, ?)",
            ("ward-3", "settings", '{"idle_seconds": 5, "warning_seconds": 2}', 0.0),
        )
    _fill(cfg, 2)
    agent.run_round()  # uploads still happen
    assert agent.store.count_pending() == 0
    assert agent.content.version() == good and agent.content.settings().idle_seconds == 90
    assert agent.content.survey().id == "fft"
    status = StatusFile(cfg.status_path).read()
    assert "content update refused (ContentError)" in status.last_error
    assert status.content_version == good and status.last_sync_at is not None


def test_tls_verification_cannot_be_switched_off(tmp_path: Path) -> None:
    seen: list[object] = []

    class Capture(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(kwargs["verify"])
            raise requests.ConnectionError("captured")

    session = requests.Session()
    session.verify = False  # someone tried
    session.mount("https://", Capture())
    for bundle, expected in (
        (None, True),
        ("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt"),
    ):
        client = CentralClient(
            "https://central.example.nhs.uk", "pvt_secret", session=session, ca_bundle=bundle
        )
        with pytest.raises(TransientSyncError):
            client.content(None)
        # True may become the environment's CA bundle path (REQUESTS_CA_BUNDLE): still verifying.
        assert seen[-1] is not False and seen[-1] is not None
        if bundle:
            assert seen[-1] == expected
        assert "pvt_secret" not in repr(client)
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError):
        CentralClient("http://central.example.nhs.uk", "t")


def test_token_never_in_logs(
    sqlite_central: LiveCentral, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 3)
    caplog.set_level(logging.DEBUG)
    agent = build_agent(cfg)
    agent.run_round()
    sqlite_central.record.revoke(cfg.device.id)
    with pytest.raises(DeviceRevokedError) as err:
        agent.run_round()
    assert cfg.central.token not in caplog.text and cfg.central.token not in str(err.value)
    assert cfg.central.token not in StatusFile(cfg.status_path).path.read_text()


def test_background_runner_wakes_for_new_responses(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    agent = build_agent(cfg)
    runner = SyncRunner(agent, interval=3600)
    runner.start()
    deadline = time.monotonic() + 20  # generous: CI machines are busy
    while runner.rounds < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    _fill(cfg, 4)
    runner.wake()
    while agent.store.count_pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    runner.stop()
    assert agent.store.count_pending() == 0 and runner.rounds >= 2
    assert threading.current_thread() is threading.main_thread()


def test_a_record_that_breaks_the_protocol_never_blocks_the_others(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    cfg = _enrolled(sqlite_central, tmp_path)
    store = InMemoryStore(*cfg.sealers())
    store.add(make_record(cfg.device.id, survey_id="not a code"))  # oldest, first in every batch
    good = [store.add(make_record(cfg.device.id, comment=f"c{i}")) for i in range(5)]
    status = StatusFile(cfg.status_path)
    agent = SyncAgent(store, CentralClient(sqlite_central.url, cfg.central.token), status=status,
                      batch_size=3)
    with pytest.raises(WireError) as err:
        agent.run_round()
    assert err.value.code == "unsendable_records" and store.count_pending() == 1
    assert "unsendable_records" in status.read().last_error
    with sqlite_central.db.transaction() as tx:
        assert {r[0] for r in tx.all("SELECT record_id FROM responses")} == set(good)


def test_kiosk_cli_enrol_and_sync_once(sqlite_central: LiveCentral, tmp_path: Path,
                                       capsys: pytest.CaptureFixture) -> None:
    from kiosk.cli import main

    path = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, path)
    code = sqlite_central.enrol(location="ward-9")
    enrol_args = ["--config", str(path), "enrol", "--central", sqlite_central.url, "--code", code]
    assert main(enrol_args) == 0
    assert "ward-9" in capsys.readouterr().out
    assert main(enrol_args) == 2
    assert "invalid_code" in capsys.readouterr().err
    _fill(load_config(path), 3)
    assert main(["--config", str(path), "sync", "--once"]) == 0
    assert "sent 3" in capsys.readouterr().out
    sqlite_central.stop()
    _fill(load_config(path), 1)
    assert main(["--config", str(path), "sync", "--once"]) == 2  # network down: one clear line
    err = capsys.readouterr().err
    assert "cannot reach" in err and load_config(path).central.token not in err
    sqlite_central.start()


def test_the_sync_service_waits_while_revoked_and_resumes_after_enrolment(
    sqlite_central: LiveCentral, tmp_path: Path
) -> None:
    from sync.runner import sync_forever

    cfg = _enrolled(sqlite_central, tmp_path)
    _fill(cfg, 4)
    sqlite_central.record.revoke(cfg.device.id)
    stop = threading.Event()
    service = threading.Thread(target=sync_forever, args=(cfg.path, stop),
                               kwargs={"interval": 0.1, "poll": 0.1}, daemon=True)
    service.start()
    deadline = time.monotonic() + 20
    while not StatusFile(cfg.status_path).read().revoked and time.monotonic() < deadline:
        time.sleep(0.05)
    assert StatusFile(cfg.status_path).read().revoked and service.is_alive()
    enrol(sqlite_central.url, sqlite_central.enrol(), config_path=cfg.path)
    while sqlite_central.record.counts()["responses"] < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    service.join(10)
    assert sqlite_central.record.counts()["responses"] == 4 and not service.is_alive()


def test_a_rotated_responses_key_reaches_the_kiosk_and_both_keys_still_open(
    tmp_path: Path,
) -> None:
    import shutil

    from central.cli import rotate_responses_key
    from tests.central.live import make_keys

    # This test rotates keys, so it works on its own copy of the key directory.
    keys = make_keys(tmp_path / "own-keys")
    central = LiveCentral(f"sqlite:///{tmp_path / 'own.sqlite'}", keys).start()
    central.publish_fft()
    try:
        cfg = _enrolled(central, tmp_path)
        _fill(cfg, 2)  # sealed to the first key, not yet sent
        new_key = rotate_responses_key(keys.dir)
        central.restart()
        build_agent(cfg).run_round()  # uploads the 2 (old key), then takes the new key
        cfg2 = load_config(cfg.path)
        assert cfg2.keys.responses == new_key.public_key().to_text() != cfg.keys.responses
        assert cfg2.keys.contacts == cfg.keys.contacts  # never changed by content
        _fill(cfg2, 3)  # sealed to the new key
        build_agent(cfg2).run_round()
        assert central.record.counts()["responses"] == 5 and central.record.quarantine() == {}
    finally:
        central.stop()
        shutil.rmtree(keys.dir, ignore_errors=True)
