"""The store keeps what add() accepted: through SIGKILL, a full disk and a read-only data dir.

The full-disk and read-only tests use a real small tmpfs (``mount -t tmpfs -o size=…``) and a
read-only bind mount, so SQLite meets the kernel's own ENOSPC/EROFS; they skip, saying why, where
mounting is not allowed. chmod is not used because root ignores it.
The SIGKILL test's random kill moments are seeded: ``PV_CHAOS_SEED=… pytest …`` to vary them.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.errors import StoreFullError, StoreReadOnlyError
from kiosk.store import STORE_FILENAME, SealedStore
from tests.kiosk.store_fixtures import Keys, keys, make_record  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]

# The child writes until killed, printing each id only after add() has returned.
CHILD = """
import sys
from kiosk.crypto import PublicKey, Sealer
from kiosk.record import Answer, ResponseRecord, new_record_id
from kiosk.store import SealedStore

store = SealedStore(sys.argv[1], Sealer(PublicKey.from_text(sys.argv[2]), "responses"),
                    Sealer(PublicKey.from_text(sys.argv[3]), "contacts"))
print("ready", flush=True)
while True:
    record = ResponseRecord(new_record_id(), "fft", 3, "en", "standard",
                            (Answer("fft", "fft", 2, 2), Answer("why", "free_text", "x" * 300)),
                            {"contact": {"name": "N", "method": "email", "value": "n@x"}},
                            0.0, 1.0, "kiosk-1", "REN", "ward-3")
    print(store.add(record), flush=True)
"""


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _stored_ids(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT record_id FROM responses")}
    finally:
        conn.close()


def _run_and_kill(db: Path, pubs: list[str], rng: random.Random) -> list[str]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), *pubs], cwd=ROOT,
                             stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], 30)
    assert ready and child.stdout.readline() == b"ready\n"
    time.sleep(rng.uniform(0.0, 0.25))  # kill at a random moment: mid-seal, mid-commit, mid-print
    child.send_signal(signal.SIGKILL)
    out = child.stdout.read()
    child.wait()
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return [line for line in out.decode().split("\n")[:-1]]  # the last piece may be cut short


@pytest.mark.slow
def test_every_acknowledged_add_survives_sigkill(tmp_path: Path, keys: Keys) -> None:  # noqa: F811
    db = tmp_path / "data" / STORE_FILENAME
    pubs = [keys.responses.public_key().to_text(), keys.contacts.public_key().to_text()]
    rng = random.Random(os.environ.get("PV_CHAOS_SEED", "2611"))
    acknowledged: list[str] = []
    kills = 0
    started = time.monotonic()
    # At least 20 kills however slow the machine is; up to 40 while within ~25 s.
    while kills < 20 or (kills < 40 and time.monotonic() - started < 25):
        acknowledged += _run_and_kill(db, pubs, rng)
        kills += 1
        assert _integrity(db) == "ok", f"after kill {kills}"
    assert len(acknowledged) > kills  # it really wrote between kills
    print(f"{kills} kills, {len(acknowledged)} acknowledged adds")
    missing = set(acknowledged) - _stored_ids(db)
    assert not missing, f"{len(missing)} acknowledged responses lost after {kills} kills"
    responses, contacts = keys.sealers()
    with SealedStore(db, responses, contacts) as store:  # reopens cleanly, all still pending
        assert store.count_pending() >= len(acknowledged)
        sample = store.pending(5)
    assert all(keys.open_contact(p)["contact"]["name"] == "N" for p in sample)


def _open_and_add(db: str, pubs: list[str], go, n: int, out) -> None:
    from kiosk.crypto import PublicKey, Sealer
    from tests.kiosk.store_fixtures import make_record as record

    go.wait(30)
    with SealedStore(db, Sealer(PublicKey.from_text(pubs[0]), "responses"),
                     Sealer(PublicKey.from_text(pubs[1]), "contacts")) as store:
        for _ in range(n):
            out.put(store.add(record()))


def test_processes_opening_a_fresh_store_at_once_all_succeed(tmp_path: Path,
                                                             keys: Keys) -> None:  # noqa: F811
    """The kiosk app and the sync agent may both create the store at boot."""
    ctx = multiprocessing.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    db = tmp_path / "data" / STORE_FILENAME
    pubs = [keys.responses.public_key().to_text(), keys.contacts.public_key().to_text()]
    procs = [ctx.Process(target=_open_and_add, args=(str(db), pubs, go, 20, out))
             for _ in range(4)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let them all import, then open together
    go.set()
    ids = [out.get(timeout=60) for _ in range(80)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert _stored_ids(db) == set(ids) and _integrity(db) == "ok"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


# --- real filesystems ---------------------------------------------------------------------------

def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({' '.join(args)}): {done.stderr.strip()}")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB filesystem (tmpfs), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (this test is skipped as a normal user)")
    target = tmp_path / "disk"
    target.mkdir()
    _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(target))
    try:
        yield target
    finally:
        _umount(target)


def _fill_up(directory: Path) -> Path:
    """Write zeros until the filesystem refuses even 512 more bytes."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for chunk in (65536, 4096, 512):
            try:
                while True:
                    fh.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == 28  # ENOSPC
    return filler


