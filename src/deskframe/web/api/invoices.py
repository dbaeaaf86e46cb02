"""Invoices: list and show (``invoice list|show --format json``) and the public link
(``invoice link``). Agents only."""

from __future__ import annotations

from typing import Any

from ... import serialize
from .base import Call, operation
from .routing import ApiRoute, Param
from .schemas import array_of

REF = Param("ref", where="path", required=True, description="invoice number, or draft-ID")


async def list_invoices(call: Call) -> Any:
    p = call.params
    found = await call.run(
        call.desk.billing.invoices,
        period=p.get("period"),
        status=p.get("status"),
        customer=p.get("customer"),
        unpaid=p.get("unpaid", False),
        overdue=p.get("overdue", False),
    )
    return [dict(serialize.invoice(i), number=i.number or f"draft-{i.id}") for i in found]


async def show_invoice(call: Call) -> Any:
    return serialize.invoice(await call.run(call.desk.billing.invoice, call.params["ref"]))


async def invoice_link(call: Call) -> Any:
    ref = call.params["ref"]
    return {"number": ref, "link": await call.run(call.desk.billing.link, ref)}


def routes() -> list[ApiRoute]:
    """List, show, link."""
    return [
        operation(
            "/invoices",
            "GET",
            list_invoices,
            operation_id="invoices.list",
            summary="Invoices and credit notes",
            tag="invoices",
            access="agent",
            params=(
                Param("period", description="YYYY-MM"),
                Param("status", enum=("draft", "issued", "void")),
                Param("customer", description="customer id"),
                Param("unpaid", type="boolean", description="issued invoices with a balance left"),
                Param("overdue", type="boolean", description="unpaid invoices past their due date"),
            ),
            response=array_of("Invoice"),
            errors=(422,),
        ),
        operation(
            "/invoices/{ref}",
            "GET",
            show_invoice,
            operation_id="invoices.show",
            summary="One invoice with its lines and payments",
            tag="invoices",
            access="agent",
            params=(REF,),
            response="Invoice",
            errors=(404, 422),
        ),
        operation(
            "/invoices/{ref}/link",
            "GET",
            invoice_link,
            operation_id="invoices.link",
            summary="The public link of an issued invoice",
            tag="invoices",
            access="agent",
            params=(REF,),
            response="InvoiceLink",
            errors=(404, 409, 422),
        ),
    ]
