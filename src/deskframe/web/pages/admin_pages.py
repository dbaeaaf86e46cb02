"""Admin pages: ``/admin/agents``, ``/admin/queues`` and ``/admin/tokens`` (list, create, revoke).

Who may see and use them is the policy's ``directory.write`` decision (the admin role); anyone
else gets 403. A new token's secret is shown once, on the page that answers its creation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors import Actor
from ...errors import DomainError
from . import session
from .forms import read_form
from .render import page

#: The policy action that makes an agent an administrator of the desk.
ADMIN_ACTION = "directory.write"


async def _admin(request: Request) -> tuple[Any, str, dict[str, Any]]:
    who, language, frame = await session.agent_frame(request)
    desk = request.app.state.desk
    if not await run_in_threadpool(desk.worklist.may, ADMIN_ACTION, actor=Actor.agent(who.name)):
        raise HTTPException(403, "only an administrator sees this page")
    return who, language, frame


async def agents_page(request: Request) -> Response:
    """``GET /admin/agents``: every agent with its role, line and queue rights."""
    _who, language, frame = await _admin(request)
    agents = await run_in_threadpool(request.app.state.desk.directory.agents)
    return page(request, "admin/agents.html", {**frame, "agents": agents}, language=language)


async def queues_page(request: Request) -> Response:
    """``GET /admin/queues``: every queue with its number of tickets."""
    _who, language, frame = await _admin(request)
    queues = await run_in_threadpool(request.app.state.desk.directory.queues)
    return page(request, "admin/queues.html", {**frame, "queues": queues}, language=language)


async def _tokens_page(request: Request, who: Any, frame: dict[str, Any], language: str, **extra: Any) -> Response:
    accounts = request.app.state.accounts
    tokens = await run_in_threadpool(lambda: accounts.tokens(actor=Actor.agent(who.name)))
    now = dt.datetime.now(dt.timezone.utc)
    rows = [(token, token.state(now)) for token in tokens]
    status = extra.pop("status_code", 200)
    context = {**frame, "tokens": rows, "secret": None, "error": None, **extra}
    return page(request, "admin/tokens.html", context, language=language, status_code=status)


async def tokens_page(request: Request) -> Response:
    """``GET /admin/tokens``: every API token (never its secret) with its state."""
    who, language, frame = await _admin(request)
    return await _tokens_page(request, who, frame, language)


async def token_create(request: Request) -> Response:
    """``POST /admin/tokens``: a new token of an agent (``login``) or contact (``email``); shows its secret once."""
    who, language, frame = await _admin(request)
    form = await read_form(request, who, max_body=64 * 1024)
    login, email = form.get("login").strip(), form.get("email").strip()
    days = form.get("expires_days").strip()
    try:
        if bool(login) == bool(email):
            raise DomainError("name either an agent's login or a contact's e-mail")
        if days and (not days.isdigit() or not 1 <= int(days) <= 3650):
            raise DomainError("expires in 1 to 3650 days")
        lifetime = dt.timedelta(days=int(days)) if days else None
        kind, name = ("agent", login) if login else ("contact", email)
        secret, token = await run_in_threadpool(
            lambda: request.app.state.accounts.create_token(
                kind, name, label=form.get("name"), lifetime=lifetime, actor=Actor.agent(who.name)
            )
        )
    except DomainError as exc:
        return await _tokens_page(request, who, frame, language, error=str(exc), status_code=400)
    response = await _tokens_page(request, who, frame, language, secret=secret, created=token)
    response.headers["Cache-Control"] = "no-store"
    return response


async def token_revoke(request: Request) -> Response:
    """``POST /admin/tokens/{id}/revoke``."""
    who, language, frame = await _admin(request)
    await read_form(request, who, max_body=64 * 1024)
    token_id = request.path_params["token_id"]
    try:
        await run_in_threadpool(lambda: request.app.state.accounts.revoke_token(token_id, actor=Actor.agent(who.name)))
    except DomainError as exc:
        return await _tokens_page(request, who, frame, language, error=str(exc), status_code=400)
    return RedirectResponse("/admin/tokens", status_code=303)
