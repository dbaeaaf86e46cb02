"""A mail's HTML body as the pages show it: sanitised again (the stored HTML is sanitised at
intake already; this is the second fence), with a CSP of its own that allows no script, for
an ``<iframe sandbox srcdoc=...>`` (no ``allow-scripts``) or a tab of its own."""

from __future__ import annotations

#: The policy of a mail's document: no script, no remote image, no form, no plugin, no base.
MAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"
#: The ``sandbox`` attribute of the iframe: nothing allowed (no scripts, forms, popups, same origin).
IFRAME_SANDBOX = ""


def sanitise(html: str) -> str:
    """``html`` with scripts, event handlers, ``javascript:`` links, forms and embedded objects removed."""
    import nh3

    return nh3.clean(html, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto", "cid"})


def srcdoc(html: str) -> str:
    """The document of the iframe: the sanitised HTML behind a ``<meta>`` CSP that allows no script."""
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{MAIL_CSP}">'
        "</head><body>" + sanitise(html) + "</body></html>"
    )
