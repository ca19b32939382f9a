"""Tables that refuse UPDATE and DELETE in the database itself, on both engines, so no code
path (or a console slip) can rewrite what they record: the staff audit log and the published
privacy notices. (The consent ledger has its own guard, which lets erasure pseudonymise.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DDL, Table, event


@dataclass(frozen=True)
class AppendOnlyGuard:
    """The statements that make one table append-only, per engine; the models attach them
    for ``create_all`` and the migrations run the same ones."""

    table: str

    @property
    def sqlite(self) -> list[DDL]:
        return [DDL(f"CREATE TRIGGER {self.table}_no_{op.lower()} BEFORE {op} ON {self.table} "
                    f"BEGIN SELECT RAISE(ABORT, '{self.table} is append-only ({op} refused)'); "
                    "END")
                for op in ("UPDATE", "DELETE")]

    @property
    def postgresql(self) -> list[DDL]:
        return [
            DDL(f"CREATE OR REPLACE FUNCTION {self.table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{self.table} is append-only (%% refused)', TG_OP; "
                "END; $$ LANGUAGE plpgsql"),
            DDL(f"CREATE TRIGGER {self.table}_append_only BEFORE UPDATE OR DELETE ON "
                f"{self.table} FOR EACH ROW EXECUTE FUNCTION {self.table}_append_only()"),
        ]

    def for_dialect(self, dialect: str) -> list[DDL]:
        return self.postgresql if dialect == "postgresql" else self.sqlite

    def drop_statements(self, dialect: str) -> list[str]:
        if dialect == "postgresql":
            return [f"DROP TRIGGER IF EXISTS {self.table}_append_only ON {self.table}",
                    f"DROP FUNCTION IF EXISTS {self.table}_append_only()"]
        return [f"DROP TRIGGER IF EXISTS {self.table}_no_{op}" for op in ("update", "delete")]


def append_only(table: Table) -> AppendOnlyGuard:
    """Attach the guard to ``table`` for ``create_all`` and return it (for the migrations)."""
    guard = AppendOnlyGuard(table.name)
    for dialect in ("sqlite", "postgresql"):
        for ddl in guard.for_dialect(dialect):
            event.listen(table, "after_create", ddl.execute_if(dialect=dialect))
    return guard
