"""The CLI's per-run context: config path, plugins, and a lazily opened Desk."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import BadValue, ConfigError, DeskframeError
from ..text import clean_line

if TYPE_CHECKING:
    from ..actors import Actor
    from ..config import Config
    from ..plugins import Plugins


class AppContext:
    """What every command can reach through ``click.get_current_context().obj``."""

    def __init__(self, plugins: Plugins, config_path: str | None, now: dt.datetime | None = None):
        from ..config import locate

        self.plugins = plugins
        self.config_path = locate(config_path)
        self.now = now
        self._config: Config | None = None
        self._desk: Any = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from ..config import load_config

            self._config = load_config(self.config_path, self.plugins.registry)
        return self._config

    @property
    def loaded_config(self) -> Config | None:
        """The config if a command has read it already (never reads it)."""
        return self._config

    @property
    def desk(self) -> Any:
        if self._desk is None:
            from ..desk import Desk

            try:
                if self.now is not None:
                    fixed = self.now
                    self._desk = Desk(self.config, self.plugins, clock=lambda: fixed)
                else:
                    self._desk = Desk(self.config, self.plugins)
            except ConfigError as exc:
                raise exc.within(file=exc.file or str(self.config_path)) from None
        return self._desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()


def actor_for(agent: str | None = None) -> Actor:
    """The actor of a CLI command: the trusted local operator, acting as agent ``agent``
    (``--agent``/``--actor``) when one is named. The one place the CLI makes actors; the
    API and the web UI make theirs from tokens and sessions for the same services."""
    if agent is not None and not agent.strip():
        raise BadValue("--agent: give an agent's login")
    from ..actors import Actor

    return Actor.operator(agent)


def pass_desk(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for commands (core or plugin) that need the configured Desk as first argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app = click.get_current_context().find_object(AppContext)
        return func(app.desk, *args, **kwargs)

    return wrapper


def pass_app(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for commands that need the :class:`AppContext`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(click.get_current_context().find_object(AppContext), *args, **kwargs)

    return wrapper


class DeskGroup(click.Group):
    """The top-level group: turns deskframe errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeskframeError as exc:
            click.echo(f"Error: {clean_line(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            if exc.filename is None:  # not about a path: a bug or the machine, keep the traceback
                raise
            click.echo(f"Error: {clean_line(path_problem(exc))}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        finally:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.close()


def path_problem(exc: OSError) -> str:
    """``PATH: PROBLEM`` for an OSError about a file or directory (``/x/y.html: No such file or directory``)."""
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    problem = exc.strerror or type(exc).__name__
    return f"{' -> '.join(names)}: {problem}" if names else problem


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def config_file_arg(path: str | None) -> Path | None:
    return Path(path) if path else None
