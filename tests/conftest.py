pytest_plugins = ["deskframe.testing"]
