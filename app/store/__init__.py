"""What Deskhand keeps on disk: settings, the audit log and its views, memory, schedules."""
