//! Small helpers so every table gets the same conventions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{timestamp_with_time_zone, uuid};

/// A new table with a UUID primary key and UTC `created_at` / `updated_at`.
pub fn entity_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(uuid("id").primary_key())
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .to_owned()
}

/// A foreign key from `table.column` to `target.id`.
pub fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// An index named after its table and columns.
pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut ix = Index::create();
    ix.name(format!("ix_{table}_{}", columns.join("_")))
        .table(table);
    for c in columns {
        ix.col(*c);
    }
    ix.to_owned()
}

/// A unique index named after its table and columns.
pub fn unique(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut ix = index(table, columns);
    ix.name(format!("ux_{table}_{}", columns.join("_")))
        .unique();
    ix
}
