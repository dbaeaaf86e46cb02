"""Deterministic corpus of hard e-mail for the deskframe_email parser tests.

    python tests/plugins/email/make_corpus.py OUTDIR      # writes OUTDIR/<name>.eml

or, from Python, ``build_corpus()`` -> ``{name: raw bytes}``. Same output on every
run (no randomness, fixed dates). Covers RELIABILITY items 5-11 and 14: charsets
(koi8-r, windows-1251, iso-8859-5, gb2312, utf-8; declared, undeclared, unknown,
wrong), raw 8-bit headers, broken MIME, missing ids and fields, hostile HTML,
nested forwards, header bombs, big bodies, hostile attachment names, TNEF,
automatic mail and bounces, and a threaded reply. ``build_tnef`` makes a minimal
valid ``winmail.dat`` (tnefparse ships no sample in its wheel).
"""

from __future__ import annotations

import base64
import hashlib
import quopri
import struct
import sys
from pathlib import Path

DATE = "Mon, 05 Dec 2011 10:15:00 +0300"
RU_TEXT = "Здравствуйте! У нас не работает принтер в бухгалтерии. Пожалуйста, помогите срочно."
RU_SUBJECT = "Не работает принтер"
ZH_TEXT = "您好，我们的打印机坏了，请尽快帮忙处理。谢谢！"
ZH_SUBJECT = "打印机故障"
DE_TEXT = "Grüße aus München! Der Drucker im Büro funktioniert nicht mehr, bitte prüfen."
TICKET = "2011120910000047"


# --- building blocks -----------------------------------------------------------------------


def ew(text: str, charset: str, encoding: str = "B") -> str:
    """One RFC 2047 encoded word."""
    data = text.encode(charset)
    if encoding == "B":
        payload = base64.b64encode(data).decode("ascii")
    else:
        payload = "".join(
            "_" if b == 0x20 else (chr(b) if chr(b).isascii() and chr(b).isalnum() else f"={b:02X}") for b in data
        )
    return f"=?{charset}?{encoding}?{payload}?="


def b64(data: bytes) -> bytes:
    """Base64 in 76-character lines."""
    text = base64.b64encode(data)
    return b"\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def head(
    *fields: tuple[str, str | bytes],
    base: bool = True,
    subject: str | bytes | None = "Test",
    msgid: str | None = "auto",
    sender: str | bytes | None = "Ivan Petrov <ivan@customer.example>",
) -> bytes:
    """A header block (no trailing blank line); ``base`` adds From/To/Date/Subject/Message-ID."""
    lines: list[bytes] = []

    def add(name: str, value: str | bytes) -> None:
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        lines.append(name.encode("ascii") + b": " + raw)

    if base:
        if sender is not None:
            add("From", sender)
        add("To", "support@desk.example")
        add("Date", DATE)
        if subject is not None:
            add("Subject", subject)
        if msgid is not None:
            add("Message-ID", msgid)
    for name, value in fields:
        add(name, value)
    return b"\n".join(lines)


def message(headers: bytes, body: bytes, *, crlf: bool = False) -> bytes:
    """Headers, blank line, body."""
    raw = headers + b"\n\n" + body
    return raw.replace(b"\n", b"\r\n") if crlf else raw


def part(headers: str | bytes, body: bytes) -> bytes:
    """One MIME part (headers given as text, one per line)."""
    hdr = headers.encode("utf-8") if isinstance(headers, str) else headers
    return hdr.strip(b"\n") + b"\n\n" + body


def multipart(boundary: str, parts: list[bytes], *, close: bool = True, preamble: bytes = b"") -> bytes:
    """A multipart body with the given parts."""
    b = boundary.encode("ascii")
    out = preamble
    for p in parts:
        out += b"\n--" + b + b"\n" + p
    if close:
        out += b"\n--" + b + b"--\n"
    return out


def text_part(text: str, charset: str, cte: str = "8bit") -> bytes:
    data = text.encode(charset)
    if cte == "base64":
        data = b64(data)
    elif cte == "quoted-printable":
        data = quopri.encodestring(data)
    return part(f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}", data)


