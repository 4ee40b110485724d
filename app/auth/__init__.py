"""auth: see routes.py (the blueprint), services.py (the logic), models.py, access.py (who may
do what: every access rule and decorator) and cli.py (`flask users grant-role`)."""
