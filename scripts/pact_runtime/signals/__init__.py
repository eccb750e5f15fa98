"""Algedonic signals: the log, the command, surfacing, enforcement and the SQL guard.

A HALT (SECURITY, DATA, ETHICS) pauses work that changes things until the user
resolves it with ``/PACT:resolve <id> <decision>``; an ALERT (QUALITY, SCOPE,
META-BLOCK) asks for attention. Levels, categories and the handoff parts are
read from the protocols at run time (``vocabulary``), so the rule lives once.
"""
