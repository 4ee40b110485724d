"""One reader per kind of content file, all reporting to one Collector of problems:
framework, groups, courses and modules, question pools, assessments, targets."""
