"""Running the site: backups that restore (`flask ops backup|restore`) and the readings of
/metrics that need the reports (snapshot age) or Redis (job queues). The top layer: it may
read any package below it."""
