//! The department tree: 役員室 at the top, then 本部 / 部 / 課, sized from the head count.
//!
//! The shape depends only on the number of departments wanted, not on the seed, so two demo
//! companies of the same size share an organisation chart and differ only in their people.

use domain::employee::DepartmentPath;

/// Where a department sits in the tree, which decides its head's title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// 役員室: the president's office, the root.
    Office,
    /// 本部, headed by a 本部長.
    Division,
    /// 部, headed by a 部長.
    Department,
    /// 課, headed by a 課長.
    Section,
}

pub(crate) struct Dept {
    pub path: DepartmentPath,
    /// Index of the parent in the plan; parents always come first.
    pub parent: Option<usize>,
    pub level: Level,
    /// Relative staffing of this kind of work (a 製造課 is bigger than a 法務課).
    pub size: f64,
    pub has_children: bool,
}

pub(crate) const OFFICE: &str = "役員室";

const FAMILIES: [&str; 5] = ["経営企画本部", "営業本部", "開発本部", "製造本部", "管理本部"];
const PLANNING: usize = 0;
const SALES: usize = 1;
const ENGINEERING: usize = 2;
const MANUFACTURING: usize = 3;
const ADMINISTRATION: usize = 4;

/// A kind of 部: its stem (without 部), its 本部, its 課 and how many people it employs.
struct Kind {
    stem: &'static str,
    family: usize,
    sections: &'static [&'static str],
    size: f64,
}

/// In the order a growing company adds them.
const KINDS: [Kind; 16] = [
    Kind {
        stem: "営業", family: SALES, sections: &["法人営業課", "営業推進課", "代理店営業課", "官公庁営業課", "海外営業課"], size: 1.3
    },
    Kind {
        stem: "人事", family: ADMINISTRATION, sections: &["人事課", "労務課", "人材開発課", "採用課", "健康推進課"], size: 0.6
    },
    Kind {
        stem: "製造", family: MANUFACTURING, sections: &["製造課", "組立課", "加工課", "生産技術課", "設備保全課"], size: 1.8
    },
    Kind {
        stem: "開発", family: ENGINEERING, sections: &["設計課", "ソフトウェア開発課", "試作課", "評価課", "技術管理課"], size: 1.3
    },
    Kind { stem: "経理", family: ADMINISTRATION, sections: &["経理課", "財務課", "管理会計課", "税務課"], size: 0.5 },
    Kind { stem: "総務", family: ADMINISTRATION, sections: &["総務課", "施設管理課", "庶務課", "秘書課"], size: 0.5 },
    Kind { stem: "経営企画", family: PLANNING, sections: &["経営企画課", "広報課", "事業開発課", "IR課"], size: 0.4 },
    Kind {
        stem: "品質保証", family: MANUFACTURING, sections: &["品質管理課", "品質保証課", "検査課", "環境安全課"], size: 0.9
    },
    Kind {
        stem: "情報システム",
        family: ADMINISTRATION,
        sections: &["システム企画課", "インフラ課", "業務システム課", "情報セキュリティ課"],
        size: 0.6,
    },
    Kind {
        stem: "マーケティング",
        family: SALES,
        sections: &["市場調査課", "販売促進課", "商品企画課", "デジタルマーケティング課"],
        size: 0.7,
    },
    Kind {
        stem: "研究開発", family: ENGINEERING, sections: &["基礎研究課", "応用研究課", "材料研究課", "先行開発課"], size: 1.0
    },
    Kind { stem: "購買", family: MANUFACTURING, sections: &["調達課", "購買管理課", "外注管理課"], size: 0.5 },
    Kind { stem: "生産管理", family: MANUFACTURING, sections: &["生産計画課", "工程管理課", "資材課"], size: 0.7 },
    Kind {
        stem: "物流", family: MANUFACTURING, sections: &["物流企画課", "倉庫管理課", "配送課", "出荷管理課"], size: 0.9
    },
    Kind {
        stem: "カスタマーサポート", family: SALES, sections: &["お客様相談課", "技術サポート課", "修理サービス課"], size: 1.0
    },
    Kind { stem: "法務", family: PLANNING, sections: &["法務課", "知的財産課", "コンプライアンス課"], size: 0.3 },
];

/// Once every kind exists, a bigger company adds more of these (第二営業部, 第二製造部, …).
const REPEATS: [usize; 9] = [0, 2, 3, 0, 2, 14, 13, 7, 8];

/// A 本部 with more 部 than this is split into 第一…本部, 第二…本部.
const MAX_DEPARTMENTS_PER_DIVISION: usize = 8;

/// A 部 has at least this many 課 (the rest of the budget is spread evenly).
const MIN_SECTIONS_PER_DEPARTMENT: usize = 2;

/// How many departments a company of this many employees has: about one per 40, at least 6.
pub(crate) fn department_count(employees: usize) -> usize {
    (employees.saturating_add(20) / 40).max(6)
}

fn kind_at(i: usize) -> usize {
    if i < KINDS.len() {
        i
    } else {
        REPEATS[(i - KINDS.len()) % REPEATS.len()]
    }
}

/// 1 → 一, 12 → 十二, 305 → 三百五; Arabic digits past 9999.
pub(crate) fn kanji_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    if n == 0 || n > 9999 {
        return n.to_string();
    }
    let mut out = String::new();
    for place in (0..4).rev() {
        let digit = n / 10usize.pow(place as u32) % 10;
        if digit == 0 {
            continue;
        }
        if !(digit == 1 && place > 0) {
            out.push_str(DIGITS[digit]);
        }
        out.push_str(UNITS[place]);
    }
    out
}

