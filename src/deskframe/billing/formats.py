"""The keyword options the core hands an invoice output format's ``render``."""

from __future__ import annotations

from typing import Any


def render_options(config: Any, output_format: Any) -> dict[str, Any]:
    """Those of ``locale``, ``timezone``, ``agent_label`` and ``payment_terms_days`` that
    ``output_format`` declares in its ``options``, from the desk's configuration."""
    billing = config.billing
    available = {
        "locale": billing.locale,
        "timezone": config.timezone,
        "agent_label": billing.agent_label,
        "payment_terms_days": billing.payment_terms_days,
    }
    return {name: available[name] for name in output_format.options if name in available}
