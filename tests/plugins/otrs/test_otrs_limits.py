"""The OTRS import applies intake's size limits and flags implausible time (issue 18, defect 10)."""

from __future__ import annotations

import datetime as dt

import otrs_fixture
import pytest

from deskframe import InboundMessage, numbering

pytestmark = pytest.mark.postgres

UTC = dt.timezone.utc
LIMIT = 4096
CHANNEL = """\
[[channels]]
name = "mail"
type = "email"
source = "maildir:{maildir}"
address = "support@vendor.example"
max_bytes = {limit}
"""


def reasons(summary, key, kind, otrs_id):
    return [r["reason"] for r in summary[key] if r["kind"] == kind and r["otrs_id"] == str(otrs_id)]


def email_desk(make_desk, tmp_path, extra: str = ""):
    maildir = str(tmp_path / "maildir").replace("\\", "/")
    return make_desk(extra + CHANNEL.format(maildir=maildir, limit=LIMIT))


def test_large_body_is_cut_at_the_intake_limit_with_a_note_and_the_raw_kept_whole(
    make_desk, tmp_path, otrs_source, run_import
):
    desk = email_desk(make_desk, tmp_path)
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    number = otrs_fixture.tn(dt.date(2024, 3, 1), 1)
    tid = w.ticket(number, "big log", state="open")
    body = "Строка журнала: ошибка 500\n" * 600  # ~27 KB of UTF-8, over the 4 KB limit
    raw = (
        b"From: ivan@acme.example\r\nSubject: log\r\nMessage-ID: <big@acme.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body.encode()
    )
    big = w.article(
        tid,
        sender="customer",
        a_from="ivan@acme.example",
        subject="log",
        body=body,
        raw=raw,
        message_id="<big@acme.example>",
    )
    small = w.article(
        tid,
        sender="customer",
        a_from="ivan@acme.example",
        subject="short",
        body="short text",
        message_id="<small@acme.example>",
    )
    summary = run_import(desk, src.url)

    cut, kept = desk.tickets.get(number).articles
    text, _, note = cut.text.rpartition("\n\n")
    assert body.startswith(text) and len(text.encode()) <= LIMIT
    assert note.startswith("[deskframe:") and str(LIMIT) in note and str(len(body)) in note
    assert desk.blobs.get(cut.raw_sha256) == raw  # the full source, whole
    assert any("cut" in r for r in reasons(summary, "warnings", "article", big))
    assert kept.text == "short text" and not reasons(summary, "warnings", "article", small)


def test_large_body_without_raw_source_is_cut_too(make_desk, tmp_path, otrs_source, run_import):
    desk = email_desk(make_desk, tmp_path)
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    number = otrs_fixture.tn(dt.date(2024, 3, 1), 2)
    tid = w.ticket(number, "phone note", state="open")
    body = "x" * 3 * LIMIT
    aid = w.article(tid, sender="agent", channel="Phone", a_from="alice@vendor.example", subject="call", body=body)
    summary = run_import(desk, src.url)
    article = desk.tickets.get(number).articles[0]
    assert article.text.startswith("x" * LIMIT) and not article.text.startswith("x" * (LIMIT + 1))
    assert "[deskframe:" in article.text and article.raw_sha256 is None
    assert any("cut" in r for r in reasons(summary, "warnings", "article", aid))


def test_attachment_over_the_desk_limit_is_not_read_and_reported(make_desk, tmp_path, otrs_source, run_import):
    desk = email_desk(make_desk, tmp_path, "attachment_max_bytes = 2048\n")
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    number = otrs_fixture.tn(dt.date(2024, 3, 1), 3)
    tid = w.ticket(number, "files", state="open")
    aid = w.article(tid, sender="customer", a_from="ivan@acme.example", subject="files", body="see files")
    w.attachment(aid, "small.txt", "text/plain", b"s" * 100)
    w.attachment(aid, "big.bin", "application/octet-stream", b"\x00\x01" * 4000)
    summary = run_import(desk, src.url)
    article = desk.tickets.get(number).articles[0]
    assert [a.filename for a in article.attachments] == ["small.txt"]
    assert any(
        "big.bin" in r and "8000 bytes" in r
        for r in reasons(summary, "warnings", "article", aid) + reasons(summary, "skipped", "article", aid)
    )


