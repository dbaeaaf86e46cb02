"""Reference chat channel: signed webhooks in, agent replies out through a callback URL."""
