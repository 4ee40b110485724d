"""reports: the province's dashboard — targets, denominators, counts by commune and unit,
rankings (routes.py, services.py, models.py, charts.py; the targets are content: catalog.targets)."""
