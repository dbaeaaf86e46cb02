"""Configuration: the issue's example loads; bad values are errors naming their key."""

from __future__ import annotations

import pytest

from deskframe.errors import ConfigError
from deskframe_pricing import hourly, retainer, subscription, warranty
from deskframe_pricing.hourly import HourlyModel
from deskframe_pricing.retainer import RetainerModel
from deskframe_pricing.subscription import Failover, SubscriptionModel

EXAMPLE = """
[calendars.office]
timezone = "Europe/Moscow"
hours = { mon-fri = "10:00-19:00" }

[pricing.studio-hourly]
model = "hourly"
currency = "RUB"
rates = { default = "1500.00", developer = "2000.00" }   # by agent role
increment = "15m"                                         # each entry rounded up to this
minimum = "30m"
multipliers = { out_of_hours = "1.5", weekend = "2" }
calendar = "office"

[pricing.platform]
model = "subscription"
currency = "RUB"
per_user = { "8x5" = "40.00", "24x7" = "65.00", premium = "90.00" }      # by contract support_type
per_server = { "8x5" = "5000.00", "24x7" = "8000.00", premium = "12000.00" }
failover = { none = "0", active-passive = "10%", active-active = "25%" } # chosen in params.failover
addons = { dedicated-engineer = "150000.00", audit = "60000.00" }        # chosen in params.addons

[pricing.consulting-gold]
model = "retainer"
currency = "RUB"
fee = "300000.00"
included = "40h"
overage_rate = "9000.00"

[pricing.warranty]
model = "warranty"
"""


def test_issue_example_loads(make_desk):
    desk = make_desk(EXAMPLE)
    models = desk.config.pricing_models
    assert set(models) == {"studio-hourly", "platform", "consulting-gold", "warranty"}
    studio = models["studio-hourly"]
    assert isinstance(studio, HourlyModel)
    assert (studio.increment, studio.minimum, studio.calendar) == (15, 30, "office")
    assert studio.calendar_names() <= set(desk.config.calendar_objects)
    platform = models["platform"]
    assert isinstance(platform, SubscriptionModel)
    assert platform.failover["active-passive"].percent * 100 == 10
    assert platform.failover["none"] == Failover(amount=0)
    gold = models["consulting-gold"]
    assert isinstance(gold, RetainerModel) and gold.included == 2400 and not gold.carry_over


def bad(text: str) -> str:
    return "[pricing.p]\n" + text + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            bad('model = "hourly"\ncurrency = "RUB"\nrates = { default = "1500.00", developer = 2000.0 }'),
            "pricing.p.rates.developer: must not be a float",
        ),
        (
            bad('model = "subscription"\ncurrency = "RUB"\nper_user = { "8x5" = 40.0 }'),
            "pricing.p.per_user.8x5: must not be a float",
        ),
        (
            bad(
                'model = "subscription"\ncurrency = "RUB"\nper_user = { "8x5" = "40" }\n'
                'failover = { active-passive = "ten%" }'
            ),
            "pricing.p.failover.active-passive: must be a percentage",
        ),
        (
            bad('model = "retainer"\ncurrency = "RUB"\nfee = "1"\nincluded = "40"\noverage_rate = "1"'),
            "pricing.p.included: bad duration '40': missing unit",
        ),
    ],
)
def test_errors_through_a_desk_name_the_full_key(make_desk, text, message):
    with pytest.raises(ConfigError) as info:
        make_desk(text)
    assert message in str(info.value)


H = {"model": "hourly", "currency": "RUB", "rates": {"default": "1500.00"}}
S = {"model": "subscription", "currency": "RUB", "per_user": {"8x5": "40.00"}}
R = {"model": "retainer", "currency": "RUB", "fee": "300000.00", "included": "40h", "overage_rate": "9000.00"}


