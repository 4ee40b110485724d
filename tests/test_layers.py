"""Packages depend in one direction, with every import at the top of its file: the layer
contract itself is checked by `lint-imports` in .ci/run (pyproject.toml); this test catches
the way around it, an import of another app package placed inside a function."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _package(path: Path) -> str:
    parts = path.relative_to(APP).parts
    return parts[0].removesuffix(".py")


def test_no_module_imports_another_app_package_inside_a_function():
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    target = inner.module or ""
                    if inner.level == 0 and not target.startswith("app"):
                        continue
                    if inner.level and path.parent != APP and inner.level == 1:
                        continue  # its own package: not a layer question
                    found.append(f"{path.relative_to(APP.parent)}:{inner.lineno} "
                                 f"{'.' * inner.level}{target}")
                elif isinstance(inner, ast.Import):
                    found += [f"{path.relative_to(APP.parent)}:{inner.lineno} {n.name}"
                              for n in inner.names if n.name.startswith("app")]
    assert found == []


def test_the_layer_contract_names_every_package():
    import tomllib

    config = tomllib.loads((APP.parent / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {name.strip().removeprefix("app.") for layer in layers for name in layer.split("|")}
    packages = {p.name.removesuffix(".py") for p in APP.iterdir()
                if (p.suffix == ".py" and p.name != "__init__.py")
                or (p.is_dir() and (p / "__init__.py").exists())}
    assert packages - named == set()
