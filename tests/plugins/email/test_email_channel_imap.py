"""The e-mail channel against a real Dovecot on loopback: IMAP (UIDVALIDITY+UID) and POP3 (UIDL).

RELIABILITY 2 (nothing flagged, moved or deleted before the commit; a storage
error leaves the message on the server), 3 (UIDVALIDITY change duplicates
nothing), 8 (over-size mail left on the server and reported).
"""

from __future__ import annotations

import json

import pytest
from mailservers import channel_toml, message

from deskframe.errors import StorageError
from deskframe.intake.polling import build_channel, poll

SEEN = b"\\Seen"


def imap_desk(make_desk, dovecot, folder, scheme="imap", **keys):
    keys.setdefault("password_env", "TEST_MAIL_PASSWORD")
    return make_desk(channel_toml(source=dovecot.source(scheme, folder), **keys))


def run_once(cli, desk):
    result = cli(desk)("intake", "run", "--once", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]


def seen(flags) -> bool:
    return SEEN in flags


def test_imap_import_and_seen_only_after_commit(dovecot, make_desk, cli, corpus, monkeypatch):
    folder = dovecot.fresh_folder()
    dovecot.append(folder, corpus["charset_koi8r_8bit"], message("No id", msgid=None), message("Plain"))
    desk = imap_desk(make_desk, dovecot, folder)
    flags_during_intake = []
    real_intake = desk.intake.receive

    def watching(msg):
        flags_during_intake.append(sum(seen(f) for f in dovecot.state(folder).values()))
        return real_intake(msg)

    with monkeypatch.context() as m:
        m.setattr(desk.intake, "receive", watching)
        report = poll(desk, build_channel(desk, "support-mail"))
    assert (report.fetched, report.created) == (3, 3)
    assert flags_during_intake == [0, 1, 2]  # BODY.PEEK: each flagged only after its commit
    assert all(seen(f) for f in dovecot.state(folder).values())
    position = json.loads(desk.cursors.get("support-mail", "imap:position"))
    assert position["folder"] == folder and position["last_uid"] == 3 and position["uidvalidity"]

    assert run_once(cli, desk)["fetched"] == 0
    dovecot.append(folder, message("Later"))
    report = run_once(cli, desk)
    assert (report["fetched"], report["created"]) == (1, 1)
    subjects = {t["subject"] for t in desk.tickets.list(limit=None)}
    assert "Не работает принтер" in subjects and "Later" in subjects


def test_imap_storage_error_leaves_message_unflagged(dovecot, make_desk, monkeypatch):
    """RELIABILITY 2."""
    folder = dovecot.fresh_folder()
    dovecot.append(folder, message("One"), message("Two"))
    desk = imap_desk(make_desk, dovecot, folder)

    def broken(msg):
        raise StorageError("disk I/O error")

    with monkeypatch.context() as m:
        m.setattr(desk.intake, "receive", broken)
        report = poll(desk, build_channel(desk, "support-mail"))
    assert report.stopped and report.created == 0
    state = dovecot.state(folder)
    assert len(state) == 2 and not any(seen(f) for f in state.values())
    report = poll(desk, build_channel(desk, "support-mail"))
    assert report.created == 2 and all(seen(f) for f in dovecot.state(folder).values())


def test_imap_uidvalidity_change_duplicates_nothing(dovecot, make_desk, cli):
    """RELIABILITY 3: the folder is recreated (new UIDVALIDITY, UIDs from 1 again)."""
    folder = dovecot.fresh_folder()
    old = [message("Alpha"), message("Beta", msgid=None), message("Gamma")]
    dovecot.append(folder, *old)
    desk = imap_desk(make_desk, dovecot, folder)
    assert run_once(cli, desk)["created"] == 3
    before = json.loads(desk.cursors.get("support-mail", "imap:position"))["uidvalidity"]

    with dovecot.client() as c:
        c.delete_folder(folder)
        c.create_folder(folder)
    dovecot.append(folder, *old, message("Delta"))
    report = run_once(cli, desk)
    after = json.loads(desk.cursors.get("support-mail", "imap:position"))
    assert after["uidvalidity"] != before and after["last_uid"] == 4
    assert (report["fetched"], report["created"], report["duplicates"]) == (4, 1, 3)
    assert len(desk.tickets.list(limit=None)) == 4


def test_imap_move_to_processed_folder(dovecot, make_desk, cli):
    folder = dovecot.fresh_folder()
    done = folder + "-done"
    dovecot.append(folder, message("Move me"), message("Me too"))
    desk = imap_desk(make_desk, dovecot, folder, processed_folder=done)
    assert run_once(cli, desk)["created"] == 2
    assert dovecot.state(folder) == {}
    assert len(dovecot.state(done)) == 2 and all(seen(f) for f in dovecot.state(done).values())


