"""Form bodies of the pages: read with a size cap, the CSRF token checked before anything changes.

:func:`read_form` returns the fields of an urlencoded or multipart form (uploads included)
after :func:`deskframe.accounts.web_routes.check_csrf` accepted its ``csrf_token`` field; a
POST without it answers 403 and no service is called. A body over the cap answers 413
before it is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

if TYPE_CHECKING:
    from ...accounts.service import Principal

#: The largest form body read (attachments included), unless the caller names another.
MAX_FORM_BODY = 25 * 1024 * 1024
#: The largest number of fields (and of files) a form may have.
MAX_FIELDS = 200


@attrs.frozen
class Form:
    """A form's text fields (the last value of each name, and every value by :meth:`all`) and its files."""

    data: FormData
    #: The contents of the files of :meth:`read_uploads`, in order.
    uploads: tuple[bytes, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        """The text value of field ``name`` (stripped of nothing), or ``default``."""
        value = self.data.get(name)
        return value if isinstance(value, str) else default

    def all(self, name: str) -> list[str]:
        """Every text value of field ``name``."""
        return [value for value in self.data.getlist(name) if isinstance(value, str)]

    def files(self, name: str) -> list[UploadFile]:
        """The uploaded files of field ``name`` (empty file inputs left out)."""
        return [value for value in self.data.getlist(name) if isinstance(value, UploadFile) and value.filename]

    async def read_uploads(self, name: str) -> Form:
        """This form with the contents of the files of field ``name`` read (``uploads``)."""
        contents = [await upload.read() for upload in self.files(name)]
        return attrs.evolve(self, uploads=tuple(contents))

    def checked(self, name: str) -> bool:
        """Whether checkbox ``name`` was ticked."""
        return self.get(name) not in ("", "0", "false", "off")


def body_cap(request: Request) -> int:
    """The body cap of ``[web] max_body`` when the accounts settings have one, else :data:`MAX_FORM_BODY`."""
    accounts = getattr(request.app.state, "accounts", None)
    settings = getattr(accounts, "settings", None)
    cap = getattr(settings, "max_body", None)
    return cap if isinstance(cap, int) and cap > 0 else MAX_FORM_BODY


async def read_form(request: Request, principal: Principal, *, max_body: int | None = None) -> Form:
    """The form of a POST by ``principal``; ``HTTPException`` 413 (too big), 400 (not a form)
    or 403 (no or a wrong CSRF token)."""
    from ...accounts.web_routes import check_csrf

    cap = max_body or body_cap(request)
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > cap):
        raise HTTPException(413, "the form is too large")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data") or length is None:
        check_csrf(request, principal, None)  # a POST without a token is refused as such (403), whatever its body
        if length is None:
            raise HTTPException(411, "a form needs a Content-Length")
        raise HTTPException(400, "send the form as application/x-www-form-urlencoded or multipart/form-data")
    try:
        data = await request.form(max_files=MAX_FIELDS, max_fields=MAX_FIELDS)
    except HTTPException:
        raise
    except Exception as exc:  # multipart parse errors: a malformed body is the client's fault
        raise HTTPException(400, f"malformed form: {exc}") from None
    token = data.get("csrf_token")
    check_csrf(request, principal, token if isinstance(token, str) else None)
    return Form(data)
