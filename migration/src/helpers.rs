//! Schema helpers shared by migrations. Never change what an existing helper
//! produces: landed migrations depend on it.

use sea_orm_migration::prelude::*;

/// A foreign key `from_table.col → to.id`, named `fk_<table>_<col>`.
pub fn fk(
    from_table: &'static str,
    col: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{col}"))
        .from(from_table, col)
        .to(to, "id")
        .to_owned()
}

/// An index named `ix_<table>_<cols>`.
pub fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        stmt.col(*c);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}
