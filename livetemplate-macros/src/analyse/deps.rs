//! The dependency analysis: which fields of the root struct a pipeline
//! reads. `update_tree` recomputes a dynamic of the root block only when
//! one of its fields differs between the two states, and keeps the items
//! of a root range whose body reads nothing else that changed.
//!
//! A plain function of a pipeline and the scope it stands in; the
//! analysis ([`super`]) unions it bottom-up over blocks and dynamics.

use super::Scope;
use crate::ast::{Expr, Pipeline};
use std::collections::BTreeSet;

/// The fields of the root struct some code reads (`all`: the whole struct).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RootDeps {
    pub all: bool,
    pub fields: BTreeSet<String>,
}

impl RootDeps {
    pub fn merge(&mut self, other: &RootDeps) {
        self.all |= other.all;
        self.fields.extend(other.fields.iter().cloned());
    }
}

/// The root fields `pipe` reads in `scope`: `.x` and `.` where the dot is
/// the root struct, `$.x` and `$` where `$` is, and whatever the value of
/// a variable it reads was computed from. A range's item (`.` in its body,
/// its key and value variables) reads nothing: items are compared item by
/// item, not through root fields. A name that is not one of the root's
/// `fields` is a method of the root (`{{.total}}`, `{{.has_error "x"}}`),
/// which may read any field. Functions read only their arguments.
pub fn pipeline(pipe: &Pipeline, scope: &Scope, fields: &[String]) -> RootDeps {
    let mut out = RootDeps::default();
    add_pipeline(pipe, scope, fields, &mut out);
    out
}

fn add_pipeline(pipe: &Pipeline, scope: &Scope, fields: &[String], out: &mut RootDeps) {
    for e in pipe.cmds.iter().flat_map(|c| &c.args) {
        add_expr(e, scope, fields, out);
    }
}

fn add_expr(e: &Expr, scope: &Scope, fields: &[String], out: &mut RootDeps) {
    let mut root_path = |path: &[crate::ast::Ident]| match path.first() {
        Some(f) if fields.contains(&f.name) => {
            out.fields.insert(f.name.clone());
        }
        _ => out.all = true,
    };
    match e {
        Expr::Dot(_) if scope.dot_is_root => root_path(&[]),
        Expr::Field { path, .. } if scope.dot_is_root => root_path(path),
        Expr::Var { name, path, .. } if name.is_empty() && scope.root_is_struct => root_path(path),
        Expr::Var { name, .. } if !name.is_empty() => {
            if let Some(v) = scope.var(name) {
                out.merge(&v.root_deps);
            }
        }
        Expr::Paren { pipe, .. } => add_pipeline(pipe, scope, fields, out),
        _ => {}
    }
}
