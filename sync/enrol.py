"""`kiosk enrol`: exchange a one-time code for this kiosk's identity and write it to the config.

The token is written only into the config file (0600, by kiosk.config) and never printed.
Enrolling again (e.g. after a revocation) replaces the identity and clears "needs IT"; records
still waiting in the store stay and are sent under the new identity.
"""

from __future__ import annotations

from typing import Any

from sync.client import CentralClient
from sync.protocol import Enrolment


def enrol(
    central_url: str,
    code: str,
    *,
    config_path: Any = None,
    ca_bundle: str | None = None,
    session: Any = None,
) -> Enrolment:
    from kiosk.config import load_config, update_config

    previous = load_config(config_path, missing_ok=True).device.id
    client = CentralClient(central_url, session=session, ca_bundle=ca_bundle)
    got = client.enrol(code, previous)
    central: dict[str, Any] = {"url": client.base_url, "token": got.token}
    if ca_bundle:
        central["ca_bundle"] = ca_bundle
    cfg = update_config(
        {
            "device": {
                "id": got.device_id,
                "site": got.site,
                "location": got.location,
                "location_name": got.location_name,
            },
            "central": central,
            "keys": {"responses": got.responses_key, "contacts": got.contacts_key},
        },
        config_path,
    )
    _clear_revoked(cfg)
    return got


def _clear_revoked(cfg: Any) -> None:
    from kiosk.status import StatusFile

    status = StatusFile(cfg.status_path)
    if status.read().revoked:
        status.update(revoked=False, needs_it=False, last_error=None, last_error_at=None)


def enrol_main(args: Any) -> int:
    got = enrol(
        args.central,
        args.code,
        config_path=getattr(args, "config", None),
        ca_bundle=getattr(args, "ca_bundle", None),
    )
    print(
        f"kiosk enrolled as device {got.device_id} at {got.location_name} "
        f"(site {got.site}, location {got.location}); the token was saved to the config"
    )
    return 0
