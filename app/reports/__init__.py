"""reports: the province's dashboard — targets, denominators, counts by commune and unit,
rankings (routes.py, services.py, models.py, targets.py, charts.py)."""
