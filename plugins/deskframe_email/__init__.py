"""deskframe's reference e-mail channel (parsing, sanitizing and composing mail).

The modules here are pure functions with no network and no database:

* :mod:`.parse` turns raw RFC 5322 bytes into a :class:`deskframe.model.InboundMessage`
  (best effort; :class:`.parse.UnparseableMessage` only when nothing can be recovered).
* :mod:`.mime` walks the MIME tree (body text, HTML, attachments, forwards, repairs).
* :mod:`.charsets` and :mod:`.headers` decode bodies and headers in any charset.
* :mod:`.sanitize` cleans hostile HTML; :mod:`.htmltext` turns it into readable text.
* :mod:`.tnef` expands ``winmail.dat`` attachments.
* :mod:`.autoreply` decides whether an automatic answer is allowed.
* :mod:`.compose` builds outgoing replies without header injection.

Hook implementations (channel registration) are wired by the core separately.
"""