/// `base` the first time round, then 法人営業第二課, 法人営業第三課, …
fn section_name(base: &str, round: usize) -> String {
    if round == 0 {
        return base.to_string();
    }
    let stem = base.strip_suffix('課').unwrap_or(base);
    format!("{stem}第{}課", kanji_number(round + 1))
}

fn numbered(stem: &str, suffix: &str, ordinal: usize, of: usize) -> String {
    if of <= 1 {
        format!("{stem}{suffix}")
    } else {
        format!("第{}{stem}{suffix}", kanji_number(ordinal + 1))
    }
}

/// A 部 to be placed: its kind, its number among 部 of that kind, its number among all 部.
#[derive(Clone, Copy)]
struct Slot {
    kind: usize,
    ordinal: usize,
    index: usize,
}

/// Every department, parents before children (preorder), `total` of them when `total` >= 5.
pub(crate) fn plan(total: usize) -> Vec<Dept> {
    // Choose how many 部 fit: each brings its 課, and opens a 本部 when its family needs one.
    let mut family_count = [0usize; FAMILIES.len()];
    let mut divisions = 0;
    let mut departments = 0;
    loop {
        let family = KINDS[kind_at(departments)].family;
        let opens = usize::from(family_count[family] % MAX_DEPARTMENTS_PER_DIVISION == 0);
        let needed = 1 + divisions + opens + (departments + 1) * (1 + MIN_SECTIONS_PER_DEPARTMENT);
        if needed > total {
            break;
        }
        family_count[family] += 1;
        divisions += opens;
        departments += 1;
    }
    let sections = total.saturating_sub(1 + divisions + departments);

    // Number each kind, then group the 部 by family.
    let mut kind_total = [0usize; KINDS.len()];
    for i in 0..departments {
        kind_total[kind_at(i)] += 1;
    }
    let mut kind_seen = [0usize; KINDS.len()];
    let mut by_family: Vec<Vec<Slot>> = vec![Vec::new(); FAMILIES.len()];
    for index in 0..departments {
        let kind = kind_at(index);
        by_family[KINDS[kind].family].push(Slot { kind, ordinal: kind_seen[kind], index });
        kind_seen[kind] += 1;
    }

    let mut out: Vec<Dept> = Vec::with_capacity(total.min(1 << 16));
    let Some(office) = DepartmentPath::parse(OFFICE).ok() else {
        return out;
    };
    out.push(Dept { path: office, parent: None, level: Level::Office, size: 1.0, has_children: false });

    for (family, slots) in by_family.iter().enumerate() {
        if slots.is_empty() {
            continue;
        }
        let division_count = slots.len().div_ceil(MAX_DEPARTMENTS_PER_DIVISION);
        let mut next = 0;
        for division in 0..division_count {
            let name = numbered("", FAMILIES[family], division, division_count);
            let Some(division_at) = push(&mut out, Some(0), &name, Level::Division, 1.0) else {
                continue;
            };
            // Spread the family's 部 evenly over its 本部.
            while next < slots.len() && next * division_count / slots.len() == division {
                let slot = slots[next];
                next += 1;
                let kind = &KINDS[slot.kind];
                let name = numbered(kind.stem, "部", slot.ordinal, kind_total[slot.kind]);
                let Some(department_at) = push(&mut out, Some(division_at), &name, Level::Department, kind.size) else {
                    continue;
                };
                let count = sections / departments + usize::from(slot.index < sections % departments);
                for i in 0..count {
                    let base = kind.sections[i % kind.sections.len()];
                    let name = section_name(base, i / kind.sections.len());
                    push(&mut out, Some(department_at), &name, Level::Section, kind.size);
                }
            }
        }
    }
    out
}

/// Appends a child of `parent` and returns its index, or None if its path would not parse.
fn push(out: &mut Vec<Dept>, parent: Option<usize>, name: &str, level: Level, size: f64) -> Option<usize> {
    // 本部 report to 役員室 but are top-level paths, as HR systems usually list them.
    let raw = match parent.and_then(|p| out.get(p)) {
        Some(p) if p.level != Level::Office => format!("{}/{name}", p.path.to_path_string()),
        _ => name.to_string(),
    };
    let path = DepartmentPath::parse(&raw).ok()?;
    if let Some(p) = parent.and_then(|p| out.get_mut(p)) {
        p.has_children = true;
    }
    out.push(Dept { path, parent, level, size, has_children: false });
    Some(out.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn kanji_numbers() {
        assert_eq!(kanji_number(1), "一");
        assert_eq!(kanji_number(10), "十");
        assert_eq!(kanji_number(12), "十二");
        assert_eq!(kanji_number(21), "二十一");
        assert_eq!(kanji_number(305), "三百五");
        assert_eq!(kanji_number(1100), "千百");
        assert_eq!(kanji_number(10000), "10000");
    }

    #[test]
    fn plans_have_the_requested_size_and_unique_paths() {
        for total in [6, 7, 10, 30, 31, 100, 250, 2500] {
            let plan = plan(total);
            assert_eq!(plan.len(), total, "total {total}");
            let paths: HashSet<String> = plan.iter().map(|d| d.path.to_path_string()).collect();
            assert_eq!(paths.len(), total);
            for (i, d) in plan.iter().enumerate() {
                match d.parent {
                    None => assert_eq!(i, 0),
                    Some(p) => {
                        assert!(p < i);
                        let expected = (plan[p].level != Level::Office).then(|| plan[p].path.clone());
                        assert_eq!(d.path.parent(), expected);
                    }
                }
            }
        }
    }

    #[test]
    fn a_mid_sized_company_has_the_usual_functions() {
        let names: Vec<String> = plan(30).iter().map(|d| d.path.to_path_string()).collect();
        for expected in ["役員室", "営業本部/営業部/法人営業課", "管理本部/人事部/人事課", "製造本部/製造部"]
        {
            assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
        }
    }
}
