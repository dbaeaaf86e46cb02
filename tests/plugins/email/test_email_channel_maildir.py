"""The e-mail channel on Maildir and mbox, end to end through ``deskframe intake run --once``.

RELIABILITY 2 (storage error leaves mail in new/), 3 (fetched twice -> one article),
4 (quarantine + retry), 8 (over-size kept raw and visible), 13 (trusted control
headers), 15 (references into another customer's ticket).
"""

from __future__ import annotations

import hashlib
import json
import os

import make_corpus
import pytest
from mailservers import channel_toml, deliver, make_maildir, message

from deskframe import Contact, Customer
from deskframe.actors import Actor
from deskframe.errors import StorageError
from deskframe.intake.polling import build_channel, poll


def run_once(cli, desk, *extra):
    result = cli(desk)("intake", "run", "--once", "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def quarantined(cli, desk, status="held"):
    result = cli(desk)("intake", "quarantine", "list", "--status", status, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def article_raws(desk):
    raws = []
    for row in desk.tickets.list(limit=None):
        for article in desk.tickets.get(row["number"]).articles:
            if article.raw_sha256:
                raws.append(desk.blobs.get(article.raw_sha256))
    return raws


def test_whole_corpus_through_intake_run(make_desk, cli, corpus, tmp_path):
    """Every corpus message ends as an article or in quarantine, raw bytes kept; nothing is lost."""
    box = make_maildir(tmp_path / "mail")
    names = {name: deliver(box, raw, name=f"1790000000.{name}.test") for name, raw in corpus.items()}
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    report = run_once(cli, desk)[0]
    assert report["fetched"] == len(corpus) and report["stopped"] is None
    assert os.listdir(box / "new") == []
    assert sorted(os.listdir(box / "cur")) == sorted(f"{n}:2,S" for n in names.values())  # moved, none deleted

    raws = article_raws(desk)
    held = quarantined(cli, desk)
    kept = set(raws) | {desk.blobs.get(item["raw_sha256"]) if item["raw_sha256"] else b"" for item in held}
    for name, raw in corpus.items():
        if name == "duplicate_message_id_b":
            continue  # same Message-ID as _a: one article (RELIABILITY 3)
        assert raw in kept, name
    assert raws.count(corpus["duplicate_message_id_a"]) == 1 and corpus["duplicate_message_id_b"] not in raws
    reasons = {item["size"]: item["reason"] for item in held}
    assert any("exceeds the limit" in r for r in reasons.values())  # oversized_26mb: RELIABILITY 8
    assert {len(corpus["binary_garbage"]), len(corpus["empty_message"]), len(corpus["oversized_26mb"])} <= set(reasons)
    assert report["created"] + report["appended"] + report["duplicates"] + report["quarantined"] == len(corpus)
    assert report["quarantined"] == len(held)

    subjects = {t["subject"] for t in desk.tickets.list(limit=None)}
    assert make_corpus.RU_SUBJECT in subjects  # koi8-r / windows-1251 / utf-8, decoded

    again = run_once(cli, desk)[0]
    assert again["fetched"] == 0


def test_duplicates_and_missing_message_id(make_desk, cli, tmp_path):
    """Same Message-ID twice, same raw bytes without Message-ID twice: one article each (RELIABILITY 3)."""
    with_id = message("With id", msgid="<same@customer.example>")
    without_id = message("Without id", msgid=None)
    box = make_maildir(tmp_path / "mail", [with_id, with_id, without_id, without_id])
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    report = run_once(cli, desk)[0]
    assert (report["fetched"], report["created"], report["duplicates"]) == (4, 2, 2)
    raws = article_raws(desk)
    assert sorted(raws) == sorted([with_id, without_id])
    # delivered again later (a crash before the move, a copy): still one article each
    deliver(box, with_id)
    deliver(box, without_id)
    report = run_once(cli, desk)[0]
    assert (report["created"], report["duplicates"]) == (0, 2)
    assert len(desk.tickets.list(limit=None)) == 2


def test_unparseable_goes_to_quarantine_and_retry_after_fix(make_desk, cli, tmp_path):
    """RELIABILITY 4 and 8: kept raw with a reason, the loop goes on; retry works after the fix (a higher limit)."""
    big = message("Big one", body="x" * 5000 + "\n")
    garbage = bytes(range(256)) * 10
    after = message("After the bad ones")
    box = make_maildir(tmp_path / "mail", [garbage, big, after])
    desk = make_desk(channel_toml(source=f"maildir:{box}", max_bytes=4096))
    report = run_once(cli, desk)[0]
    assert (report["created"], report["quarantined"]) == (1, 2)
    assert os.listdir(box / "new") == []
    held = quarantined(cli, desk)
    assert [h["size"] for h in held] == [len(garbage), len(big)]
    assert "not an e-mail" in held[0]["reason"] and "exceeds the limit of 4096" in held[1]["reason"]
    assert all(h["external_id"].startswith("sha256:") for h in held)
    shown = cli(desk)("intake", "quarantine", "show", str(held[1]["id"]))
    assert "Big one" in shown.output and "exceeds" in shown.output

    failed = cli(desk)("intake", "quarantine", "retry", str(held[1]["id"]))
    assert failed.exit_code == 1 and "exceeds" in failed.output
    # the fix: a higher limit in the config file
    path = desk.config.path
    path.write_text(path.read_text().replace("max_bytes = 4096", "max_bytes = 65536"))
    fixed = cli(desk)("intake", "quarantine", "retry", str(held[1]["id"]))
    assert fixed.exit_code == 0, fixed.output
    number = fixed.output.split()[-1]
    assert desk.tickets.get(number).subject == "Big one"
    assert desk.blobs.get(desk.tickets.get(number).articles[0].raw_sha256) == big
    assert [h["id"] for h in quarantined(cli, desk)] == [held[0]["id"]]


def test_storage_error_leaves_message_in_new(make_desk, tmp_path, monkeypatch):
    """RELIABILITY 2: a storage error stops the poll; the message stays in new/, unflagged, for the next poll."""
    box = make_maildir(tmp_path / "mail", [message("First"), message("Second")])
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    before = sorted(os.listdir(box / "new"))

    def broken(message):
        raise StorageError("database is locked")

    with monkeypatch.context() as m:
        m.setattr(desk.intake, "receive", broken)
        m.setattr(desk.intake, "receive_many", broken)  # Maildir messages are stored in batches
        report = poll(desk, build_channel(desk, "support-mail"))
    assert report.stopped and report.created == 0
    assert sorted(os.listdir(box / "new")) == before and os.listdir(box / "cur") == []
    report = poll(desk, build_channel(desk, "support-mail"))
    assert report.created == 2 and os.listdir(box / "new") == []


def test_cur_messages_and_processed_folder(make_desk, cli, tmp_path):
    """Unseen messages in cur/ are read, seen ones are not; processed_folder moves into a Maildir++ subfolder."""
    box = make_maildir(tmp_path / "mail", [message("In new")])
    (box / "cur" / "1790000001.A.test:2,").write_bytes(message("In cur, unseen"))
    (box / "cur" / "1790000002.B.test:2,S").write_bytes(message("In cur, read by a person"))
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    report = run_once(cli, desk)[0]
    assert report["created"] == 2
    in_cur = os.listdir(box / "cur")
    assert len(in_cur) == 3 and {"1790000001.A.test:2,S", "1790000002.B.test:2,S"} <= set(in_cur)
    assert all(name.endswith(":2,S") for name in in_cur) and os.listdir(box / "new") == []

    other = make_maildir(tmp_path / "other", [message("Moved away")])
    (other / "cur" / "1790000003.C.test:2,FS").write_bytes(message("Read and flagged"))
    desk2 = make_desk(channel_toml(source=f"maildir:{other}", processed_folder="Processed"))
    report = run_once(cli, desk2)[0]
    assert report["created"] == 2
    assert os.listdir(other / "new") == [] and os.listdir(other / "cur") == []
    moved = sorted(os.listdir(other / ".Processed" / "cur"))
    assert len(moved) == 2 and "1790000003.C.test:2,FS" in moved and all(n.endswith("S") for n in moved)
    assert (other / ".Processed" / "maildirfolder").exists()


CONTROL = {"X-Deskframe-Queue": "vip", "X-Deskframe-Priority": "P1"}


def test_control_headers_only_on_trusted_channel(make_desk, cli, tmp_path):
    """RELIABILITY 13: X-Deskframe-Queue/-Priority apply on a channel marked trusted, nowhere else."""
    trusted = make_maildir(tmp_path / "trusted", [message("From the monitoring system", extra=CONTROL)])
    public = make_maildir(tmp_path / "public", [message("From anyone on the internet", extra=CONTROL)])
    desk = make_desk(
        channel_toml("monitoring", source=f"maildir:{trusted}", trusted=True)
        + channel_toml("public", source=f"maildir:{public}", address="help@desk.example")
    )
    reports = run_once(cli, desk)
    assert [r["created"] for r in reports] == [1, 1]
    tickets = {t["subject"]: t for t in desk.tickets.list(limit=None)}
    assert (tickets["From the monitoring system"]["queue"], tickets["From the monitoring system"]["priority"]) == (
        "vip",
        "P1",
    )
    assert tickets["From anyone on the internet"]["queue"] == "unknown"
    assert tickets["From anyone on the internet"]["priority"] != "P1"


def test_references_into_another_customers_ticket(make_desk, cli, tmp_path):
    """RELIABILITY 15: a reply pointing at another customer's ticket opens a new ticket instead."""
    box = make_maildir(
        tmp_path / "mail", [message("Server down", sender="ivan@acme.example", msgid="<first@acme.example>")]
    )
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    desk.directory.add_customer(Customer("acme", "ACME", domains=("acme.example",)), actor=Actor.operator())
    desk.directory.add_customer(Customer("rival", "Rival", domains=("rival.example",)), actor=Actor.operator())
    desk.directory.add_contact(Contact("Ivan", "ivan@acme.example", customer="acme"), actor=Actor.operator())
    desk.directory.add_contact(Contact("Eve", "eve@rival.example", customer="rival"), actor=Actor.operator())
    run_once(cli, desk)
    (original,) = desk.tickets.list(limit=None)
    number = original["number"]
    refs = {"In-Reply-To": "<first@acme.example>", "References": "<first@acme.example>"}
    deliver(box, message(f"Re: [Ticket#{number}] Server down", sender="eve@rival.example", extra=refs))
    deliver(box, message(f"Re: [Ticket#{number}] Server down", sender="maria@acme.example", extra=refs))
    report = run_once(cli, desk)[0]
    assert (report["created"], report["appended"]) == (1, 1)
    senders = [a.sender for a in desk.tickets.get(number).articles]
    assert senders == ["ivan@acme.example", "maria@acme.example"]
    other = next(t for t in desk.tickets.list(limit=None) if t["number"] != number)
    assert other["customer"] == "rival"


def test_mbox_read_only_with_cursor(make_desk, cli, tmp_path):
    """mbox: read from where the last poll stopped; a rewritten file is read again without duplicates."""

    def entry(raw: bytes) -> bytes:
        return b"From sender@customer.example Mon Nov  2 09:00:00 2026\n" + raw.replace(b"\r\n", b"\n") + b"\n"

    first = message("First", body="From here on it fails.\n")
    escaped = first.replace(b"\r\nFrom here", b"\r\n>From here")
    second, third = message("Second"), message("Третье письмо")
    path = tmp_path / "support.mbox"
    path.write_bytes(entry(escaped) + entry(second))
    desk = make_desk(channel_toml(source=f"mbox:{path}"))
    assert run_once(cli, desk)[0]["created"] == 2
    stored = article_raws(desk)
    assert first.replace(b"\r\n", b"\n") in stored  # ">From " unescaped, separator line not part of the message
    before = path.read_bytes()
    assert run_once(cli, desk)[0]["fetched"] == 0

    with open(path, "ab") as handle:
        handle.write(entry(third))
    report = run_once(cli, desk)[0]
    assert (report["fetched"], report["created"]) == (1, 1)
    assert path.read_bytes() == before + entry(third)  # never written by us

    path.write_bytes(entry(second) + entry(third))  # a mail reader deleted the first message
    report = run_once(cli, desk)[0]
    assert (report["fetched"], report["created"], report["duplicates"]) == (2, 0, 2)
    assert len(desk.tickets.list(limit=None)) == 3


def test_missing_maildir_is_one_line_error(make_desk, cli, tmp_path):
    desk = make_desk(channel_toml(source=f"maildir:{tmp_path / 'nowhere'}"))
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 1
    assert "is not a Maildir" in result.output and "Traceback" not in result.output


def test_raw_kept_byte_for_byte(make_desk, cli, tmp_path, corpus):
    raw = corpus["charset_koi8r_8bit"]
    box = make_maildir(tmp_path / "mail", [raw])
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    run_once(cli, desk)
    (ticket,) = desk.tickets.list(limit=None)
    article = desk.tickets.get(ticket["number"]).articles[0]
    assert hashlib.sha256(desk.blobs.get(article.raw_sha256)).digest() == hashlib.sha256(raw).digest()
    assert ticket["subject"] == make_corpus.RU_SUBJECT
    assert "принтер" in article.text


@pytest.mark.parametrize(
    "keys, where, problem",
    [
        ({"source": "ftp://x"}, "channels[0].source", "unknown source"),
        ({"source": "imaps://u:pw@host/INBOX", "password_env": "P"}, "channels[0].source", "must not hold a password"),
        ({"source": "imaps://u@host/INBOX"}, "channels[0].password_env", "is required"),
        ({"source": "imap://u@mail.example.com/INBOX", "password_env": "P"}, "channels[0].source", "unencrypted"),
        ({"source": "maildir:/x", "address": "not an address"}, "channels[0].address", "not an e-mail address"),
        ({"source": "maildir:/x", "smtp": "http://x"}, "channels[0].smtp", "unknown scheme"),
        ({"source": "maildir:/x", "password_env": "BAD-NAME"}, "channels[0].password_env", "not an environment"),
        ({"source": "maildir:/x", "trusted": "yes"}, "channels[0].trusted", "true or false"),
        ({"source": "maildir:/x", "max_bytes": 10}, "channels[0].max_bytes", "at least 1024"),
        ({"source": "maildir:/x", "autoreply": {"cap_per_day": 3}}, "channels[0].autoreply.canned", "is required"),
        ({"source": "maildir:/x", "delete_after_import": True}, "channels[0].delete_after_import", "only a POP3"),
        (
            {"source": "pop3s://u@h", "password_env": "P", "processed_folder": "Done"},
            "channels[0].processed_folder",
            "only IMAP and Maildir",
        ),
        ({"source": "imaps://u@h/INBOX", "password_env": "P", "folder": "Other"}, "channels[0].folder", "differs"),
        ({"source": "maildir:/x", "interval": "soon"}, "channels[0].interval", "bad duration"),
        ({"source": "maildir:/x", "colour": "red"}, "channels[0].colour", "unknown key"),
    ],
)
def test_config_errors_name_the_key(make_desk, keys, where, problem):
    from deskframe.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        make_desk(channel_toml(**keys))
    assert caught.value.key == where and problem in caught.value.problem, str(caught.value)
    assert caught.value.file


def test_unknown_canned_response_for_autoreply(make_desk, cli, tmp_path):
    box = make_maildir(tmp_path / "mail")
    desk = make_desk(channel_toml(source=f"maildir:{box}", autoreply={"canned": "nope"}))
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 2
    assert "channels[0].autoreply.canned" in result.output and "unknown canned response 'nope'" in result.output