def attachment(name_params: str, data: bytes, ctype: str = "application/octet-stream") -> bytes:
    """An attachment part; ``name_params`` is the raw parameter text (e.g. ``filename="a.txt"``)."""
    return part(
        f"Content-Type: {ctype}\nContent-Disposition: attachment; {name_params}\nContent-Transfer-Encoding: base64",
        b64(data),
    )


def pdf_bytes(seed: str, size: int = 2048) -> bytes:
    """Deterministic pseudo-random bytes that start like a PDF."""
    block = bytearray(b"%PDF-1.4\n")
    counter = 0
    while len(block) < min(size, 65536):
        block += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return (bytes(block) * (size // len(block) + 1))[:size]


def mixed(headers: bytes, parts: list[bytes], boundary: str = "==b1==", *, close: bool = True) -> bytes:
    ctype = f'Content-Type: multipart/mixed; boundary="{boundary}"'.encode()
    return message(headers + b"\nMIME-Version: 1.0\n" + ctype, multipart(boundary, parts, close=close))


# --- TNEF ------------------------------------------------------------------------------------


def tnef_object(level: int, name: int, kind: int, payload: bytes) -> bytes:
    """One TNEF attribute: level, id, type, length, data, checksum."""
    return struct.pack("<BHHI", level, name, kind, len(payload)) + payload + struct.pack("<H", sum(payload) & 0xFFFF)


def build_tnef(files: list[tuple[str, bytes]]) -> bytes:
    """A minimal valid TNEF stream (``winmail.dat``) holding ``files`` (long names in MAPI)."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    out += tnef_object(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    out += tnef_object(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")
    for name, data in files:
        stem, _, ext = name.rpartition(".")
        short = (stem[:8] + "." + ext[:3]).encode("cp1252") + b"\x00"
        out += tnef_object(2, 0x9002, 0x0006, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0xFFFF, 0xFFFF, 0))
        out += tnef_object(2, 0x8010, 0x0001, short)
        out += tnef_object(2, 0x800F, 0x0006, data)
        long_name = name.encode("cp1252") + b"\x00"
        padded = long_name + b"\x00" * (-len(long_name) % 4)
        mapi = struct.pack("<IHHII", 1, 0x001E, 0x3707, 1, len(long_name)) + padded
        out += tnef_object(2, 0x9005, 0x0006, mapi)
    return out


def hostile_tnef() -> bytes:
    """TNEF whose attachment property count (2**32 - 1) would make tnefparse loop for hours."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += tnef_object(2, 0x9002, 0x0006, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0xFFFF, 0xFFFF, 0))
    out += tnef_object(2, 0x800F, 0x0006, b"data of the hostile file")
    out += tnef_object(2, 0x9005, 0x0006, struct.pack("<I", 0xFFFFFFFF) + b"\x1e\x00\x07\x37")
    return out


def tnef_message(name: str, tnef: bytes) -> bytes:
    return mixed(
        head(
            ("X-MS-TNEF-Correlator", "<00000000@desk.example>"), subject="Outlook rich text", msgid=f"<{name}@corpus>"
        ),
        [
            text_part("Please see the attached files.", "us-ascii"),
            part(
                'Content-Type: application/ms-tnef; name="winmail.dat"\n'
                'Content-Disposition: attachment; filename="winmail.dat"\nContent-Transfer-Encoding: base64',
                b64(tnef),
            ),
        ],
    )


# --- the corpus ------------------------------------------------------------------------------


def _charsets(c: dict[str, bytes]) -> None:
    for cs, name in (("koi8-r", "koi8r"), ("windows-1251", "cp1251"), ("iso-8859-5", "iso88595"), ("utf-8", "utf8")):
        for cte in ("8bit", "base64", "quoted-printable"):
            key = f"charset_{name}_{cte.replace('-', '')}"
            c[key] = message(
                head(
                    ("MIME-Version", "1.0"),
                    ("Content-Type", f"text/plain; charset={cs}"),
                    ("Content-Transfer-Encoding", cte),
                    subject=ew(RU_SUBJECT, cs, "B" if cte != "8bit" else "Q"),
                    msgid=f"<{key}@corpus>",
                    sender=f"{ew('Иван Петров', cs)} <ivan@customer.example>",
                ),
                (text_part(RU_TEXT, cs, cte).split(b"\n\n", 1)[1]),
            )
    c["charset_gb2312"] = message(
        head(
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=gb2312"),
            ("Content-Transfer-Encoding", "base64"),
            subject=ew(ZH_SUBJECT, "gb2312"),
            msgid="<gb2312@corpus>",
        ),
        b64(ZH_TEXT.encode("gb2312")),
    )
    c["charset_gb2312_8bit"] = message(
        head(
            ("Content-Type", 'text/plain; charset="GB2312"'),
            ("Content-Transfer-Encoding", "8bit"),
            subject=ew(ZH_SUBJECT, "gb2312", "Q"),
            msgid="<gb2312-8bit@corpus>",
        ),
        ZH_TEXT.encode("gb2312"),
    )
    c["charset_latin1_german"] = message(
        head(
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "8bit"),
            subject=ew("Drucker im Büro", "iso-8859-1", "Q"),
            msgid="<latin1@corpus>",
        ),
        DE_TEXT.encode("iso-8859-1"),
    )
    subject = RU_SUBJECT.encode("utf-8")
    c["charset_utf8_split_words"] = message(
        head(
            subject=" ".join(ew_bytes(subject[i : i + 7], "utf-8") for i in range(0, len(subject), 7)),
            msgid="<split@corpus>",
        ),
        RU_TEXT.encode("utf-8"),
    )
    c["charset_iso2022jp"] = message(
        head(
            ("Content-Type", "text/plain; charset=iso-2022-jp"),
            ("Content-Transfer-Encoding", "7bit"),
            subject=ew("プリンター", "iso-2022-jp"),
            msgid="<jp@corpus>",
        ),
        "プリンターが壊れました。".encode("iso-2022-jp"),
    )
    # undeclared 8-bit, unknown and wrong charsets
    c["undeclared_8bit_cp1251"] = message(
        head(("Content-Transfer-Encoding", "8bit"), msgid="<u1251@corpus>"), RU_TEXT.encode("cp1251")
    )
    c["undeclared_8bit_koi8r"] = message(
        head(("Content-Type", "text/plain"), msgid="<ukoi@corpus>"), RU_TEXT.encode("koi8-r")
    )
    c["undeclared_8bit_utf8"] = message(head(msgid="<uutf@corpus>"), RU_TEXT.encode("utf-8"))
    c["unknown_charset"] = message(
        head(
            ("Content-Type", 'text/plain; charset="x-unknown-charset"'),
            ("Content-Transfer-Encoding", "8bit"),
            subject=ew(RU_SUBJECT, "koi8-r").replace("koi8-r", "x-unknown-charset"),
            msgid="<unknown-cs@corpus>",
        ),
        RU_TEXT.encode("cp1251"),
    )
    c["wrong_charset_koi8_declared_1251"] = message(
        head(
            ("Content-Type", "text/plain; charset=windows-1251"),
            ("Content-Transfer-Encoding", "8bit"),
            subject=ew(RU_SUBJECT + " в бухгалтерии нашей компании", "koi8-r").replace("koi8-r", "windows-1251"),
            msgid="<wrong1@corpus>",
        ),
        RU_TEXT.encode("koi8-r"),
    )
    c["wrong_charset_utf8_declared_latin1"] = message(
        head(
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "8bit"),
            msgid="<wrong2@corpus>",
        ),
        RU_TEXT.encode("utf-8"),
    )
    c["wrong_charset_1251_declared_utf8"] = message(
        head(
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
            msgid="<wrong3@corpus>",
        ),
        RU_TEXT.encode("cp1251"),
    )
    c["raw_8bit_headers_utf8"] = message(
        head(
            ("Content-Type", "text/plain; charset=utf-8"),
            subject=RU_SUBJECT.encode("utf-8"),
            sender="Иван Петров <ivan@customer.example>".encode(),
            msgid="<raw8utf@corpus>",
        ),
        RU_TEXT.encode("utf-8"),
    )
    c["raw_8bit_headers_cp1251"] = message(
        head(
            ("Content-Type", "text/plain; charset=windows-1251"),
            subject=RU_SUBJECT.encode("cp1251"),
            sender="Иван Петров <ivan@customer.example>".encode("cp1251"),
            msgid="<raw81251@corpus>",
        ),
        RU_TEXT.encode("cp1251"),
    )


