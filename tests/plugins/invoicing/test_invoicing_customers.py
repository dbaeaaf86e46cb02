"""The buyer's details (ИНН, КПП, address): stored through ``customer add`` and apply files,
checked on the way in, and printed on the invoice."""

from __future__ import annotations

import json

from deskframe.actors import Actor


def test_customer_add_stores_and_checks_tax_details(billed, cli, tmp_path):
    run = cli(billed.desk)
    result = run(
        "customer",
        "add",
        "--id",
        "romashka",
        "--name",
        "ООО «Ромашка»",
        "--inn",
        "7707000011",
        "--kpp",
        "770701001",
        "--address",
        "Москва, ул. Тверская, д. 10",
    )
    assert result.exit_code == 0, result.output
    listed = {c["id"]: c for c in json.loads(run("customer", "list", "--format", "json").output)}
    assert (listed["romashka"]["inn"], listed["romashka"]["kpp"]) == ("7707000011", "770701001")
    # a new invoice prints them (an issued one keeps those it was issued with)
    credit = billed.desk.billing.void(billed.october, "wrong rate", actor=Actor.operator())
    assert credit.customer_details == {
        "inn": "7707000011",
        "kpp": "770701001",
        "address": "Москва, ул. Тверская, д. 10",
    }
    result = run("invoice", "show", credit.number, "--format", "html", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 0 and "7707000011" in (tmp_path / "x.html").read_text(encoding="utf-8")

    for option, value, words in (
        ("--inn", "12345", "inn: must be 10 or 12 digits"),
        ("--kpp", "77070100", "kpp: must be 9 characters"),
    ):
        result = run("customer", "add", "--id", "romashka", "--name", "x", option, value)
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_apply_file_carries_tax_details(billed, cli, tmp_path):
    directory = tmp_path / "directory.toml"
    directory.write_text(
        '[[customers]]\nid = "vasilek"\nname = "ООО «Василёк»"\ninn = "500100001234"\naddress = "Химки"\n',
        encoding="utf-8",
    )
    result = cli(billed.desk)("apply", str(directory))
    assert result.exit_code == 0, result.output
    listed = {c["id"]: c for c in json.loads(cli(billed.desk)("customer", "list", "--format", "json").output)}
    assert listed["vasilek"]["inn"] == "500100001234" and listed["vasilek"]["address"] == "Химки"
    assert listed["vasilek"]["kpp"] is None
    directory.write_text('[[customers]]\nid = "vasilek"\nname = "x"\ninn = "50010000123X"\n', encoding="utf-8")
    result = cli(billed.desk)("apply", str(directory))
    assert result.exit_code == 2 and "customers[0].inn" in result.output, result.output


def test_an_issued_invoice_keeps_the_buyer_details_it_was_issued_with(billed, cli):
    run = cli(billed.desk)
    assert run("customer", "add", "--id", "romashka", "--name", "ООО «Ромашка»", "--inn", "7707000011").exit_code == 0
    assert billed.desk.billing.invoice(billed.october).customer_details == {}  # issued before the ИНН was known
    assert run("customer", "add", "--id", "romashka", "--name", "ООО «Ромашка»", "--inn", "7707000099").exit_code == 0
    credit = billed.desk.billing.void(billed.october, "wrong rate", actor=Actor.operator())
    assert credit.customer_details == {"inn": "7707000099"}
    assert billed.desk.billing.invoice(billed.october).customer_details == {}
