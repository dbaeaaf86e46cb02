"""``python -m deskframe``: the same as the ``deskframe`` command."""

from .cli import main

main()