@pytest.mark.parametrize(
    ("build", "table", "key", "problem"),
    [
        # hourly
        (
            hourly.build,
            {**H, "rates": {"default": "1500.00", "developer": 2000.0}},
            "rates.developer",
            "must not be a float",
        ),
        (
            hourly.build,
            {**H, "rates": {"default": "1500.00", "developer": "2 000"}},
            "rates.developer",
            "must be an amount",
        ),
        (
            hourly.build,
            {**H, "rates": {"default": "1500.00", "developer": "-1"}},
            "rates.developer",
            "must be an amount",
        ),
        (
            hourly.build,
            {**H, "rates": {"default": "1500.00", "developer": "1e3"}},
            "rates.developer",
            "must be an amount",
        ),
        (
            hourly.build,
            {**H, "rates": {"default": "1500.00", "developer": True}},
            "rates.developer",
            "must be an amount",
        ),
        (hourly.build, {**H, "rates": {"developer": "2000"}}, "rates.default", "is required"),
        (hourly.build, {**H, "rates": "1500"}, "rates", "must be a table"),
        (hourly.build, {k: v for k, v in H.items() if k != "rates"}, "rates", "is required"),
        (hourly.build, {**H, "increment": "15"}, "increment", "missing unit"),
        (hourly.build, {**H, "increment": 15}, "increment", "must be a duration string"),
        (hourly.build, {**H, "increment": "0m"}, "increment", "must be more than zero"),
        (hourly.build, {**H, "increment": "90s"}, "increment", "whole minutes"),
        (hourly.build, {**H, "minimum": "half an hour"}, "minimum", "bad duration"),
        (hourly.build, {**H, "multipliers": {"night": "1.5"}}, "multipliers.night", "unknown key"),
        (hourly.build, {**H, "multipliers": {"weekend": 2.0}}, "multipliers.weekend", "must not be a float"),
        (hourly.build, {**H, "multipliers": {"weekend": "0"}}, "multipliers.weekend", "more than zero"),
        (hourly.build, {**H, "multipliers": {"out_of_hours": "1.5"}}, "calendar", "is required"),
        (hourly.build, {**H, "calendar": "office"}, "calendar", "only used by multipliers.out_of_hours"),
        (hourly.build, {**H, "require_estimate": "yes"}, "require_estimate", 'must be true, false or "always"'),
        (hourly.build, {**H, "currency": "rub"}, "currency", "ISO 4217"),
        (hourly.build, {k: v for k, v in H.items() if k != "currency"}, "currency", "is required"),
        (hourly.build, {**H, "rate": "1500"}, "rate", "unknown key"),
        # subscription
        (subscription.build, {**S, "per_user": {"8x5": 40.0}}, "per_user.8x5", "must not be a float"),
        (subscription.build, {**S, "per_user": "40"}, "per_user", "must be a table"),
        (subscription.build, {**S, "per_user": {}}, "per_user", "at least one support type"),
        (subscription.build, {"model": "subscription", "currency": "RUB"}, "per_user", "is required"),
        (subscription.build, {**S, "failover": {"active-passive": "ten%"}}, "failover.active-passive", "percentage"),
        (
            subscription.build,
            {**S, "failover": {"active-passive": 0.1}},
            "failover.active-passive",
            "must not be a float",
        ),
        (subscription.build, {**S, "failover": {"active-passive": "-10%"}}, "failover.active-passive", "percentage"),
        (subscription.build, {**S, "addons": {"audit": 60000.5}}, "addons.audit", "must not be a float"),
        (subscription.build, {**S, "prorate": "yes"}, "prorate", "true or false"),
        (subscription.build, {**S, "per_users": {}}, "per_users", "unknown key"),
        # retainer
        (retainer.build, {**R, "fee": 300000.0}, "fee", "must not be a float"),
        (retainer.build, {k: v for k, v in R.items() if k != "fee"}, "fee", "is required"),
        (retainer.build, {**R, "included": "40"}, "included", "missing unit"),
        (retainer.build, {**R, "included": 40}, "included", "must be a duration string"),
        (retainer.build, {**R, "overage_rate": "9 000"}, "overage_rate", "must be an amount"),
        (retainer.build, {**R, "carry_over": 1}, "carry_over", "true or false"),
        (retainer.build, {**R, "rollover": True}, "rollover", "unknown key"),
        # warranty
        (warranty.build, {"model": "warranty", "rates": {}}, "rates", "unknown key"),
        (warranty.build, {"model": "warranty", "currency": "roubles"}, "currency", "ISO 4217"),
    ],
)
def test_errors_name_the_key(build, table, key, problem):
    with pytest.raises(ConfigError) as info:
        build(table)
    assert info.value.key == key
    assert problem in info.value.problem


def test_accepted_forms():
    model = hourly.build(
        {
            **H,
            "rates": {"default": 1500, "developer": "2000.5"},
            "increment": "1h",
            "minimum": "0m",
            "require_estimate": "always",
        }
    )
    assert (model.increment, model.minimum, model.require_estimate) == (60, 0, "always")
    assert str(model.rates["developer"]) == "2000.5"
    sub = subscription.build({**S, "failover": {"x": "12.5%", "y": 1000, "z": "0"}})
    assert sub.failover["x"].percent * 1000 == 125 and sub.failover["y"].amount == 1000
    ret = retainer.build({**R, "included": "0h", "carry_over": True, "increment": "15m"})
    assert ret.included == 0 and ret.carry_over and ret.increment == 15
