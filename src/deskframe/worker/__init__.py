"""``deskframe worker``: one long-running process that runs the desk's background jobs.

* :mod:`.tasks` - the jobs (intake polls, ``sla check``, outbox delivery, the plugins' scheduled
  jobs) as units of work, each claimed so that several workers never do one twice;
* :mod:`.runner` - the loop: run what is due, sleep, stop cleanly on SIGTERM/SIGINT;
* :mod:`.journal` - what the worker says it did (a line per run, or one JSON object per line);
* :mod:`.single` - SQLite's one-worker rule (a lock file).

Importing the package imports none of them.
"""
