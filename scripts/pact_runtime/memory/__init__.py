"""PACT memory: structured lessons and decisions that outlive a session.

``store`` saves and reads records, ``search`` ranks them, ``cli`` is the
``pact-memory`` command, ``capture`` turns a specialist's handoff into a
record at SubagentStop and ``recall`` brings the best few back at
SessionStart. Every record belongs to a project (the real path of its root).
"""