def test_full_disk_is_a_clear_error_and_loses_nothing(small_disk: Path, keys: Keys) -> None:  # noqa: F811
    responses, contacts = keys.sealers()
    db = small_disk / "data" / STORE_FILENAME
    store = SealedStore(db, responses, contacts)
    saved = [store.add(make_record(f"before {i}", contact_name="A")) for i in range(10)]
    filler = _fill_up(small_disk)
    error = None
    for i in range(500):
        try:
            saved.append(store.add(make_record(f"while filling {i}")))
        except StoreFullError as exc:
            error = exc
            break
    assert error is not None, "the store never reported a full disk"
    assert f"the disk holding {db.parent} is full" in str(error)
    assert "responses already saved are safe" in str(error)
    assert error.retryable and "storage is full" in error.user_message
    assert store.count_pending() == len(saved)  # still readable while full

    filler.unlink()
    saved.append(store.add(make_record("after freeing space")))
    assert {p.record_id for p in store.pending(1000)} == set(saved)
    store.close()
    assert _integrity(db) == "ok" and _stored_ids(db) == set(saved)


@pytest.fixture
def read_only_view(small_disk: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable dir, read-only bind mount of the same dir)."""
    view = tmp_path / "ro-view"
    view.mkdir()
    _mount("--bind", str(small_disk), str(view))
    try:
        _mount("-o", "remount,bind,ro", str(view))
        yield small_disk, view
    finally:
        _umount(view)


def test_read_only_data_dir_is_a_clear_error_and_loses_nothing(
        read_only_view: tuple[Path, Path], keys: Keys) -> None:  # noqa: F811
    rw, ro = read_only_view
    responses, contacts = keys.sealers()
    rw_db = rw / "data" / STORE_FILENAME
    with SealedStore(rw_db, responses, contacts) as store:
        saved = [store.add(make_record(f"before {i}")) for i in range(5)]

    # Opened on the read-only view: refused at once, with a sentence IT can act on.
    with pytest.raises(StoreReadOnlyError, match=r"ro-view/data is read-only: no new response"):
        SealedStore(ro / "data" / STORE_FILENAME, responses, contacts)
    with pytest.raises(StoreReadOnlyError, match=r"ro-view/fresh is read-only"):
        SealedStore(ro / "fresh" / STORE_FILENAME, responses, contacts)

    # While the kiosk has it open read-write, another opener on the read-only view is refused too.
    with SealedStore(rw_db, responses, contacts) as store:
        store.add(make_record("while open"))
        with pytest.raises(StoreReadOnlyError) as info:
            other = SealedStore(ro / "data" / STORE_FILENAME, responses, contacts)
            other.add(make_record("through the read-only view"))
        assert info.value.retryable
        saved.append(store.add(make_record("still writable here")))
        assert store.count_pending() == len(saved) + 1
    assert set(saved) <= _stored_ids(rw_db) and _integrity(rw_db) == "ok"


def test_a_damaged_file_is_store_corrupt_error(tmp_path: Path, keys: Keys) -> None:  # noqa: F811
    from kiosk.errors import StoreCorruptError

    responses, contacts = keys.sealers()
    db = tmp_path / STORE_FILENAME
    with SealedStore(db, responses, contacts) as store:
        for i in range(50):
            store.add(make_record(f"r{i}"))
    raw = bytearray(db.read_bytes())
    raw[4096:] = os.urandom(len(raw) - 4096)  # keep the header page, scribble over the rest
    db.write_bytes(bytes(raw))
    with pytest.raises(StoreCorruptError, match=r"is damaged .*keep the file for IT"):
        SealedStore(db, responses, contacts)
    db.write_bytes(b"not a database at all" * 300)
    with pytest.raises(StoreCorruptError, match="is damaged"):
        SealedStore(db, responses, contacts)
