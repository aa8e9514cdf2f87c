"""Reminders: nobody walks in without a fresh insight, nobody is nagged twice.

planner.py  derives from the database which reminders are owed and inserts the rows
dispatch.py claims due rows, re-checks them, sends outside any lock, records the outcome
channels.py e-mail, Slack and Microsoft Teams behind one small interface
content.py  what a reminder says, and its snooze and unsubscribe links
"""
