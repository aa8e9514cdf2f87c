"""Reminders, and every other message the product sends: the outbox.

Nobody walks in without a fresh insight, nobody is nagged twice, and no message is
lost to a mail outage.

models.py    Message: one row per message owed, whatever its kind
planner.py   derives from the database which reminders are owed and inserts the rows
services.py  queues the messages that follow from events (summaries, invitations,
             fresh links, password resets); receivers.py connects them to the events
dispatch.py  claims due rows, re-checks them, sends outside any lock, records the outcome
channels.py  e-mail, Slack and Microsoft Teams behind one small interface
content.py   what each message says, rendered when it is sent
snooze.py    "remind me later", only ever promising something true
history.py   a meeting's reminder history, for its agenda page
"""
