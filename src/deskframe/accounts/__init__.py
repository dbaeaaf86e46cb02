"""Accounts: who may log in and what they may see.

* :mod:`.passwords` - argon2 hashing, verification and rehash of agent and portal passwords;
* :mod:`.tokens` - API tokens (random secrets; only their SHA-256 is stored);
* :mod:`.rights` - pure answers to "what rights does this account have" (:mod:`deskframe.rights`);
* :mod:`.throttle` - when failed logins block further tries (429);
* :mod:`.audit` - the kinds of audit record and their JSON shape;
* :mod:`.settings` - the ``[web]`` table: session cookie and its signing key;
* :mod:`.cookies` - signed session cookies and CSRF tokens;
* :mod:`.service` - :class:`~.service.Accounts`, the one service the CLI and the web call;
* :mod:`.web_routes` - ``POST /login``, ``/portal/login``, ``/logout`` and principal resolution.

Nothing here is imported by ``import deskframe``; the CLI loads it inside its commands.
"""
