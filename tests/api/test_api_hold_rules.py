"""The hold rules of the HTTP order import come from the app (``create_app(hold_rules=...)``,
``wms serve --rules FILE``); without them the defaults apply."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.fulfillment.order_fixtures import stock_warehouse
from wms.api import create_app
from wms.cli import app as cli
from wms.fulfillment.holds import HoldRulesConfig

PENDING = {
    "reference_id": "P-1",
    "channel": "shop",
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "address": {"street": "Polna 1", "city": "Poznan", "postal_code": "60-001", "country": "PL"},
    "payment_method": "card",
    "payment_status": "pending",
    "carrier": "DPD",
    "value": "10.00",
    "currency": "PLN",
    "lines": [{"sku_id": "S1", "qty": 1}],
}


def _import(app_kwargs: dict[str, object], db_url: str, api_key: str) -> dict[str, object]:
    with TestClient(create_app(db_url, **app_kwargs)) as client:  # type: ignore[arg-type]
        r = client.post("/v1/orders", json=PENDING, headers={"X-API-Key": api_key})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


def test_default_rules_hold_an_unpaid_order(api_db_url: str, api_key: str) -> None:
    stock_warehouse(api_db_url)
    order = _import({}, api_db_url, api_key)
    assert order["status"] == "on_hold"
    assert [h["rule"] for h in order["holds"]] == ["payment_not_confirmed"]


def test_the_app_rules_decide(api_db_url: str, api_key: str) -> None:
    stock_warehouse(api_db_url)
    order = _import({"hold_rules": HoldRulesConfig().all_off()}, api_db_url, api_key)
    assert order["status"] == "released"
    assert order["holds"] == []


def test_rules_file_from_the_environment(
    api_db_url: str, api_key: str, tmp_path: Path, monkeypatch
) -> None:
    stock_warehouse(api_db_url)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  payment_not_confirmed: {enabled: false}\n")
    monkeypatch.setenv("WMS_HOLD_RULES", str(rules))
    assert _import({}, api_db_url, api_key)["status"] == "released"


def test_serve_refuses_a_bad_rules_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--rules", str(tmp_path / "missing.yaml"), "--url", "sqlite://"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "missing.yaml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