def test_implausible_time_is_flagged_at_the_end_of_the_import(desk, make_desk, otrs_source, run_import, cli):
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    alice = w.user("alice", "Alice", "Smirnova", "alice@vendor.example")
    number = otrs_fixture.tn(dt.date(2024, 3, 1), 4)
    tid = w.ticket(number, "time", state="open")
    huge = w.time(tid, "99999999.99", by=alice)
    negative = w.time(tid, "-30", by=alice)
    long_day = w.time(tid, "1441", by=alice)
    fine = w.time(tid, "90", by=alice)
    full_day = w.time(tid, "1440", by=alice)
    summary = run_import(desk, src.url)

    flagged = {f["otrs_id"]: f for f in summary["implausible_time"]}
    assert set(flagged) == {str(huge), str(negative), str(long_day)}
    assert summary["implausible_time_total"] == 3
    assert flagged[str(huge)]["minutes"] == 100_000_000 and flagged[str(huge)]["ticket"] == number
    assert "24 h" in flagged[str(huge)]["reason"] and "negative" in flagged[str(negative)]["reason"]
    assert str(fine) not in flagged and str(full_day) not in flagged
    # counts and sums still match OTRS: flagged, not dropped
    assert summary["time_entries"] == 5

    text = cli(make_desk())("import", "otrs", "--source", src.url).output  # the text summary, on another desk
    tail = text.rstrip().splitlines()
    header = next(i for i, line in enumerate(tail) if line.startswith("Implausible time (3)"))
    assert all(line.startswith("  ") for line in tail[header + 1 :]) and len(tail) - header - 1 == 3
    assert any("100000000 minutes" in line and str(huge) in line for line in tail[header + 1 :])


def test_time_beyond_what_can_be_stored_is_skipped_not_the_ticket(desk, otrs_source, run_import):
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    alice = w.user("alice", "Alice", "Smirnova", "alice@vendor.example")
    number = otrs_fixture.tn(dt.date(2024, 3, 1), 5)
    tid = w.ticket(number, "time", state="open")
    w.article(tid, sender="customer", a_from="ivan@acme.example", subject="hi", body="hi")
    absurd = w.time(tid, "99999999.99", by=alice)  # the largest NUMERIC(10,2); in hours, 6e9 minutes
    w.time(tid, "0.5", by=alice)
    summary = run_import(desk, src.url, "--unit-minutes", "60")
    assert desk.tickets.get(number).articles  # the ticket is there
    assert [e.minutes for e in desk.time.entries()] == [30]
    assert reasons(summary, "skipped", "time_accounting", absurd)


def test_imported_ticket_threads_only_for_related_senders(desk, otrs_source, run_import):
    src = otrs_source()
    run_import(desk, src.url)
    number = src.data.numbers["t1"]  # customer acme, contact ivan; alice wrote to boss@acme.example too
    hook = desk.settings.subject_hook

    def mail(n, sender):
        return InboundMessage(
            channel="mail",
            external_id=n,
            received_at=dt.datetime.now(UTC),
            sender=sender,
            subject=f"Re: {numbering.tag_subject(hook, number, 'x')}",
            text="again",
        )

    for i, sender in enumerate(("ivan@acme.example", "boss@acme.example")):
        result = desk.intake.receive(mail(f"ok{i}", sender))
        assert result.ticket == number and not result.created, sender
    before = len(desk.tickets.get(number).articles)
    attack = desk.intake.receive(mail("x", "mallory@evil.example"))
    assert attack.created and len(desk.tickets.get(number).articles) == before
    assert [h.new for h in desk.tickets.get(attack.ticket).history if h.action == "thread_refused"] == [number]
