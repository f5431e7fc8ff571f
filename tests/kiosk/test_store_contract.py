"""One contract, run against every store implementation (real SQLite file and in-memory)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.errors import StoreError
from kiosk.store import InMemoryStore, PendingRecord, SealedStore
from tests.kiosk.store_fixtures import FakeClock, Keys, clock, keys, make_record  # noqa: F401  (fixtures)


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path, keys: Keys,  # noqa: F811
          clock: FakeClock) -> Iterator[SealedStore | InMemoryStore]:  # noqa: F811
    responses, contacts = keys.sealers()
    if request.param == "sqlite":
        s: SealedStore | InMemoryStore = SealedStore(
            tmp_path / "data" / "responses.sqlite", responses, contacts, clock=clock)
    else:
        s = InMemoryStore(responses, contacts, clock=clock)
    yield s
    s.close()


def test_add_returns_the_record_id_and_counts_it(store) -> None:
    record = make_record()
    assert store.add(record) == record.record_id
    assert store.count_pending() == 1


def test_pending_holds_clear_metadata_and_payloads_that_open(store, keys: Keys,  # noqa: F811
                                                             clock: FakeClock) -> None:  # noqa: F811
    record = make_record("Lovely staff", contact_name="Ann Example")
    store.add(record)
    [item] = store.pending(10)
    assert isinstance(item, PendingRecord)
    assert (item.record_id, item.survey_id, item.survey_version, item.location_code) == (
        record.record_id, "fft", 3, "ward-3")
    assert item.created_hour == "2026-11-26T10"
    assert item.key_id == keys.responses.public_key().key_id
    assert item.contact_key_id == keys.contacts.public_key().key_id
    assert keys.open_anonymous(item) == record.anonymous_payload()
    assert keys.open_contact(item) == record.contact_payload()


def test_a_record_without_contact_has_no_contact_payload(store) -> None:
    store.add(make_record())
    [item] = store.pending(1)
    assert item.sealed_contact is None and item.contact_key_id is None


def test_pending_is_oldest_first_and_respects_limit(store, clock: FakeClock) -> None:  # noqa: F811
    ids = []
    for _ in range(5):
        ids.append(store.add(make_record()))
        clock.advance(600)
    assert [p.record_id for p in store.pending(3)] == ids[:3]
    assert [p.record_id for p in store.pending(100)] == ids


def test_pending_rejects_a_non_positive_limit(store) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.pending(0)


def test_mark_sent_removes_from_pending_and_is_idempotent(store) -> None:
    ids = [store.add(make_record()) for _ in range(4)]
    assert store.mark_sent(ids[:2]) == 2
    assert [p.record_id for p in store.pending(10)] == ids[2:]
    assert store.mark_sent(ids[:2]) == 0  # a resend acknowledged twice changes nothing
    assert store.mark_sent(["no-such-id", ids[2]]) == 1
    assert store.count_pending() == 1


def test_mark_sent_refuses_a_bare_string(store) -> None:
    rid = store.add(make_record())
    with pytest.raises(TypeError, match="iterable"):
        store.mark_sent(rid)
    assert store.count_pending() == 1


def test_mark_sent_handles_more_ids_than_one_sql_statement_takes(store) -> None:
    ids = [store.add(make_record()) for _ in range(3)]
    assert store.mark_sent([f"x{i}" for i in range(1200)] + ids) == 3


def test_count_and_oldest_age_follow_the_injected_clock(store, clock: FakeClock) -> None:  # noqa: F811
    assert store.count_pending() == 0
    assert store.oldest_pending_age() is None
    first = store.add(make_record())  # 10:15, stored as hour 10
    clock.advance(3600)
    store.add(make_record())  # 11:15
    clock.advance(900)  # now 11:30
    # Only the hour is kept in clear, so the age is measured from 10:00: an upper bound.
    assert store.oldest_pending_age() == pytest.approx(90 * 60)
    store.mark_sent([first])
    assert store.oldest_pending_age() == pytest.approx(30 * 60)
    assert store.count_pending() == 1


def test_purge_sent_deletes_only_sent_records(store) -> None:
    ids = [store.add(make_record()) for _ in range(3)]
    store.mark_sent(ids[:2])
    assert store.purge_sent() == 2
    assert store.purge_sent() == 0
    assert [p.record_id for p in store.pending(10)] == ids[2:]
    assert store.mark_sent(ids[:2]) == 0  # purged ids are simply unknown now


def test_adding_the_same_record_twice_is_refused_and_keeps_the_first(store, keys) -> None:  # noqa: F811
    record = make_record("first")
    store.add(record)
    with pytest.raises(StoreError, match="already stored"):
        store.add(record)
    assert store.count_pending() == 1
    assert keys.open_anonymous(store.pending(1)[0])["answers"][1]["value"] == "first"


def test_a_payload_that_is_not_json_is_refused_with_a_clear_error(store) -> None:
    class Broken:
        record_id, survey_id, survey_version, location_code = "r1", "fft", 1, "ward-3"

        def anonymous_payload(self):
            return {"answers": {1, 2}}

        def contact_payload(self):
            return None

    with pytest.raises(StoreError, match="r1 has a payload that is not JSON"):
        store.add(Broken())
    assert store.count_pending() == 0


def test_sealed_payload_is_bound_to_its_record(store, keys: Keys) -> None:  # noqa: F811
    from kiosk.errors import CryptoError

    a, b = store.add(make_record()), store.add(make_record())
    items = {p.record_id: p for p in store.pending(2)}
    with pytest.raises(CryptoError):
        keys.responses.open(items[a].sealed, "responses", b)
