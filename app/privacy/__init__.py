"""privacy: the statement of what is kept and why, a person's download of their data, and
deleting their account (routes.py, services.py)."""
