"""Citizen notifications (办理进度通知): on each step of a case the citizen who left a contact is
told, through a pluggable sender. The default sender only records the message in the
`notifications` outbox (visible in the console); SMS and e-mail adapters send it on. Runs after
commit from the outbox relay, so it never blocks the workflow."""
