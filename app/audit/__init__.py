"""The audit log: who did what to whom, for actions that must be answerable later."""
