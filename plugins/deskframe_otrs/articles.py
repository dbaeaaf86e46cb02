"""An OTRS article as an imported article: body, raw source, HTML part, attachments (from the database or disk).

OTRS's decoded body is kept unless it is damaged or ``reparse`` says otherwise; then the raw source is parsed
again with the e-mail channel's parser, within intake's size limits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from deskframe import InboundAttachment
from deskframe.importing import ImportedArticle
from deskframe.text import clean_line, clean_text

from . import limits, mail, mapping
from .lookups import Lookups
from .options import Options
from .report import Report, strip_nul
from .source import Layout

_HTML_BODY_NAME = re.compile(r"^file-\d+(\.html?)?$", re.IGNORECASE)
_FS_SIDECARS = (".content_type", ".content_id", ".content_alternative", ".disposition")


class ArticleMapper:
    """Maps the article rows of one run (see :meth:`article`)."""

    def __init__(
        self,
        options: Options,
        layout: Layout,
        lookups: Lookups,
        report: Report,
        *,
        parser: Any,
        max_bytes: int,
        zone: Any,
    ) -> None:
        self.opts = options
        self.layout = layout
        self.lookups = lookups
        self.report = report
        self.parser = parser
        self.max_bytes = max_bytes
        self.zone = zone

    def article(
        self,
        a: dict[str, Any],
        plain: Any,
        attachment_rows: list[dict[str, Any]],
        chat_rows: list[dict[str, Any]] | None,
    ) -> ImportedArticle | None:
        """One article row as an :class:`ImportedArticle`; ``None`` (reported) when it has no content.

        ``plain`` is its raw source row (or ``None``), ``chat_rows`` its chat messages (OTRS 6 chat articles).
        """
        aid = a["id"]
        sender_type = self.lookups.sender_types.get(a.get("article_sender_type_id"))
        if self.layout.generation == "otrs6":
            channel = mapping.channel_for(self.lookups.channels.get(a.get("communication_channel_id")))
            visible = bool(a.get("is_visible_for_customer", 1))
        else:
            channel, visible = mapping.otrs5_type(self.lookups.article_types.get(a.get("article_type_id")))
        if sender_type not in ("agent", "customer", "system"):
            self.report.warn_once(
                f"sender:{a.get('article_sender_type_id')}",
                "article_sender_type",
                a.get("article_sender_type_id"),
                f"unknown sender type {sender_type!r}; imported as internal",
            )
        direction, visible = mapping.direction_for(sender_type, visible)

        raw = mapping.stored_bytes(plain) if plain is not None else None
        del plain  # (the caller popped it) a large raw source is held once, as bytes
        fs_dir = self._fs_dir(a)
        if raw is None and fs_dir is not None and (fs_dir / "plain.txt").is_file():
            raw = (fs_dir / "plain.txt").read_bytes()
        if a.get("mime_id") is None and raw is None and not chat_rows:
            self.report.skip("article", aid, "article has no content (no article_data_mime row, no raw source)")
            return None

        body = strip_nul(mapping.text_of(a.get("a_body")))
        clean_body = bool(body.strip()) and "\ufffd" not in body
        html_part = any(self._is_html_body(x) for x in attachment_rows)
        if raw is not None and len(raw) > self.max_bytes:
            self.report.warn(
                "article",
                aid,
                f"raw source of {len(raw)} bytes is over the size limit of intake "
                f"({self.max_bytes} bytes): kept whole, not parsed",
            )
        parsed = None
        if (
            raw is not None
            and len(raw) <= self.max_bytes
            and (
                self.opts.reparse == "always"
                or a.get("mime_id") is None
                or not clean_body
                or (html_part and self.parser is not None)
            )
        ):
            parsed = mail.parse(raw, self.parser)
        reparsed_text = None  # the text parsed again from the raw source, when there is some and nothing went wrong
        if parsed is not None and (parsed.text or "").strip() and not parsed.problem:
            reparsed_text = parsed.text
        if chat_rows:
            text = "\n".join(
                f"[{c.get('create_time')}] {mapping.text_of(c.get('chat_participant_name'))}: "
                f"{mapping.text_of(c.get('message_text'))}"
                for c in chat_rows
            )
        elif reparsed_text is not None and (not clean_body or self.opts.reparse == "always"):
            text = reparsed_text.replace("\r\n", "\n")
            if body.strip() and not clean_body:
                self.report.warn(
                    "article", aid, "OTRS's body had undecodable characters; text decoded again from the raw source"
                )
        elif body.strip():
            text = body
            if parsed is not None and parsed.problem:
                self.report.warn("article", aid, f"{parsed.problem}; kept the body OTRS decoded")
            elif not clean_body and raw is None:
                self.report.warn(
                    "article",
                    aid,
                    "OTRS's body has undecodable characters and there is no raw "
                    "source to decode again; imported as it is",
                )
        elif parsed is not None and parsed.text:
            text = parsed.text.replace("\r\n", "\n")
            self.report.warn("article", aid, f"{parsed.problem}; imported with replacement characters")
        else:
            text = body
            if parsed is not None and parsed.problem:
                self.report.warn("article", aid, f"{parsed.problem}; imported without text")
        html = parsed.html if parsed is not None and self.parser is not None else None
        read_chars = a.get("a_body_chars") if text is body else None
        text, cut = limits.cut_text(text, self.max_bytes, read_chars, raw_kept=raw is not None)
        if cut:
            self.report.warn("article", aid, f"{cut} (as intake does)")

        a_from = strip_nul(mapping.text_of(a.get("a_from"))).strip()
        sender = mapping.address(a_from) or (parsed.sender if parsed else None)
        if not a_from and not sender and not chat_rows:
            self.report.warn(
                "article",
                aid,
                "empty sender"
                + (" (merge article)" if self._is_merge_note(body) else "")
                + "; imported without a sender",
            )
        recipients = mapping.addresses(mapping.text_of(a.get("a_to")), mapping.text_of(a.get("a_cc"))) or (
            parsed.recipients if parsed else ()
        )
        subject = strip_nul(mapping.text_of(a.get("a_subject"))).strip() or (parsed.subject if parsed else None) or ""
        message_id = next(iter(mapping.message_ids(mapping.text_of(a.get("a_message_id")))), None) or (
            parsed.message_id if parsed else None
        )
        references = mapping.message_ids(
            mapping.text_of(a.get("a_references")), mapping.text_of(a.get("a_in_reply_to"))
        ) or (parsed.references if parsed else ())
        files = self._attachments(aid, attachment_rows, fs_dir, has_html=bool(html), raw_kept=raw is not None)
        agent = self.lookups.logins.get(a.get("create_by")) if sender_type == "agent" else None
        return ImportedArticle(
            external_id=str(aid),
            direction=direction,
            created_at=mapping.local_to_utc(a["create_time"], self.zone),
            subject=clean_line(subject),
            text=clean_text(text),
            sender=clean_line(sender or "") or None,
            recipients=recipients,
            channel=channel,
            visible=visible,
            message_id=message_id,
            references=references,
            html=strip_nul(html) or None,
            raw=raw,
            agent=agent,
            attachments=files,
        )

    @staticmethod
    def _is_html_body(x: dict[str, Any]) -> bool:
        """OTRS keeps an HTML mail's body as an inline ``file-N`` text/html attachment."""
        filename = mapping.text_of(x.get("filename")).strip()
        ctype = mapping.text_of(x.get("content_type")).strip().lower()
        disposition = mapping.text_of(x.get("disposition")).strip().lower()
        return (
            ctype.startswith("text/html")
            and _HTML_BODY_NAME.match(filename) is not None
            and disposition in ("", "inline")
        )

    @staticmethod
    def _is_merge_note(body: str) -> bool:
        return "merged" in body.lower()[:300]

    def _fs_dir(self, a: dict[str, Any]) -> Path | None:
        base = self.opts.article_dir
        path = mapping.text_of(a.get("content_path")).strip().strip("/")
        if not base or not path or ".." in path.split("/"):
            return None
        return Path(base) / path / str(a["id"])

    def _attachments(
        self, aid: Any, rows: list[dict[str, Any]], fs_dir: Path | None, has_html: bool, raw_kept: bool = False
    ) -> list[InboundAttachment]:
        out = []
        for x in rows:
            filename = strip_nul(mapping.text_of(x.get("filename"))).strip() or f"attachment-{x['id']}"
            if x.get("content") is None and (x.get("content_length") or 0) > 0:  # left unread: over the limit
                size = mapping.text_of(x.get("content_size")).strip()
                size = size if size.isdigit() else f"about {x['content_length']}"
                self.report.warn(
                    "article",
                    aid,
                    f"attachment {filename!r} of {size} bytes is over the size limit "
                    f"of intake: not imported" + ("; the raw source keeps it" if raw_kept else ""),
                )
                continue
            ctype = strip_nul(mapping.text_of(x.get("content_type"))).strip() or "application/octet-stream"
            html_body = self._is_html_body(x)
            if html_body and has_html:
                continue  # the HTML body, already the article's html
            if html_body and "." not in filename:
                filename += ".html"
            data = mapping.stored_bytes(x.get("content"))
            out.append(InboundAttachment(filename=filename, content_type=ctype, data=data or b""))
        if not rows and fs_dir is not None and fs_dir.is_dir():
            for path in sorted(fs_dir.iterdir()):
                if path.name == "plain.txt" or path.name.endswith(_FS_SIDECARS) or not path.is_file():
                    continue
                side = path.with_name(path.name + ".content_type")
                ctype = side.read_text("utf-8", "replace").strip() if side.is_file() else "application/octet-stream"
                out.append(
                    InboundAttachment(
                        filename=path.name, content_type=ctype or "application/octet-stream", data=path.read_bytes()
                    )
                )
        return out
