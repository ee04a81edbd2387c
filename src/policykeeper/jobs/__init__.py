"""Background work: request execution, notifications, reminders and purges.

In-process by default; on PostgreSQL, procrastinate workers on several hosts share the queue.
"""