def ew_bytes(data: bytes, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="


def _broken(c: dict[str, bytes]) -> None:
    pdf = pdf_bytes("broken")
    body_and_pdf = [
        text_part("Body before the attachment.", "utf-8"),
        attachment('filename="report.pdf"', pdf, "application/pdf"),
    ]
    c["broken_missing_close_boundary"] = mixed(head(msgid="<nc@corpus>"), body_and_pdf, close=False)
    c["broken_missing_boundary_param"] = message(
        head(("MIME-Version", "1.0"), ("Content-Type", "multipart/mixed"), msgid="<nbp@corpus>"),
        multipart("XyZzY42", body_and_pdf),
    )
    c["broken_wrong_boundary"] = message(
        head(
            ("MIME-Version", "1.0"),
            ("Content-Type", 'multipart/mixed; boundary="declared-but-unused"'),
            msgid="<wb@corpus>",
        ),
        multipart("actually-used", body_and_pdf),
    )
    c["broken_no_separator"] = (
        head(("Content-Type", "text/plain; charset=utf-8"), msgid="<nosep@corpus>")
        + b"\n"
        + "Привет, это тело письма без пустой строки.\nВторая строка.\n".encode()
    )
    c["broken_no_separator_multipart"] = (
        head(("MIME-Version", "1.0"), ("Content-Type", 'multipart/mixed; boundary="nsb"'), msgid="<nosep-mp@corpus>")
        + b"\n"
        + multipart("nsb", body_and_pdf).lstrip(b"\n")
    )
    c["broken_base64_attachment"] = mixed(
        head(msgid="<b64@corpus>"),
        [
            text_part("See attachment.", "utf-8"),
            part(
                'Content-Type: application/pdf\nContent-Disposition: attachment; filename="bad.pdf"\n'
                "Content-Transfer-Encoding: base64",
                b"JVBERi0xLjQK!!!not*base64***\nQUJD=\n===",
            ),
        ],
    )
    c["broken_truncated"] = mixed(head(msgid="<trunc@corpus>"), body_and_pdf)[:-900]
    c["broken_header_garbage"] = (
        b"From ivan@customer.example Mon Dec  5 10:15:00 2011\n"
        + head(("X-Garbage", "\x01\x02 control"), msgid="<garbage@corpus>")
        + b"\nThis line has no colon and is not a header\n: starts with colon\n\nBody text here.\n"
    )
    c["broken_nested_missing_boundaries"] = mixed(
        head(msgid="<nested-broken@corpus>"),
        [
            part(
                "Content-Type: multipart/alternative",
                multipart(
                    "inner-alt",
                    [
                        text_part("Inner plain text.", "utf-8"),
                        part("Content-Type: text/html; charset=utf-8", b"<p>Inner <b>HTML</b></p>"),
                    ],
                ),
            )
        ],
        boundary="outer",
    )


def _ids_and_fields(c: dict[str, bytes]) -> None:
    c["no_message_id"] = message(head(msgid=None, subject="No id here"), b"A message without Message-ID.\n")
    for suffix, text in (("a", b"First copy.\n"), ("b", b"Second, different body.\n")):
        c[f"duplicate_message_id_{suffix}"] = message(head(msgid="<same-id-twice@corpus>", subject="Dup"), text)
    c["missing_from_date_subject"] = message(
        b"To: support@desk.example\nMessage-ID: <nofields@corpus>\nContent-Type: text/plain; charset=utf-8",
        "Сообщение без отправителя, даты и темы.\n".encode(),
    )
    c["garbage_from"] = message(head(sender="this is not an address", msgid="<gfrom@corpus>"), b"Body.\n")
    c["reply_with_ticket_number"] = message(
        head(
            ("In-Reply-To", "<reply-parent@desk.example>"),
            ("References", "<root@customer.example>\n <reply-parent@desk.example>"),
            subject=f"Re: [Ticket#{TICKET}] {ew(RU_SUBJECT, 'utf-8')}",
            msgid="<reply@customer.example>",
        ),
        "Спасибо, принтер работает.\n\n> Quoted text\n".encode(),
    )
    c["plain_ascii"] = message(
        head(msgid="<plain@corpus>", subject="Simple question"),
        b"Hello,\n\nhow do I reset my password?\n\nRegards,\nIvan\n",
    )
    c["crlf_line_endings"] = message(
        head(("Cc", "Boss <boss@customer.example>, ivan@customer.example"), msgid="<crlf@corpus>"),
        b"CRLF body.\nSecond line.\n",
        crlf=True,
    )


HOSTILE_HTML = """<html><head><base href="http://evil.example/"><meta http-equiv="refresh" content="0;url=http://evil.example/">
<title>Phish</title><style>body {{ background: url(javascript:alert(1)) }}</style>
<script>alert('xss')</script></head>
<body onload="alert(1)"><p onclick="steal()">{text}</p>
<p><a href="javascript:alert(1)">click me</a> <a href="JaVaScRiPt:alert(2)">or me</a>
<a href="https://desk.example/help">help page</a></p>
<iframe src="http://evil.example/frame"></iframe>
<svg onload="alert(3)"><script>alert(4)</script></svg>
<img src="http://evil.example/x.png" onerror="alert(5)">
<form action="javascript:alert(6)"><input autofocus onfocus="alert(7)"></form>
<div style="color: red; background-image: url(javascript:alert(8))">styled</div>
</body></html>"""


def _html(c: dict[str, bytes]) -> None:
    c["html_only_hostile"] = message(
        head(
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
            msgid="<hostile@corpus>",
        ),
        quopri.encodestring(HOSTILE_HTML.format(text=RU_TEXT).encode("utf-8")),
    )
    c["html_only_meta_charset"] = message(
        head(("Content-Type", "text/html"), ("Content-Transfer-Encoding", "8bit"), msgid="<metacs@corpus>"),
        f'<html><head><meta charset="windows-1251"></head><body><p>{RU_TEXT}</p><br>Вторая строка</body></html>'.encode(
            "cp1251"
        ),
    )
    alt = part(
        'Content-Type: multipart/alternative; boundary="alt"',
        multipart(
            "alt",
            [
                text_part(RU_TEXT, "koi8-r", "quoted-printable"),
                part(
                    "Content-Type: text/html; charset=koi8-r\nContent-Transfer-Encoding: base64",
                    b64(f"<p>{RU_TEXT}</p><script>alert(1)</script>".encode("koi8-r")),
                ),
            ],
        ),
    )
    c["multipart_alternative"] = message(
        head(("MIME-Version", "1.0"), ("Content-Type", 'multipart/alternative; boundary="alt"'), msgid="<alt@corpus>"),
        alt.split(b"\n\n", 1)[1],
    )
    png = b"\x89PNG\r\n\x1a\n" + pdf_bytes("png", 600)[9:]
    related = part(
        'Content-Type: multipart/related; boundary="rel"',
        multipart(
            "rel",
            [
                part("Content-Type: text/html; charset=utf-8", b'<p>Logo: <img src="cid:logo@corpus" alt="logo"></p>'),
                part(
                    "Content-Type: image/png\nContent-ID: <logo@corpus>\nContent-Disposition: inline\n"
                    "Content-Transfer-Encoding: base64",
                    b64(png),
                ),
            ],
        ),
    )
    c["related_inline_image"] = message(
        head(
            ("MIME-Version", "1.0"),
            ("Content-Type", 'multipart/alternative; boundary="outer-alt"'),
            msgid="<related@corpus>",
        ),
        multipart("outer-alt", [text_part("Logo: see HTML.", "utf-8"), related]),
    )
    c["calendar_invite"] = message(
        head(("MIME-Version", "1.0"), ("Content-Type", 'multipart/alternative; boundary="cal"'), msgid="<cal@corpus>"),
        multipart(
            "cal",
            [
                text_part("Meeting invite.", "utf-8"),
                part(
                    "Content-Type: text/calendar; method=REQUEST; charset=utf-8",
                    b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n",
                ),
            ],
        ),
    )
    paragraph = "<p>Строка отчёта с <b>жирным</b> текстом и <a href='https://desk.example/r'>ссылкой</a>.</p>\n"
    big = (
        "<html><body><script>alert(1)</script>"
        + paragraph * (5 * 1024 * 1024 // len(paragraph.encode()))
        + "</body></html>"
    )
    c["html_5mb"] = message(
        head(
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
            msgid="<html5mb@corpus>",
        ),
        big.encode("utf-8"),
    )
    c["html_deep_nesting"] = message(
        head(("Content-Type", "text/html; charset=utf-8"), msgid="<deepdiv@corpus>"),
        b"<p>start</p>" + b"<div>" * 60_000 + b"deep text" + b"&x" * 50_000,
    )


def forward_chain(depth: int, name: str) -> bytes:
    """``depth`` messages, each forwarding the next as message/rfc822 inside multipart/mixed."""
    inner = message(
        head(subject="Level 0 original", msgid=f"<{name}-0@corpus>"), "Исходное сообщение: принтер сломан.\n".encode()
    )
    for level in range(1, depth + 1):
        inner = mixed(
            head(subject=f"Fwd: level {level}", msgid=f"<{name}-{level}@corpus>"),
            [text_part(f"Forward note at level {level}.", "utf-8"), part("Content-Type: message/rfc822", inner)],
            boundary=f"fwd-{level}",
        )
    return inner


def _nesting_and_size(c: dict[str, bytes]) -> None:
    c["forward_3_deep"] = forward_chain(3, "f3")
    c["forward_25_deep"] = forward_chain(25, "f25")
    inner = mixed(
        head(subject="Original with file", msgid="<orig-file@corpus>"),
        [
            text_part("The log is attached.", "utf-8"),
            attachment('filename="server.log"', b"line 1\nline 2\n", "text/plain"),
        ],
    )
    c["forward_with_attachment"] = mixed(
        head(subject="Fwd: Original with file", msgid="<fwd-file@corpus>"),
        [text_part("FYI, see below.", "utf-8"), part("Content-Type: message/rfc822", inner)],
        boundary="outer-fwd",
    )
    fields = tuple((f"X-Filler-{i}", f"value {i}") for i in range(10_000))
    c["headers_10000_fields"] = message(head(*fields, msgid="<hdr10k@corpus>"), b"Body after 10,000 header fields.\n")
    c["header_line_1500_chars"] = message(
        head(("X-Long", "x" * 1500), subject="Long " + "subject " * 186, msgid="<long@corpus>"),
        b"Body after a long header line.\n",
    )
    c["attachment_3mb"] = mixed(
        head(msgid="<att3mb@corpus>"),
        [
            text_part("Big file attached.", "utf-8"),
            attachment('filename="dump.bin"', pdf_bytes("big", 3 * 1024 * 1024)),
        ],
    )
    c["oversized_26mb"] = mixed(
        head(msgid="<att26mb@corpus>"),
        [text_part("Too big.", "utf-8"), attachment('filename="huge.bin"', pdf_bytes("huge", 20 * 1024 * 1024))],
    )
    nested = b"deepest text\n" + b"filler line\n" * 20_000
    for level in range(900):
        b = f"n{level}".encode()
        nested = (
            b"Content-Type: multipart/mixed; boundary=" + b + b"\n\n--" + b + b"\n" + nested + b"\n--" + b + b"--\n"
        )
    c["mime_bomb_nesting"] = head(msgid="<bomb@corpus>") + b"\n" + nested


def _names(c: dict[str, bytes]) -> None:
    data = b"attachment data\n"
    cases = {
        "name_dotdot": 'filename="../../etc/passwd"',
        "name_absolute": 'filename="/abs/path"',
        "name_windows": 'filename="C:\\\\x\\\\..\\\\y"',
        "name_nul_rfc2231": "filename*=utf-8''evil%00name.txt",
        "name_300_chars": f'filename="{"n" * 300}.txt"',
        "name_rfc2231_cyrillic": "filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf",
        "name_encoded_word": f'filename="{ew("счёт №5.xlsx", "utf-8")}"',
    }
    for key, params in cases.items():
        c[key] = mixed(head(msgid=f"<{key}@corpus>"), [text_part("See file.", "utf-8"), attachment(params, data)])
    c["name_nul_raw"] = mixed(
        head(msgid="<name_nul_raw@corpus>"),
        [
            text_part("See file.", "utf-8"),
            part(b'Content-Type: text/plain\nContent-Disposition: attachment; filename="a\x00b.txt"', data),
        ],
    )
    c["name_raw_8bit"] = mixed(
        head(msgid="<name_raw_8bit@corpus>"),
        [
            text_part("See file.", "utf-8"),
            part(
                'Content-Type: application/pdf\nContent-Disposition: attachment; filename="отчёт.pdf"\n'
                "Content-Transfer-Encoding: base64".encode("cp1251"),
                b64(data),
            ),
        ],
    )


def _tnef(c: dict[str, bytes]) -> None:
    files = [("Quarterly report 2011.txt", b"quarterly numbers\n"), ("photo.png", b"\x89PNG\r\n\x1a\nfake")]
    c["winmail_valid"] = tnef_message("winmail_valid", build_tnef(files))
    c["winmail_broken"] = tnef_message("winmail_broken", build_tnef(files)[:60] + b"\xff" * 40)
    c["winmail_not_tnef"] = tnef_message("winmail_not_tnef", b"this is not TNEF at all")
    c["winmail_hostile_count"] = tnef_message("winmail_hostile_count", hostile_tnef())


def _automatic(c: dict[str, bytes]) -> None:
    body = b"I am out of the office until Monday.\n"
    for key, fields in {
        "auto_submitted_replied": [("Auto-Submitted", "auto-replied")],
        "auto_submitted_generated": [("Auto-Submitted", "auto-generated; type=vacation")],
        "auto_submitted_no": [("Auto-Submitted", "no")],
        "precedence_bulk": [("Precedence", "bulk")],
        "precedence_junk": [("Precedence", "junk")],
        "precedence_list": [("Precedence", "list")],
        "list_id": [("List-Id", "Customer news <news.customer.example>")],
        "x_auto_response_suppress": [("X-Auto-Response-Suppress", "OOF, AutoReply")],
        "x_auto_response_suppress_dr_only": [("X-Auto-Response-Suppress", "DR, RN")],
        "empty_return_path": [("Return-Path", "<>")],
        "x_loop_own": [("X-Loop", "support@desk.example")],
        "x_loop_other": [("X-Loop", "helpdesk@other.example")],
    }.items():
        c[key] = message(head(*fields, subject="Automatic reply: Printer", msgid=f"<{key}@corpus>"), body)
    c["bounce_delivery_status"] = message(
        head(
            ("MIME-Version", "1.0"),
            ("Content-Type", 'multipart/report; report-type=delivery-status; boundary="rep"'),
            ("Return-Path", "<>"),
            subject="Undelivered Mail Returned to Sender",
            msgid="<bounce@corpus>",
            sender="Mail Delivery System <MAILER-DAEMON@mx.customer.example>",
        ),
        multipart(
            "rep",
            [
                text_part(
                    "This is the mail system at host mx.customer.example.\n\nI'm sorry to have to inform you...",
                    "us-ascii",
                ),
                part(
                    "Content-Type: message/delivery-status",
                    b"Reporting-MTA: dns; mx.customer.example\n\nFinal-Recipient: rfc822; nobody@customer.example\n"
                    b"Action: failed\nStatus: 5.1.1\n",
                ),
                part(
                    "Content-Type: text/rfc822-headers",
                    b"From: support@desk.example\nTo: nobody@customer.example\nSubject: [Ticket#2011120910000047] Hi\n",
                ),
            ],
        ),
    )
    c["postmaster_sender"] = message(
        head(subject="Delivery problem", msgid="<pm@corpus>", sender="postmaster@customer.example"),
        b"Could not deliver.\n",
    )


def _unparseable(c: dict[str, bytes]) -> None:
    c["empty_message"] = b""
    c["binary_garbage"] = b"\x00\x01\x02\xff\xfe" + pdf_bytes("garbage", 4000)


def build_corpus() -> dict[str, bytes]:
    """Every corpus message by name (deterministic)."""
    corpus: dict[str, bytes] = {}
    for add in (_charsets, _broken, _ids_and_fields, _html, _nesting_and_size, _names, _tnef, _automatic, _unparseable):
        add(corpus)
    return corpus


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    corpus = build_corpus()
    for name, raw in corpus.items():
        (out / f"{name}.eml").write_bytes(raw)
    print(f"{len(corpus)} messages written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
