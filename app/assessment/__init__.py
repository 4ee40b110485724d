"""assessment: see routes.py (the blueprint), services.py (the logic), models.py."""
