"""The tray app: its controller, the task worker, the approver and the voice glue."""
