//! The demo's questionnaire answers (`demo::questionnaires`), written through the store's
//! import (`Store::import_responses`): sealed, each answer set audited, one cycle at a time.

use std::time::Instant;
use store::{Ctx, Store};

/// Writes every cycle's answer sets; answers (answer sets written, seconds).
pub async fn seed(store: &Store, ctx: &Ctx, company: &demo::Company, seed: u64, today: chrono::NaiveDate) -> anyhow::Result<(usize, f64)> {
    let started = Instant::now();
    let history = demo::history::generate_history(company, seed, today, crate::demo::HISTORY_CONSULTANTS.len());
    let me = company.employees.iter().position(|e| e.number == company.employee_user_employee);
    let mut written = 0;
    for c in demo::questionnaires::generate(company, &history, seed, today, me) {
        if c.answers.is_empty() {
            continue;
        }
        let (cycle, _) = store.cycle_by_id_or_name(ctx.tenant(), &c.cycle).await?;
        let rows = demo::questionnaires::response_rows(company, &c);
        written += store.import_responses(ctx, domain::questionnaire::career_awareness::CODE, cycle, &rows).await?;
    }
    Ok((written, started.elapsed().as_secs_f64()))
}
