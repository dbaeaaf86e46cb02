"""Reference phone log: calls recorded as articles, PBX call-log import, written-request follow-up."""
