"""Time no invoice run can bill: its ticket has no customer, no contract, or a contract
that does not bill (no pricing model, not running in the period)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .rows import ContractRow, CustomerRow, InvoiceLineEntryRow, TicketRow, TimeEntryRow


class UnbilledRepo:
    """The query behind the ``not billed`` part of ``invoice run``."""

    session: Session
    now: dt.datetime

    def unbillable_time(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        """Per ticket: billable, unbilled, not voided time worked before ``end`` that no
        contract priced for ``[start, end)`` takes; with the customer, contract and why.

        ``reason`` is ``no_customer``, ``no_contract``, ``no_pricing`` or
        ``contract_not_in_period``. Tickets come by number.
        """
        linked = select(InvoiceLineEntryRow.entry_id).where(InvoiceLineEntryRow.entry_id == TimeEntryRow.id)
        # the contracts no run of the period prices (few), so the tickets are found by the
        # contract index rather than by reading every entry of the desk
        idle = select(ContractRow.id).where(
            or_(
                ContractRow.pricing.is_(None),
                and_(ContractRow.start_date.is_not(None), ContractRow.start_date >= end),
                and_(ContractRow.end_date.is_not(None), ContractRow.end_date < start),
            )
        )
        not_billing = or_(TicketRow.contract_id.is_(None), TicketRow.contract_id.in_(idle))
        query = (
            select(
                TicketRow.number,
                CustomerRow.key,
                ContractRow.key,
                ContractRow.pricing,
                func.count(TimeEntryRow.id),
                func.sum(TimeEntryRow.minutes),
                func.min(TimeEntryRow.work_date),
                func.max(TimeEntryRow.work_date),
            )
            .select_from(TicketRow)
            .outerjoin(ContractRow, TicketRow.contract_id == ContractRow.id)
            .outerjoin(CustomerRow, TicketRow.customer_id == CustomerRow.id)
            .join(TimeEntryRow, TimeEntryRow.ticket_id == TicketRow.id)
            .where(
                not_billing,
                ~linked.exists(),
                TimeEntryRow.billed_externally.is_(False),
                TimeEntryRow.voided_at.is_(None),
                TimeEntryRow.billable.is_(True),
                TimeEntryRow.work_date < end,
            )
            .group_by(TicketRow.id, TicketRow.number, CustomerRow.key, ContractRow.key, ContractRow.pricing)
            .order_by(TicketRow.number)
        )
        out = []
        for number, customer, contract, pricing, entries, minutes, first, last in self.session.execute(query):
            if customer is None:
                reason = "no_customer"
            elif contract is None:
                reason = "no_contract"
            elif pricing is None:
                reason = "no_pricing"
            else:
                reason = "contract_not_in_period"
            out.append(
                {
                    "ticket": number,
                    "customer": customer,
                    "contract": contract,
                    "entries": int(entries),
                    "minutes": int(minutes),
                    "first_date": _date(first),
                    "last_date": _date(last),
                    "reason": reason,
                }
            )
        return out


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
