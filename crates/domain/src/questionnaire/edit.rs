//! Editing a questionnaire that already has answers (R13). Answers are stored per item code and
//! scored on the definition's scale, with its reverse flags and subscales; changing any of those
//! would silently change the meaning of answers already given (a removed item's answers would no
//! longer fit, a moved scale would put old answers off it, a flipped reverse flag would turn an
//! old score upside down). So, once a questionnaire has answers, its *structure* is locked: the
//! scale's minimum and maximum, the set of items (codes), each item's reverse flag and subscale,
//! and the set of subscales. Texts stay editable (titles, instructions, the scale's labels, item
//! texts, subscale names) and items may be put in another order. A questionnaire needing another
//! structure is created anew (another code), so both sets of answers keep their meaning.
//!
//! [`locked_changes`] lists every refused change with its place, like [`Questionnaire::parse`].
//! It reads drafts, so that a form with other problems too is told all of them at once.

use super::{DefinitionProblem, Item, Place, Questionnaire, QuestionnaireDraft};
use std::collections::HashSet;

fn item<'a>(d: &'a QuestionnaireDraft, code: &str) -> Option<&'a Item> {
    d.items.iter().find(|i| i.code.trim() == code.trim())
}

fn subscale_of(i: &Item) -> Option<&str> {
    i.subscale.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Every structural change from `old` to `new` that answers already given forbid, each at its
/// place in `new` (an item or subscale removed is reported on the list itself). Empty when only
/// texts and the order of items changed. Codes are compared trimmed.
pub fn locked_changes(old: &QuestionnaireDraft, new: &QuestionnaireDraft) -> Vec<DefinitionProblem> {
    use Place::Questionnaire as Q;
    let mut out = Vec::new();
    let (os, ns) = (&old.scale, &new.scale);
    if os.min != ns.min {
        out.push(DefinitionProblem::new(
            Q { field: "scale_min" },
            format!("回答が記録されているため、尺度の最小値は変更できません（{}のままにしてください）。", os.min),
            format!("answers are recorded, so the scale minimum cannot change (keep {})", os.min),
        ));
    }
    if os.max != ns.max {
        out.push(DefinitionProblem::new(
            Q { field: "scale_max" },
            format!("回答が記録されているため、尺度の最大値は変更できません（{}のままにしてください）。", os.max),
            format!("answers are recorded, so the scale maximum cannot change (keep {})", os.max),
        ));
    }
    let removed: Vec<&str> = old.items.iter().filter(|i| item(new, &i.code).is_none()).map(|i| i.code.trim()).collect();
    if !removed.is_empty() {
        let list = removed.iter().map(|c| format!("「{c}」")).collect::<Vec<_>>().join("");
        out.push(DefinitionProblem::new(
            Q { field: "items" },
            format!("回答が記録されているため、設問{list}は削除できません。"),
            format!("answers are recorded, so item(s) {} cannot be removed", removed.join(", ")),
        ));
    }
    for (index, now) in new.items.iter().enumerate() {
        let at = |field| Place::Item { index, field };
        if now.code.trim().is_empty() {
            continue;
        }
        let Some(before) = item(old, &now.code) else {
            out.push(DefinitionProblem::new(
                at("code"),
                format!(
                    "回答が記録されているため、設問「{}」は追加できません。設問を増やすときは新しいアンケートとして作成してください。",
                    now.code.trim()
                ),
                format!("answers are recorded, so item \"{}\" cannot be added; create a new questionnaire instead", now.code.trim()),
            ));
            continue;
        };
        if before.reverse != now.reverse {
            out.push(DefinitionProblem::new(
                at("reverse"),
                "回答が記録されているため、逆転項目の指定は変更できません。",
                "answers are recorded, so whether the item is reverse-scored cannot change",
            ));
        }
        if subscale_of(before) != subscale_of(now) {
            out.push(DefinitionProblem::new(
                at("subscale"),
                format!(
                    "回答が記録されているため、下位尺度は変更できません（{}のままにしてください）。",
                    subscale_of(before).map(|s| format!("「{s}」")).unwrap_or_else(|| "なし".into())
                ),
                format!("answers are recorded, so the subscale cannot change (keep {})", subscale_of(before).unwrap_or("none")),
            ));
        }
    }
    let old_subscales: HashSet<&str> = old.subscales.iter().map(|s| s.code.trim()).collect();
    let new_subscales: HashSet<&str> = new.subscales.iter().map(|s| s.code.trim()).filter(|c| !c.is_empty()).collect();
    let mut gone: Vec<&str> = old_subscales.difference(&new_subscales).copied().collect();
    gone.sort_unstable();
    if !gone.is_empty() {
        out.push(DefinitionProblem::new(
            Q { field: "subscales" },
            format!("回答が記録されているため、下位尺度{}は削除できません。", gone.iter().map(|c| format!("「{c}」")).collect::<String>()),
            format!("answers are recorded, so subscale(s) {} cannot be removed", gone.join(", ")),
        ));
    }
    for (index, s) in new.subscales.iter().enumerate() {
        if !s.code.trim().is_empty() && !old_subscales.contains(s.code.trim()) {
            out.push(DefinitionProblem::new(
                Place::Subscale { index, field: "code" },
                format!("回答が記録されているため、下位尺度「{}」は追加できません。", s.code.trim()),
                format!("answers are recorded, so subscale \"{}\" cannot be added", s.code.trim()),
            ));
        }
    }
    out
}

/// Whether a code change is refused: a questionnaire's code is its identity (the import's
/// `--questionnaire`, the API), so an edit keeps it. Returns the problem, if any.
pub fn code_kept(old: &Questionnaire, new: &Questionnaire) -> Option<DefinitionProblem> {
    (old.code() != new.code()).then(|| {
        DefinitionProblem::new(
            Place::Questionnaire { field: "code" },
            format!("コードは変更できません（「{}」のままにしてください）。", old.code()),
            format!("the code cannot change (keep \"{}\")", old.code()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::{career_awareness, Item, QuestionnaireDraft, Text};
    use super::*;
    use proptest::prelude::*;

    fn parse(d: QuestionnaireDraft) -> Questionnaire {
        Questionnaire::parse(d).expect("valid")
    }

    fn paths(problems: &[DefinitionProblem]) -> Vec<String> {
        problems.iter().map(|p| p.place.path()).collect()
    }

    #[test]
    fn texts_and_order_may_change() {
        let old = parse(career_awareness::draft());
        let mut d = career_awareness::draft();
        d.title = Text::new("新しい名称", "New title");
        d.instructions = Text::new("説明", "");
        d.items[0].text = Text::new("言い換えた設問。", "");
        d.items.reverse();
        d.scale.labels[0].ja = "まったくちがう".into();
        d.subscales[0].name.ja = "別の名前".into();
        assert!(locked_changes(old.as_draft(), parse(d).as_draft()).is_empty());
        assert!(code_kept(&old, &old).is_none());
    }

    #[test]
    fn structural_changes_are_each_reported_at_their_place() {
        let old = parse(career_awareness::draft());
        let mut d = career_awareness::draft();
        d.scale.min = 0;
        d.scale.labels.insert(0, Text::new("ゼロ", "zero"));
        d.items.remove(15); // q16 removed
        d.items[0].reverse = !d.items[0].reverse;
        let other = d.items[2].subscale.clone();
        let moved = d.subscales.iter().map(|s| Some(s.code.clone())).find(|s| *s != d.items[1].subscale && *s != other).flatten();
        d.items[1].subscale = moved;
        d.items.push(Item { code: "q99".into(), text: Text::new("新しい設問。", ""), reverse: false, subscale: other });
        let new = parse(d);
        let problems = locked_changes(old.as_draft(), new.as_draft());
        assert_eq!(paths(&problems), ["scale_min", "items", "items[0].reverse", "items[1].subscale", "items[15].code"], "{problems:?}");
        assert!(problems[1].message.ja.contains("「q16」"), "{}", problems[1].message.ja);
        assert!(problems[4].describe(crate::Locale::Ja).starts_with("設問16のコード: "), "{}", problems[4].describe(crate::Locale::Ja));
        assert!(problems[2].describe(crate::Locale::Ja).contains("逆転項目"), "{}", problems[2].describe(crate::Locale::Ja));
    }

    #[test]
    fn subscales_added_or_removed_are_refused() {
        let old = parse(career_awareness::draft());
        let mut d = career_awareness::draft();
        d.subscales[0].code = "renamed".into();
        for i in d.items.iter_mut() {
            if i.subscale.as_deref() == Some(old.subscales()[0].code.as_str()) {
                i.subscale = Some("renamed".into());
            }
        }
        let problems = locked_changes(old.as_draft(), parse(d).as_draft());
        let p = paths(&problems);
        assert!(p.contains(&"subscales".to_string()) && p.contains(&"subscales[0].code".to_string()), "{p:?}");
        assert!(p.iter().filter(|p| p.ends_with(".subscale")).count() == 4, "{p:?}");
    }

    #[test]
    fn an_invalid_draft_is_still_told_what_is_locked() {
        let old = parse(career_awareness::draft());
        let mut d = career_awareness::draft();
        d.scale.max = 6; // and no label for point 6: the draft itself is invalid too
        d.items[0].code = "  q01 ".into();
        assert!(Questionnaire::parse(d.clone()).is_err());
        assert_eq!(paths(&locked_changes(old.as_draft(), &d)), ["scale_max"]);
    }

    #[test]
    fn the_code_is_kept() {
        let old = parse(career_awareness::draft());
        let mut d = career_awareness::draft();
        d.code = "other".into();
        let p = code_kept(&old, &parse(d)).expect("refused");
        assert_eq!(p.place.path(), "code");
        assert!(p.message.ja.contains("career-awareness"));
    }

    proptest! {
        /// Rewording any item and reordering items is never locked; flipping any reverse flag
        /// always is, at that item.
        #[test]
        fn rewording_is_free_and_flipping_is_locked(seed in proptest::collection::vec(any::<bool>(), 16), flip in 0usize..16, rotate in 0usize..16) {
            let old = parse(career_awareness::draft());
            let mut d = career_awareness::draft();
            for (item, reword) in d.items.iter_mut().zip(&seed) {
                if *reword {
                    item.text.ja = format!("{}（改）", item.text.ja.trim_end_matches('。'));
                }
            }
            d.items.rotate_left(rotate);
            let reworded = parse(d.clone());
            prop_assert!(locked_changes(old.as_draft(), reworded.as_draft()).is_empty());
            d.items[flip].reverse = !d.items[flip].reverse;
            let flipped = parse(d);
            let problems = locked_changes(old.as_draft(), flipped.as_draft());
            prop_assert_eq!(paths(&problems), vec![format!("items[{flip}].reverse")]);
        }
    }
}
