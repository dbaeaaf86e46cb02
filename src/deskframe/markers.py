"""The pluggy markers of deskframe's hooks, in a module of their own so ``import deskframe`` stays cheap."""

from __future__ import annotations

import pluggy

#: Marker for hook implementations: ``@deskframe.hookimpl``.
hookimpl = pluggy.HookimplMarker("deskframe")
