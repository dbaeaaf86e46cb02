"""``deskframe invoice paid`` and ``invoice list --unpaid|--overdue``: payments add up,
overpayment and payments on drafts/void invoices are refused, and the JSON carries
``paid``, ``due_date`` and ``balance``."""

from __future__ import annotations

import json

import pytest
from invoicing_helpers import CONFIG, NOW, billed_desk

from deskframe.actors import Actor


@pytest.fixture
def clocked(make_desk):
    """The billed desk with a clock the test can move (``state["now"]``)."""
    state = {"now": NOW}
    billed = billed_desk(make_desk, CONFIG + "\n", clock=lambda: state["now"])
    return billed, state


def _show(run, number):
    result = run("invoice", "show", number, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_partial_payments_add_up_and_overpayment_is_refused(clocked, cli):
    billed, _ = clocked
    run = cli(billed.desk)
    data = _show(run, billed.october)
    # issued 2026-11-03 (the desk is on UTC) + the default 10 days of payment terms
    assert data["due_date"] == "2026-11-13"
    assert (data["total"], data["paid"], data["balance"]) == ("3000.00", "0.00", "3000.00")

    result = run("invoice", "paid", billed.october, "--amount", "1000", "--date", "2026-11-05", "--reference", "п/п 17")
    assert result.exit_code == 0, result.output
    assert "balance 2000.00 RUB" in result.output
    result = run("invoice", "paid", billed.october, "--amount", "2000.01", "--date", "2026-11-06")
    assert result.exit_code == 1 and "balance" in result.output and "Traceback" not in result.output
    result = run("invoice", "paid", billed.october, "--amount", "1500.00", "--date", "2026-11-06", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["balance"] == "500.00"

    data = _show(run, billed.october)
    assert (data["paid"], data["balance"]) == ("2500.00", "500.00")
    assert [(p["amount"], p["date"], p["reference"]) for p in data["payments"]] == [
        ("1000.00", "2026-11-05", "п/п 17"),
        ("1500.00", "2026-11-06", None),
    ]


@pytest.mark.parametrize(
    "args, hint",
    [
        (("--amount", "-5", "--date", "2026-11-05"), "--amount"),
        (("--amount", "0", "--date", "2026-11-05"), "--amount"),
        (("--amount", "abc", "--date", "2026-11-05"), "--amount"),
        (("--amount", "1e3", "--date", "2026-11-05"), "--amount"),
        (("--amount", "10.001", "--date", "2026-11-05"), "--amount"),
        (("--amount", "10", "--date", "2026-13-01"), "--date"),
        (("--amount", "10", "--date", ""), "--date"),
        (("--amount", "10", "--date", "2026-11-05", "--reference", " "), "--reference"),
    ],
)
def test_bad_amounts_and_dates_exit_2(clocked, cli, args, hint):
    billed, _ = clocked
    result = cli(billed.desk)("invoice", "paid", billed.october, *args)
    assert result.exit_code == 2, result.output
    assert hint in result.output and "Traceback" not in result.output
    assert billed.desk.billing.invoice(billed.october).payments == ()


def test_a_payment_dated_in_the_future_is_refused(clocked, cli):
    billed, _ = clocked
    run = cli(billed.desk)
    result = run(
        "--now",
        "2026-11-05T23:30:00+00:00",
        "invoice",
        "paid",
        billed.october,
        "--amount",
        "10",
        "--date",
        "2026-11-06",
    )
    assert result.exit_code == 2 and "in the future" in result.output and "--date" in result.output
    assert (
        run(
            "--now",
            "2026-11-06T00:30:00+00:00",
            "invoice",
            "paid",
            billed.october,
            "--amount",
            "10",
            "--date",
            "2026-11-06",
        ).exit_code
        == 0
    )


def test_payments_on_void_draft_and_credit_notes_are_refused(clocked, cli):
    billed, _ = clocked
    run = cli(billed.desk)
    credit = billed.desk.billing.void(billed.september, "wrong rate", actor=Actor.operator())
    result = run("invoice", "paid", billed.september, "--amount", "10", "--date", "2026-11-05")
    assert result.exit_code == 1 and "void" in result.output
    result = run("invoice", "paid", credit.number, "--amount", "10", "--date", "2026-11-05")
    assert result.exit_code == 1 and "credit note" in result.output
    billed.desk.billing.run("2026-09", actor=Actor.operator())  # the released September time drafts again
    (draft,) = billed.desk.billing.invoices(status="draft")
    result = run("invoice", "paid", f"draft-{draft.id}", "--amount", "10", "--date", "2026-11-05")
    assert result.exit_code == 1 and "draft" in result.output


def test_list_unpaid_and_overdue(clocked, cli):
    billed, _ = clocked
    run = cli(billed.desk)

    def listed(now, *flags):
        result = run("--now", now, "invoice", "list", *flags, "--format", "json")
        assert result.exit_code == 0, result.output
        return [row["number"] for row in json.loads(result.output)]

    before, after = "2026-11-13T20:00:00+03:00", "2026-11-14T09:00:00+03:00"  # both are due 2026-11-13
    assert listed(before, "--unpaid") == [billed.september, billed.october]
    assert listed(before, "--overdue") == []
    assert listed(after, "--overdue") == [billed.september, billed.october]
    sept = billed.desk.billing.invoice(billed.september)
    assert (
        run("invoice", "paid", billed.september, "--amount", str(sept.total.amount), "--date", "2026-11-14").exit_code
        == 0
    )
    assert listed(after, "--unpaid") == [billed.october]
    assert listed(after, "--overdue") == [billed.october]
    table = run("--now", after, "invoice", "list", "--overdue")
    assert table.exit_code == 0 and "DUE_DATE" in table.output and "2026-11-13" in table.output
    assert billed.september not in table.output
    assert run("invoice", "list", "--unpaid", "--status", "draft").exit_code == 2


def test_default_show_table_prints_the_date(clocked, cli):
    """Regression: ``{when or '':<10}`` on a date printed the literal ``<10``."""
    billed, _ = clocked
    result = cli(billed.desk)("invoice", "show", billed.october)
    assert result.exit_code == 0, result.output
    assert "<10" not in result.output
    assert "2026-10-05" in result.output and "2026-09-29" in result.output
    assert "due 2026-11-13  paid 0.00 RUB  balance 3000.00 RUB" in result.output
