//! Planning a change to the employee register: given what the tenant already holds and the
//! rows of an import, what is created, what changes, and which rows cannot be applied.

use crate::employee::{DepartmentPath, EmployeeNumber, EmployeeRecord};
use crate::import::{ParsedRow, RowError};
use crate::Message;
use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

/// An employee as the register holds it, bosses named by number.
pub type Existing = HashMap<EmployeeNumber, EmployeeRecord>;

/// One row to apply, in an order where every boss comes before the people reporting to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRow {
    pub line: usize,
    pub record: EmployeeRecord,
    /// Fields that differ from the stored record; empty for a new employee.
    pub changed: Vec<&'static str>,
    /// The same fields with their stored and new values; empty for a new employee.
    pub changes: Vec<FieldChange>,
    pub is_new: bool,
}

/// One field of an employee as the register holds it and as the import would set it. Values
/// are as the file writes them (department path, YYYY-MM-DD, boss's employee number); a status
/// is its code (`active`, `on_leave`, `retired`); `None` is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Every field of a record, by the name [`changed_fields`] uses, as text.
fn field_values(r: &EmployeeRecord) -> [(&'static str, Option<String>); 9] {
    [
        ("name", Some(r.name.as_str().to_string())),
        ("name_kana", r.name_kana.as_ref().map(|k| k.as_str().to_string())),
        ("department", Some(r.department.to_path_string())),
        ("grade", r.grade.clone()),
        ("birth_year", r.birth_year.map(|y| y.to_string())),
        ("hire_date", r.hire_date.map(|d| d.format("%Y-%m-%d").to_string())),
        ("boss_employee_number", r.boss_number.as_ref().map(|b| b.as_str().to_string())),
        ("email", r.email.as_ref().map(|e| e.as_str().to_string())),
        ("status", Some(r.status.as_str().to_string())),
    ]
}

/// The fields that differ between the stored and the imported record, with both values.
pub fn field_changes(old: &EmployeeRecord, new: &EmployeeRecord) -> Vec<FieldChange> {
    let changed = changed_fields(old, new);
    field_values(old)
        .into_iter()
        .zip(field_values(new))
        .filter(|((field, _), _)| changed.contains(field))
        .map(|((field, old), (_, new))| FieldChange { field, old, new })
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// New and changed rows, bosses first.
    pub rows: Vec<PlannedRow>,
    pub unchanged: usize,
    pub new_departments: Vec<DepartmentPath>,
}

impl ImportPlan {
    pub fn created(&self) -> usize {
        self.rows.iter().filter(|r| r.is_new).count()
    }

    pub fn updated(&self) -> usize {
        self.rows.iter().filter(|r| !r.is_new).count()
    }
}

fn changed_fields(old: &EmployeeRecord, new: &EmployeeRecord) -> Vec<&'static str> {
    let mut out = Vec::new();
    let checks: [(&'static str, bool); 9] = [
        ("name", old.name != new.name),
        ("name_kana", old.name_kana != new.name_kana),
        ("department", old.department != new.department),
        ("grade", old.grade != new.grade),
        ("birth_year", old.birth_year != new.birth_year),
        ("hire_date", old.hire_date != new.hire_date),
        ("boss_employee_number", old.boss_number != new.boss_number),
        ("email", old.email != new.email),
        ("status", old.status != new.status),
    ];
    for (name, differs) in checks {
        if differs {
            out.push(name);
        }
    }
    out
}

/// Rows whose boss is neither named in the file (by any row, valid or not) nor in the register.
pub fn unknown_bosses<N: Borrow<str> + Hash + Eq, S: BuildHasher>(
    existing: &Existing,
    numbers_in_file: &HashSet<N, S>,
    rows: &[ParsedRow],
) -> Vec<RowError> {
    rows.iter()
        .filter_map(|r| {
            let boss = r.record.boss_number.as_ref()?;
            if numbers_in_file.contains(boss.as_str()) || existing.contains_key(boss) {
                return None;
            }
            Some(RowError {
                line: r.line,
                column: Some(r.boss_column_name().to_string()),
                message: Message::new(
                    format!("上司の社員番号「{}」は、このファイルにも登録済みの従業員にも見つかりません。", boss.as_str()),
                    format!("boss employee number \"{}\" is neither in this file nor in the register", boss.as_str()),
                ),
            })
        })
        .collect()
}

/// Plans an import. Errors name the line and column of every row that cannot be applied:
/// a boss unknown to both the file and the register, or a chain of bosses that loops once
/// the file is merged with the register.
pub fn plan_import(
    existing: &Existing,
    known_departments: &BTreeSet<DepartmentPath>,
    rows: &[ParsedRow],
) -> Result<ImportPlan, Vec<RowError>> {
    let mut errors = Vec::new();

    // The register as it will be after the import: number → boss number.
    let mut boss_of: foldhash::HashMap<&EmployeeNumber, Option<&EmployeeNumber>> =
        existing.iter().map(|(n, r)| (n, r.boss_number.as_ref())).collect();
    boss_of.reserve(rows.len());
    for r in rows {
        boss_of.insert(&r.record.number, r.record.boss_number.as_ref());
    }

    let numbers: foldhash::HashSet<&str> = rows.iter().map(|r| r.record.number.as_str()).collect();
    errors.extend(unknown_bosses(existing, &numbers, rows));

    // Depth in the merged boss tree orders the rows bosses-first and reveals loops.
    let mut depth: foldhash::HashMap<&EmployeeNumber, usize> = foldhash::HashMap::default();
    depth.reserve(rows.len());
    for r in rows {
        let mut path: Vec<&EmployeeNumber> = Vec::new();
        let mut cur = &r.record.number;
        let mut looped = false;
        let base = loop {
            if let Some(d) = depth.get(cur) {
                break *d + 1;
            }
            if path.contains(&cur) {
                looped = true;
                break 0;
            }
            path.push(cur);
            match boss_of.get(cur).copied().flatten() {
                Some(b) if boss_of.contains_key(b) => cur = b,
                _ => break 0,
            }
        };
        if looped {
            errors.push(RowError {
                line: r.line,
                column: Some(r.boss_column_name().to_string()),
                message: Message::new(
                    format!("上司の関係が循環しています（社員番号「{}」から上司をたどると元に戻ります）。", r.record.number.as_str()),
                    format!("the chain of bosses loops (following bosses from \"{}\" returns to it)", r.record.number.as_str()),
                ),
            });
            continue;
        }
        for (i, n) in path.iter().rev().enumerate() {
            depth.insert(n, base + i);
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }

    let mut plan = ImportPlan::default();
    let mut new_departments: BTreeSet<DepartmentPath> = BTreeSet::new();
    for r in rows {
        for p in r.record.department.ancestry() {
            if !known_departments.contains(&p) {
                new_departments.insert(p);
            }
        }
        match existing.get(&r.record.number) {
            Some(old) => {
                let changed = changed_fields(old, &r.record);
                if changed.is_empty() {
                    plan.unchanged += 1;
                } else {
                    let changes = field_changes(old, &r.record);
                    plan.rows.push(PlannedRow { line: r.line, record: r.record.clone(), changed, changes, is_new: false });
                }
            }
            None => plan.rows.push(PlannedRow {
                line: r.line,
                record: r.record.clone(),
                changed: Vec::new(),
                changes: Vec::new(),
                is_new: true,
            }),
        }
    }
    // Each row's depth looked up once, not at every comparison.
    plan.rows.sort_by_cached_key(|r| (depth.get(&r.record.number).copied().unwrap_or(0), r.line));
    plan.new_departments = new_departments.into_iter().collect();
    plan.new_departments.sort_by_key(|d| d.depth());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::employee::{EmployeeStatus, PersonName};

    fn rec(n: &str, boss: Option<&str>, dept: &str) -> EmployeeRecord {
        EmployeeRecord {
            number: EmployeeNumber::parse(n).unwrap(),
            name: PersonName::parse("山田 太郎").unwrap(),
            name_kana: None,
            department: DepartmentPath::parse(dept).unwrap(),
            grade: None,
            birth_year: None,
            hire_date: None,
            boss_number: boss.map(|b| EmployeeNumber::parse(b).unwrap()),
            email: None,
            status: EmployeeStatus::Active,
        }
    }

    fn row(line: usize, r: EmployeeRecord) -> ParsedRow {
        ParsedRow::new(line, r)
    }

    #[test]
    fn bosses_come_first_and_departments_are_listed() {
        let rows = vec![
            row(2, rec("E3", Some("E2"), "営業本部/第一営業部")),
            row(3, rec("E2", Some("E1"), "営業本部")),
            row(4, rec("E1", None, "営業本部")),
        ];
        let plan = plan_import(&Existing::new(), &BTreeSet::new(), &rows).unwrap();
        let order: Vec<&str> = plan.rows.iter().map(|r| r.record.number.as_str()).collect();
        assert_eq!(order, ["E1", "E2", "E3"]);
        assert_eq!(plan.created(), 3);
        let depts: Vec<String> = plan.new_departments.iter().map(|d| d.to_path_string()).collect();
        assert_eq!(depts, ["営業本部", "営業本部/第一営業部"]);
    }

    #[test]
    fn unknown_boss_is_reported_on_its_line() {
        let rows = vec![row(2, rec("E1", None, "A")), row(3, rec("E2", Some("E9"), "A"))];
        let errs = plan_import(&Existing::new(), &BTreeSet::new(), &rows).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 3);
        assert_eq!(errs[0].column.as_deref(), Some("上司社員番号"));
    }

    #[test]
    fn loop_through_the_register_is_caught() {
        let mut existing = Existing::new();
        existing.insert(EmployeeNumber::parse("E1").unwrap(), rec("E1", Some("E2"), "A"));
        existing.insert(EmployeeNumber::parse("E2").unwrap(), rec("E2", None, "A"));
        let rows = vec![row(2, rec("E2", Some("E1"), "A"))];
        let errs = plan_import(&existing, &BTreeSet::new(), &rows).unwrap_err();
        assert_eq!(errs[0].line, 2);
    }

    #[test]
    fn unchanged_and_changed_rows() {
        let mut existing = Existing::new();
        existing.insert(EmployeeNumber::parse("E1").unwrap(), rec("E1", None, "A"));
        existing.insert(EmployeeNumber::parse("E2").unwrap(), rec("E2", Some("E1"), "A"));
        let known: BTreeSet<DepartmentPath> = [DepartmentPath::parse("A").unwrap()].into();
        let rows = vec![row(2, rec("E1", None, "A")), row(3, rec("E2", Some("E1"), "B"))];
        let plan = plan_import(&existing, &known, &rows).unwrap();
        assert_eq!(plan.unchanged, 1);
        assert_eq!(plan.updated(), 1);
        assert_eq!(plan.rows[0].changed, vec!["department"]);
        assert_eq!(plan.rows[0].changes, vec![FieldChange { field: "department", old: Some("A".into()), new: Some("B".into()) }]);
        assert_eq!(plan.new_departments.len(), 1);
    }

    #[test]
    fn changes_carry_old_and_new_values_of_every_changed_field() {
        let old = rec("E2", Some("E1"), "営業部");
        let mut new = rec("E2", None, "企画部");
        new.grade = Some("G3".into());
        new.hire_date = chrono::NaiveDate::from_ymd_opt(2013, 4, 1);
        new.status = EmployeeStatus::OnLeave;
        let changes = field_changes(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, changed_fields(&old, &new), "the same fields, in the same order");
        let value = |f: &str| changes.iter().find(|c| c.field == f).map(|c| (c.old.clone(), c.new.clone()));
        assert_eq!(value("department"), Some((Some("営業部".into()), Some("企画部".into()))));
        assert_eq!(value("grade"), Some((None, Some("G3".into()))));
        assert_eq!(value("hire_date"), Some((None, Some("2013-04-01".into()))));
        assert_eq!(value("boss_employee_number"), Some((Some("E1".into()), None)));
        assert_eq!(value("status"), Some((Some("active".into()), Some("on_leave".into()))));
        assert!(field_changes(&old, &old).is_empty());
    }
}
