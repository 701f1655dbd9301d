"""Infrastructure: settings, database engine and sessions, migrations, the event bus with its
outbox and the background scheduler. Knows nothing of the domains above it."""
