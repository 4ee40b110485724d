"""ambassadors: digital ambassadors ("Đại sứ số") register citizens who have no device or
email and supervise their confirmation on the ambassador's device (routes.py, services.py)."""
