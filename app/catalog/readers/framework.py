"""content/framework.yaml: the competence framework's domains, competences and levels."""

from __future__ import annotations

from ..types import Competence, Domain, Framework, Level
from .collector import Collector


def read_framework(col: Collector) -> Framework:
    path = col.root / "framework.yaml"
    data = col.mapping(path, col.read_yaml(path), "framework.yaml")
    if data is None:
        return Framework(domains=(), levels=())
    levels = []
    for i, raw in enumerate(data.get("levels") or []):
        raw = col.mapping(path, raw, "mỗi trình độ")
        if raw is not None:
            levels.append(Level(col.text(path, raw, "code"), i + 1,
                                col.text(path, raw, "name"), col.text(path, raw, "name_en")))
    domains = []
    seen: set[str] = set()
    for raw in data.get("domains") or []:
        raw = col.mapping(path, raw, "mỗi miền năng lực")
        if raw is not None:
            domains.append(_domain(col, path, raw, seen))
    if not domains or not levels:
        col.problem(path, 1, "cần 'domains' và 'levels'")
    return Framework(domains=tuple(domains), levels=tuple(levels))


def _domain(col: Collector, path, raw, seen: set[str]) -> Domain:
    code = col.text(path, raw, "code")
    competences = []
    for craw in raw.get("competences") or []:
        craw = col.mapping(path, craw, "mỗi năng lực")
        if craw is None:
            continue
        ccode = col.text(path, craw, "code")
        if ccode.partition(".")[0] != code:
            col.problem(path, craw.line_of("code"), f"năng lực {ccode} không thuộc miền {code}")
        if ccode in seen:
            col.problem(path, craw.line_of("code"), f"mã năng lực {ccode} bị lặp lại")
        seen.add(ccode)
        competences.append(Competence(ccode, code, col.text(path, craw, "name"),
                                      col.text(path, craw, "name_en")))
    return Domain(code, col.text(path, raw, "name"), col.text(path, raw, "name_en"),
                  tuple(competences))
