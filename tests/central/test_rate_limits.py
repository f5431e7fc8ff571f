"""Rate limits (central/ratelimit.py): the token bucket on an injected clock, and the record
service's 429s with Retry-After for enrolment (per address and globally) and batch uploads (per
device), on a live service on loopback; a second loopback address (127.0.0.2) is another client."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from central.ratelimit import Limit, Limiter, RateLimits, load_limits
from kiosk.errors import ConfigError
from tests.central.live import CentralKeys, LiveCentral, sealed_records
from tests.central.web.staff import Clock
from tests.central.wire import batch_json, enrol, error_code, post_batch, statuses

WRONG = "AAAA-BBBB-CCCC"


class FromAddress(HTTPAdapter):
    """Connect from another loopback address: the service sees another client."""

    def __init__(self, host: str) -> None:
        self.source = (host, 0)
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["source_address"] = self.source
        return super().init_poolmanager(*args, **kwargs)


def client(host: str) -> requests.Session:
    http = requests.Session()
    http.mount("http://", FromAddress(host))
    return http


@pytest.fixture
def clock() -> Clock:
    return Clock(1000.0)


@pytest.fixture
def limited(tmp_path: Path, central_keys: CentralKeys, clock: Clock) -> Iterator[LiveCentral]:
    limits = RateLimits(batches_per_device=Limit(2, 60), clock=clock)
    central = LiveCentral(f"sqlite:///{tmp_path / 'central.sqlite'}", central_keys,
                          limits=limits).start()  # fmt: skip
    central.publish_fft()
    yield central
    central.stop()


def test_a_bucket_lets_count_through_then_refills_over_its_window(clock: Clock) -> None:
    bucket = Limiter("t", Limit(3, 60), clock)
    assert [bucket.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a") == pytest.approx(20.0)  # one token every 20 s
    assert bucket.take("b") == 0.0  # each key its own bucket
    clock.advance(20)
    assert bucket.take("a") == 0.0 and bucket.take("a") == pytest.approx(20.0)
    bucket.give_back("a")
    assert bucket.take("a") == 0.0
    clock.advance(60)
    assert [bucket.take("a") for _ in range(4)][-2:] == [0.0, pytest.approx(20.0)]
    assert all(Limiter("off", Limit(0, 1), clock).take("a") == 0.0 for _ in range(100))


def test_many_keys_do_not_grow_memory_without_bound(clock: Clock) -> None:
    bucket = Limiter("t", Limit(1, 60), clock, max_keys=100)
    for i in range(1000):
        bucket.take(f"10.0.{i // 256}.{i % 256}")
    assert len(bucket._buckets) <= 100


def test_thirty_wrong_codes_meet_a_429_first_and_another_address_is_unaffected(
    limited: LiveCentral, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="central.audit")
    attacker = client("127.0.0.1")
    answers = [attacker.post(f"{limited.url}/api/v1/enrol", json={"code": WRONG}, timeout=10)
               for _ in range(30)]  # fmt: skip
    codes = [r.status_code for r in answers]
    limit = RateLimits().enrol_per_address.count
    assert codes == [403] * limit + [429] * (30 - limit)
    refusal = answers[-1]
    assert (
        error_code(refusal) == "rate_limited"
        and "Retry-After" in refusal.json()["error"]["message"]
    )
    assert 1 <= int(refusal.headers["Retry-After"]) <= 600
    lines = [r.getMessage() for r in caplog.records if r.name == "central.audit"]
    assert len(lines) == 30 - limit
    assert all("enrol_per_address" in m and "127.0.0.1" in m for m in lines)
    assert not any(WRONG in m or WRONG.replace("-", "") in m for m in caplog.messages)
    kiosk = client("127.0.0.2")
    code = limited.enrol()
    assert kiosk.post(f"{limited.url}/api/v1/enrol", json={"code": code},
                      timeout=10).status_code == 201  # fmt: skip
    clock.advance(RateLimits().enrol_per_address.seconds)
    again = attacker.post(f"{limited.url}/api/v1/enrol", json={"code": WRONG}, timeout=10)
    assert again.status_code == 403  # the window has passed: judged on the code again


def test_right_codes_do_not_use_the_budget_and_the_global_limit_holds(
    limited: LiveCentral, clock: Clock
) -> None:
    for _ in range(RateLimits().enrol_per_address.count + 5):
        enrol(limited)  # IT enrolling a whole ward's kiosks from one network: all accepted
    hosts = [f"127.0.1.{i}" for i in range(1, 11)]
    seen = [client(h).post(f"{limited.url}/api/v1/enrol", json={"code": WRONG},
                           timeout=10).status_code for h in hosts for _ in range(7)]  # fmt: skip
    assert seen.count(403) == RateLimits().enrol_global.count and 429 in seen
    refused = client("127.0.2.1").post(f"{limited.url}/api/v1/enrol", json={"code": WRONG},
                                       timeout=10)  # fmt: skip
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    clock.advance(RateLimits().enrol_global.seconds)
    assert enrol(limited)["device_id"]


def test_batch_uploads_are_limited_per_device(
    limited: LiveCentral, central_keys: CentralKeys, clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.WARNING, logger="central.audit")
    one, other = enrol(limited), enrol(limited)
    sent = [post_batch(limited, one["token"],
                       batch_json(sealed_records(central_keys, one["device_id"], 1)))
            for _ in range(3)]  # fmt: skip
    assert [r.status_code for r in sent] == [200, 200, 429]
    assert int(sent[2].headers["Retry-After"]) == 30 and error_code(sent[2]) == "rate_limited"
    assert [m for m in caplog.messages if "batches_per_device" in m and one["device_id"] in m]
    assert not any(one["token"] in m for m in caplog.messages)
    theirs = batch_json(sealed_records(central_keys, other["device_id"], 1))
    assert statuses(post_batch(limited, other["token"], theirs)) == ["accepted"]
    clock.advance(60)
    mine = batch_json(sealed_records(central_keys, one["device_id"], 1))
    assert statuses(post_batch(limited, one["token"], mine)) == ["accepted"]


def test_limits_from_a_file_and_each_mistake_named(tmp_path: Path) -> None:
    good = tmp_path / "limits.toml"
    good.write_text("[rate_limits]\nenrol_per_address = [5, 300]\nbatches_per_device = [0, 1]\n")
    limits = load_limits(good)
    assert limits.enrol_per_address == Limit(5, 300.0)
    assert limits.batches_per_device.count == 0 and limits.enrol_global == RateLimits().enrol_global
    bad = tmp_path / "bad.toml"
    bad.write_text("[rate_limits]\nenrol_per_adress = [5, 300]\nsign_in_per_account = 10\n")
    with pytest.raises(ConfigError) as err:
        load_limits(bad)
    text = str(err.value) + repr(getattr(err.value, "problems", ""))
    assert "enrol_per_adress is not a known limit" in text and "[count, seconds]" in text


def test_a_refusal_line_cannot_be_split_by_what_the_client_typed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from central.ratelimit import refused

    caplog.set_level(logging.WARNING, logger="central.audit")
    refused("sign_in_per_account", "eve\nrate_limited limit=forged", 1.2)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "central.audit"]
    assert "\n" not in line and line.endswith("retry_after=2") and "eve?rate_limited" in line
