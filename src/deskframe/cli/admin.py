"""``deskframe init``, ``db upgrade|status``, ``plugins``, ``serve``, ``canned list``."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .. import serialize
from ..store import head_revision
from .context import AppContext, current_app, pass_app, pass_desk
from .output import FORMAT_OPTION, PORT, echo_text, emit

CONFIG_TEMPLATE = """\
# deskframe configuration. Reference: docs/config.md
[desk]
database = "sqlite:///deskframe.db"     # or postgresql+psycopg://user@host/db
data_dir = "data"                       # raw mail and attachments (content-addressed)
timezone = "{timezone}"

[tickets]
system_id = "10"                        # two digits inside every ticket number
number_layout = "DateChecksum"          # DateChecksum | Date | AutoIncrement
subject_hook = "Ticket#"                # replies carry [Ticket#<number>] in the subject
default_priority = "P3"
default_queue = "support"
unknown_queue = "unknown"               # mail from unknown senders lands here

[tickets.priorities]                    # display names of P1..P4
P1 = "critical"
P2 = "high"
P3 = "normal"
P4 = "low"

[canned.thanks]
body = \"\"\"Hello {{{{ customer }}}},

thank you for your request {{{{ number }}}}. We are on it.

{{{{ agent }}}}\"\"\"
"""


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone times are shown in.")
def init_command(directory: Path, timezone: str) -> None:
    """Create DIRECTORY/deskframe.toml (if missing) and its database.

    A failed init leaves nothing behind: what it created is removed again."""
    check_timezone(timezone)
    app = current_app()
    config_file = directory / "deskframe.toml"
    with undone_on_failure(directory, app):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.BadParameter(
                f"cannot create {directory}: {exc.strerror or exc}", param_hint="DIRECTORY"
            ) from None
        if config_file.exists():
            click.echo(f"{config_file} exists; upgrading its database")
        else:
            try:
                config_file.write_text(CONFIG_TEMPLATE.format(timezone=timezone), encoding="utf-8")
            except OSError as exc:
                raise click.BadParameter(
                    f"cannot write {config_file}: {exc.strerror or exc}", param_hint="DIRECTORY"
                ) from None
            click.echo(f"wrote {config_file}")
        app.config_path = config_file
        desk = app.desk
        desk.upgrade()
        click.echo(f"database ready: {desk.store.db.url}")
        made = _signing_key(desk.config)
        if made is not None:
            click.echo(f"session signing key: {made} (mode 0600; keep it out of version control)")
    click.echo(f"next: cd {directory} && deskframe customer add --id acme --name 'ACME LLC'")


def _signing_key(config: Any) -> Path | None:
    """Create the key that signs web sessions with mode 0600 (``[web] secret_key_file``, else
    ``DATA_DIR/web-secret.key``), unless ``[web]`` gives one (``secret_key`` or
    ``secret_key_env``); its path, or None."""
    from ..accounts.settings import key_file_path, signing_key, web_settings

    settings = web_settings(config)
    if settings.secret_key or settings.secret_key_env:
        return None
    signing_key(settings, config.data_dir)
    return key_file_path(settings, config.data_dir)


def check_timezone(name: str) -> None:
    """Refuse an unknown IANA zone before anything is written."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise click.BadParameter(
            f"unknown time zone {name!r} (an IANA name such as Europe/Moscow)", param_hint="--timezone"
        ) from None


@contextlib.contextmanager
def undone_on_failure(directory: Path, app: AppContext) -> Iterator[None]:
    """Remove what the block created in ``directory`` (and the directory itself, if the
    block created it) when the block fails; keep everything that was there before."""
    existed = directory.exists()
    before = set(directory.iterdir()) if existed and directory.is_dir() else set()
    missing_parents = [p for p in [directory, *directory.parents] if not p.exists()]
    try:
        yield
    except BaseException:
        app.close()  # release the database file before removing it
        if not existed:
            top = missing_parents[-1] if missing_parents else directory
            shutil.rmtree(top, ignore_errors=True)
        elif directory.is_dir():
            for path in set(directory.iterdir()) - before:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        raise


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_desk
def db_upgrade(desk: Any) -> None:
    """Create or migrate the schema to the newest revision."""
    desk.upgrade()
    click.echo(f"database at revision {desk.store.revision()}")


@db_group.command("status")
@FORMAT_OPTION
@pass_desk
def db_status(desk: Any, fmt: str) -> None:
    """Show the schema revision and whether it is current."""
    current, head = desk.store.revision(), head_revision()
    row = {"url": desk.store.db.url, "revision": current, "head": head, "current": current == head}
    emit([row], ("url", "revision", "head", "current"), fmt)


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Include the core's built-in default plugins.")
@FORMAT_OPTION
@pass_app
def plugins_command(app: AppContext, show_all: bool, fmt: str) -> None:
    """List installed plugins: distribution, version, hooks and what each registered."""
    rows: list[dict[str, Any]] = []
    for info in app.plugins.infos:
        if info.builtin and not show_all:
            continue
        rows.append(
            {
                "name": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "hooks": app.plugins.hook_names(info.name),
                "registered": app.plugins.registry.by_plugin(info.name),
            }
        )
    if fmt == "json":
        click.echo(serialize.dumps(rows))
        return
    if not rows:
        click.echo("No plugins installed.")
    for row in rows:
        click.echo(f"{row['name']}  ({row['distribution'] or '-'} {row['version'] or ''})".rstrip())
        click.echo(f"  hooks: {', '.join(row['hooks']) or '-'}")
        for kind, names in row["registered"].items():
            click.echo(f"  {kind}: {', '.join(names)}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="uvicorn worker processes answering on the one port (each with its own desk and database "
    "connections): about one per CPU core. Several need a database that several processes share: "
    "SQLite on one machine (WAL), PostgreSQL beyond it.",
)
@pass_app
def serve_command(app: AppContext, host: str, port: int, workers: int) -> None:
    """Serve the web pages, the REST API (/api/v1), /healthz and the plugins' web routes."""
    import uvicorn

    from ..web import create_app
    from ..web.workers import FACTORY, NOW_ENV, settle

    served = create_app(app.desk)  # a bad config or [web] setting stops here, before any worker starts
    if workers == 1:
        settle()
        uvicorn.run(served, host=host, port=port, log_level="info")
        return
    import os

    from ..config import CONFIG_ENV

    app.close()  # each worker opens its own desk from the same config
    os.environ[CONFIG_ENV] = str(Path(app.config_path).resolve())
    if app.now is not None:
        os.environ[NOW_ENV] = app.now.isoformat()
    uvicorn.run(FACTORY, factory=True, workers=workers, host=host, port=port, log_level="info")


@click.group("canned")
def canned_group() -> None:
    """Canned responses from the config's [canned.NAME] tables."""


@canned_group.command("list")
@FORMAT_OPTION
@pass_app
def canned_list(app: AppContext, fmt: str) -> None:
    """List canned responses."""
    rows = [{"name": name, "body": body} for name, body in sorted(app.config.canned.items())]
    emit(rows, ("name", "body"), fmt, empty="No canned responses.")


@canned_group.command("show")
@click.argument("name")
@click.argument("number")
@click.option("--agent")
@pass_desk
def canned_show(desk: Any, name: str, number: str, agent: str | None) -> None:
    """Render canned response NAME for ticket NUMBER."""
    echo_text(desk.tickets.render_canned(name, number, agent))
