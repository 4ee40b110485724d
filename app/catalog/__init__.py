"""The content catalog: framework, groups, courses, modules and question pools from content/."""

from flask import current_app

from .loader import ContentError, Problem, load_catalog
from .types import Catalog, Check, Course, Module, Question

__all__ = ["Catalog", "Check", "ContentError", "Course", "Module", "Problem", "Question",
           "get_catalog", "load_catalog"]


def get_catalog() -> Catalog:
    """The catalog the running app serves (loaded once in create_app)."""
    return current_app.extensions["catalog"]
