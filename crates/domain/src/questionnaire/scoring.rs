//! Scoring one answer set, and choosing the pair of answers a person contributes to a group.
//!
//! Completeness rule: an answer set is **complete** when every item has an answer. Only a
//! complete set has a score (the mean of all item answers after reverse scoring,
//! `min + max − answer`), and a subscale has a mean only when all its items are answered, so
//! that a skipped item never shifts anyone's score; a partial set still shows the mean of what
//! was answered (`answered_mean`), for the person's own page, never for group statistics.

use super::{Questionnaire, Timing};
use crate::effect::Pair;
use crate::Message;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A refused answer: which item (as given), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerProblem {
    pub item: String,
    pub message: Message,
}

/// One subscale's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubscaleScore {
    pub code: String,
    pub answered: usize,
    pub items: usize,
    /// Mean after reverse scoring, when every item of the subscale is answered.
    pub mean: Option<f64>,
}

/// One answer set's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scored {
    pub answered: usize,
    pub items: usize,
    /// Every item answered.
    pub complete: bool,
    /// The person's score: the mean of all items after reverse scoring; only when complete.
    pub score: Option<f64>,
    /// Mean of the answered items after reverse scoring (any answered item); for display only.
    pub answered_mean: Option<f64>,
    pub subscales: Vec<SubscaleScore>,
    /// Codes of the unanswered items, in the questionnaire's order.
    pub missing: Vec<String>,
}

impl Questionnaire {
    /// Scores one answer set: `(item code, answer)`, `None` for an item left blank. Unknown
    /// items, a second answer to one item and values off the scale are refused, all at once.
    pub fn score(&self, answers: &[(&str, Option<i64>)]) -> Result<Scored, Vec<AnswerProblem>> {
        let scale = self.scale();
        let mut given: HashMap<&str, i64> = HashMap::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut problems = Vec::new();
        for (code, value) in answers {
            let code = code.trim();
            let times = seen.entry(code).or_insert(0);
            *times += 1;
            if *times == 2 {
                problems.push(AnswerProblem {
                    item: code.to_string(),
                    message: Message::new(
                        format!("設問「{code}」への回答が複数あります。"),
                        format!("item \"{code}\" is answered more than once"),
                    ),
                });
            }
            if self.item(code).is_none() {
                problems.push(AnswerProblem {
                    item: code.to_string(),
                    message: Message::new(
                        format!("「{code}」はこのアンケートの設問にありません。"),
                        format!("\"{code}\" is not an item of this questionnaire"),
                    ),
                });
                continue;
            }
            match value {
                Some(v) if scale.contains(*v) => {
                    given.insert(code, *v);
                }
                Some(_) => problems.push(AnswerProblem {
                    item: code.to_string(),
                    message: Message::new(
                        format!("設問「{code}」の回答は{}〜{}の整数で入力してください。", scale.min, scale.max),
                        format!("the answer to item \"{code}\" must be a whole number from {} to {}", scale.min, scale.max),
                    ),
                }),
                None => {}
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let scored_value = |code: &str| {
            let item = self.item(code)?;
            let v = *given.get(code)?;
            Some(if item.reverse { scale.reversed(v) } else { v })
        };
        let items = self.items().len();
        let values: Vec<i64> = self.items().iter().filter_map(|i| scored_value(&i.code)).collect();
        let missing: Vec<String> = self.items().iter().filter(|i| !given.contains_key(i.code.as_str())).map(|i| i.code.clone()).collect();
        let complete = missing.is_empty();
        let answered_mean = mean(&values);
        let subscales = self
            .subscales()
            .iter()
            .map(|s| {
                let members: Vec<&str> =
                    self.items().iter().filter(|i| i.subscale.as_deref() == Some(s.code.as_str())).map(|i| i.code.as_str()).collect();
                let vals: Vec<i64> = members.iter().filter_map(|c| scored_value(c)).collect();
                let all = vals.len() == members.len();
                SubscaleScore {
                    code: s.code.clone(),
                    answered: vals.len(),
                    items: members.len(),
                    mean: if all { mean(&vals) } else { None },
                }
            })
            .collect();
        Ok(Scored {
            answered: values.len(),
            items,
            complete,
            score: if complete { answered_mean } else { None },
            answered_mean,
            subscales,
            missing,
        })
    }
}

fn mean(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64)
    }
}

/// One of a person's answer sets: when, at which timing, and its score (`None` when incomplete).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DatedScore {
    pub timing: Timing,
    pub answered_on: NaiveDate,
    pub score: Option<f64>,
}

/// The pair a person contributes between two timings (`pre` → `post`, or `pre` →
/// `follow_up`): the latest answer set of each (by date; of two on the same date, the later in
/// the slice). An incomplete latest answer leaves that side empty: the person then has no
/// complete pair, even if an earlier answer was complete.
pub fn pair_between(answers: &[DatedScore], before: Timing, after: Timing) -> Pair {
    let latest = |timing: Timing| {
        answers.iter().filter(|a| a.timing == timing).fold(None::<&DatedScore>, |best, a| match best {
            Some(b) if b.answered_on > a.answered_on => Some(b),
            _ => Some(a),
        })
    };
    Pair { before: latest(before).and_then(|a| a.score), after: latest(after).and_then(|a| a.score) }
}
