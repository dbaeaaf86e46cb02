"""deskframe.testing gives the fixtures make_desk, desk, factory and cli."""

pytest_plugins = ["deskframe.testing"]
