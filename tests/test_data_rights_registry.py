"""The registry covers every table and every column: a new table or field holding personal
data cannot be forgotten by the data page, the export or erasure."""

from __future__ import annotations

from sqlalchemy import Column
from sqlalchemy.sql import visitors

from preference_centre.data_rights import registry, unlisted
from preference_centre.extensions import db


def _person_linked(table) -> bool:
    return table.name == "people" or "person_id" in table.c or any(
        key.column.table.name == "people" for key in table.foreign_keys
    )


def test_every_table_is_in_the_registry_or_declared_free_of_personal_data(app):
    covered = registry.covered_tables()
    missing = [t.name for t in db.metadata.sorted_tables
               if t.name not in covered and t.name not in unlisted.NOT_PERSONAL_TABLES]
    assert missing == [], (
        f"tables {missing} are in neither the data-rights registry nor NOT_PERSONAL_TABLES: "
        "add a Category/Source with an Erasure rule in preference_centre/data_rights/registry.py"
    )


def test_no_table_linked_to_a_person_is_declared_free_of_personal_data(app):
    linked = {t.name for t in db.metadata.sorted_tables if _person_linked(t)}
    assert linked & set(unlisted.NOT_PERSONAL_TABLES) == set()
    assert linked <= registry.covered_tables()


def _columns(expr) -> set[str]:
    if hasattr(expr, "__clause_element__"):
        expr = expr.__clause_element__()
    return {node.name for node in visitors.iterate(expr) if isinstance(node, Column)}


def test_every_column_of_a_registry_table_is_shown_or_hidden_with_a_reason(app):
    shown: dict[str, set[str]] = {}
    for source in registry.all_sources():
        for field in source.fields:
            shown.setdefault(source.table.name, set()).update(_columns(field.expr))
    problems = []
    for name in registry.covered_tables():
        hidden = set(unlisted.HIDDEN_COLUMNS["*"]) | set(unlisted.HIDDEN_COLUMNS.get(name, {}))
        for column in db.metadata.tables[name].c:
            if column.name not in shown[name] and column.name not in hidden:
                problems.append(f"{name}.{column.name}")
    assert problems == [], f"columns neither shown nor hidden with a reason: {problems}"


def test_each_table_has_one_erasure_rule_and_every_category_says_why_and_how_long(app):
    rules = registry.erasure_rules()
    assert rules["people"][1].action == "person"
    assert rules["consent_events"][1].action == "pseudonymise"
    for category in registry.CATEGORIES:
        assert category.source and category.purpose and category.legal_basis
        assert category.retention and category.sources