def test_imap_oversize_left_on_server_and_taken_later(dovecot, make_desk, cli):
    """RELIABILITY 8: not downloaded, left unflagged, visible in the quarantine; a higher limit takes it in."""
    folder = dovecot.fresh_folder()
    big = message("Huge log attached", body="x" * 6000 + "\n")
    dovecot.append(folder, big, message("Small"))
    desk = imap_desk(make_desk, dovecot, folder, max_bytes=4096)
    report = run_once(cli, desk)
    assert (report["created"], report["quarantined"]) == (1, 1)
    state = dovecot.state(folder)
    assert [seen(state[uid]) for uid in sorted(state)] == [False, True]
    listed = json.loads(cli(desk)("intake", "quarantine", "list", "--format", "json").output)
    assert len(listed) == 1 and "left on the server" in listed[0]["reason"]
    shown = cli(desk)("intake", "quarantine", "show", str(listed[0]["id"])).output
    assert "Huge log attached" in shown and "X-Deskframe-Left-On-Server" in shown
    retry = cli(desk)("intake", "quarantine", "retry", str(listed[0]["id"]))
    assert retry.exit_code == 1 and "still on the mail server" in retry.output

    report = run_once(cli, desk)
    assert report["fetched"] == 0  # reported once, not on every poll
    path = desk.config.path
    path.write_text(path.read_text().replace("max_bytes = 4096", "max_bytes = 65536"))
    report = run_once(cli, desk)
    assert (report["fetched"], report["created"]) == (1, 1)
    assert all(seen(f) for f in dovecot.state(folder).values())
    assert run_once(cli, desk)["fetched"] == 0


@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
def test_imap_over_tls(dovecot, make_desk, cli, scheme):
    if dovecot.ca_file is None:
        pytest.skip("scripts/start-dovecot made no certificate (openssl missing)")
    folder = dovecot.fresh_folder()
    dovecot.append(folder, message(f"Over {scheme}"))
    unverified = imap_desk(make_desk, dovecot, folder, scheme)
    result = cli(unverified)("intake", "run", "--once")
    assert result.exit_code == 1 and "CERTIFICATE_VERIFY_FAILED" in result.output and "Traceback" not in result.output
    desk = imap_desk(make_desk, dovecot, folder, scheme, ca_file=dovecot.ca_file)
    assert run_once(cli, desk)["created"] == 1


# --- POP3 ------------------------------------------------------------------------------------


def pop3_desk(make_desk, dovecot, scheme="pop3", **keys):
    keys.setdefault("password_env", "TEST_MAIL_PASSWORD")
    return make_desk(channel_toml(source=dovecot.source(scheme), **keys))


def inbox_count(dovecot) -> int:
    return len(dovecot.state("INBOX"))


def test_pop3_uidl_tracked_mail_kept_on_server(dovecot, make_desk, cli):
    dovecot.empty_inbox()
    dovecot.append("INBOX", message("Pop one"), message("Pop two", msgid=None))
    desk = pop3_desk(make_desk, dovecot)
    assert run_once(cli, desk)["created"] == 2
    assert inbox_count(dovecot) == 2  # delete_after_import defaults to false
    assert run_once(cli, desk)["fetched"] == 0
    dovecot.append("INBOX", message("Pop three"))
    report = run_once(cli, desk)
    assert (report["fetched"], report["created"]) == (1, 1)
    assert sum(1 for k in desk.cursors.all("support-mail") if k.startswith("pop3:uidl:")) == 3


def test_pop3_delete_only_after_commit(dovecot, make_desk, cli, monkeypatch):
    """RELIABILITY 2 for POP3: a storage error deletes nothing; after the commit the message goes."""
    dovecot.empty_inbox()
    dovecot.append("INBOX", message("Delete me"), message("And me"))
    desk = pop3_desk(make_desk, dovecot, delete_after_import=True)

    def broken(msg):
        raise StorageError("database is locked")

    with monkeypatch.context() as m:
        m.setattr(desk.intake, "receive", broken)
        report = poll(desk, build_channel(desk, "support-mail"))
    assert report.stopped and inbox_count(dovecot) == 2
    assert run_once(cli, desk)["created"] == 2
    assert inbox_count(dovecot) == 0


def test_pop3_recorded_but_not_deleted_is_deleted_next_time(dovecot, make_desk, cli):
    """A crash between the commit and QUIT leaves the message; the next poll deletes it, imports nothing."""
    dovecot.empty_inbox()
    dovecot.append("INBOX", message("Crashed before QUIT"))
    desk = pop3_desk(make_desk, dovecot, delete_after_import=True)
    keep = pop3_desk(make_desk, dovecot)  # same mailbox, not deleting: imports and records the UIDL
    run_once(cli, keep)
    for key, value in keep.cursors.all("support-mail").items():
        desk.cursors.set("support-mail", key, value)
    report = run_once(cli, desk)
    assert report["fetched"] == 0 and inbox_count(dovecot) == 0


def test_pop3s_with_oversize(dovecot, make_desk, cli):
    if dovecot.pop3s is None:
        pytest.skip("scripts/start-dovecot made no certificate (openssl missing)")
    dovecot.empty_inbox()
    dovecot.append("INBOX", message("Big", body="y" * 5000 + "\n"), message("Fine"))
    desk = pop3_desk(make_desk, dovecot, "pop3s", ca_file=dovecot.ca_file, max_bytes=4096, delete_after_import=True)
    report = run_once(cli, desk)
    assert (report["created"], report["quarantined"]) == (1, 1)
    assert inbox_count(dovecot) == 1  # the big one stays on the server
    assert run_once(cli, desk)["fetched"] == 0


# Last in this file: after a failed login Dovecot delays logins from the same address for seconds.
def test_imap_wrong_password_is_one_line(dovecot, make_desk, cli, monkeypatch):
    folder = dovecot.fresh_folder()
    desk = imap_desk(make_desk, dovecot, folder)
    monkeypatch.setenv("TEST_MAIL_PASSWORD", "wrong")
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 1 and "cannot log in" in result.output and "Traceback" not in result.output
    monkeypatch.delenv("TEST_MAIL_PASSWORD")
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 2 and "TEST_MAIL_PASSWORD is not set" in result.output
