"""Intake: how inbound messages become tickets and articles.

* :mod:`.route` - what each inbound message becomes: dedupe, thread, route, append (one transaction).
* :mod:`.lookups` - what a batch of messages looks up, fetched once per transaction.
* :mod:`.writes` - the batch's new contacts, tickets and articles, written together.
* :mod:`.polling` - polling channels: fetch, intake (commit), acknowledge; the quarantine.

Channel plugins and their tests use :func:`deskframe.intake.polling.build_channel` and
:func:`deskframe.intake.polling.poll`.
"""
