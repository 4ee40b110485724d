"""English mode is complete only if every content name the interface shows has its English:
the framework's levels, domains and competences, the groups, the confirmation assessments
and the targets' notes (modules and lessons may stay Vietnamese). `flask content check`
lists what is missing."""

from __future__ import annotations

from .types import Catalog


def english_gaps(catalog: Catalog) -> list[str]:
    gaps = []
    framework = catalog.framework
    gaps += [f"framework.yaml: trình độ {lv.code} thiếu 'name_en'" for lv in framework.levels
             if not lv.name_en]
    for domain in framework.domains:
        if not domain.name_en:
            gaps.append(f"framework.yaml: miền {domain.code} thiếu 'name_en'")
        gaps += [f"framework.yaml: năng lực {c.code} thiếu 'name_en'" for c in domain.competences
                 if not c.name_en]
    gaps += [f"groups.yaml: nhóm {g.slug} thiếu 'name_en'" for g in catalog.groups.values()
             if not g.name_en]
    for a in catalog.assessments.values():
        gaps += [f"assessments/{a.slug}.yaml: thiếu '{key}'"
                 for key in ("title_en",) + (("summary_en",) if a.summary else ())
                 if not getattr(a, key)]
    for year, groups in catalog.targets.years.items():
        gaps += [f"targets.yaml: {year} / {slug}: có 'note' mà thiếu 'note_en'"
                 for slug, target in groups.items() if target.note and not target.note_en]
    return gaps
