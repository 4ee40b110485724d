"""teaching: classes, join codes, rosters, assignments and progress grids (routes.py, services.py)."""
