"""Warranty pricing, and registration of the four models through the hook."""

from __future__ import annotations

import pytest
from pricing_helpers import context, contract, entry

from deskframe.billing.model import PricingModel
from deskframe.errors import DomainError
from deskframe.extensions import PricingModelType
from deskframe.plugins import build_plugins
from deskframe_pricing import warranty


def test_warranty_bills_nothing_and_holds_nothing():
    model = warranty.build({"model": "warranty"})
    result = model.price(context(contract(), [entry(1, 90), entry(2, 30, billable=False)]))
    assert result.lines == () and result.held == ()
    assert result.notes == ("warranty: 2 time entries, 2 h tracked, not invoiced",)
    assert model.currency == "XXX"
    assert warranty.build({"model": "warranty", "currency": "RUB"}).currency == "RUB"


def test_warranty_takes_no_params():
    with pytest.raises(DomainError, match=r"params\.users: unknown parameter"):
        warranty.build({"model": "warranty"}).price(context(contract({"users": 5})))


def test_registered_through_the_hook():
    registry = build_plugins().registry
    assert registry.names("pricing_models") == ["hourly", "retainer", "subscription", "warranty"]
    assert {r.plugin for r in registry if r.kind == "pricing_models"} == {"pricing"}
    for name in registry.names("pricing_models"):
        assert isinstance(registry.get("pricing_models", name), PricingModelType)


EXAMPLES = {
    "hourly": {"model": "hourly", "currency": "RUB", "rates": {"default": "1500.00"}},
    "subscription": {"model": "subscription", "currency": "RUB", "per_user": {"8x5": "40.00"}},
    "retainer": {"model": "retainer", "currency": "RUB", "fee": "1", "included": "1h", "overage_rate": "1"},
    "warranty": {"model": "warranty"},
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_built_models_follow_the_protocol(name):
    built = build_plugins().registry.get("pricing_models", name).build(EXAMPLES[name])
    assert isinstance(built, PricingModel)


def test_registered_without_other_plugins():
    import deskframe_pricing

    registry = build_plugins(entry_points=False, extra=[("pricing", deskframe_pricing)]).registry
    assert registry.names("pricing_models") == ["hourly", "retainer", "subscription", "warranty"]
