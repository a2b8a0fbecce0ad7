//! `careerdock bench themes`: the Japanese text themes (issue 9 item 8). Prints the dictionary's
//! build time (from Debian's mecab-ipadic into a fresh cache) and load time (mmap from the
//! cache), then, over the demo's approved reports, the bare tokenizer's rate and the whole
//! extraction's (open, analyze, rules, write the term index), against the goal of ≥ 0.5×.

use crate::config::Global;
use crate::demo::{populate, DemoArgs, DEMO_TENANT};
use std::time::Instant;
use store::{KeySource, OpenOptions, Store};

pub struct ThemesArgs {
    /// Databases that already hold the demo tenant (none: a fresh demo in `dir`).
    pub on: Vec<String>,
    pub employees: usize,
    /// The tenant measured in the databases of `on` (a fresh demo is always `demo`).
    pub tenant: String,
}

/// The goal: extraction per report at least half the bare tokenizer's rate.
const GOAL: f64 = 0.5;

pub async fn run(g: &Global, args: ThemesArgs, dir: &std::path::Path) -> anyhow::Result<()> {
    let cache = dir.join("dictionary");
    let config = tokenize::cache_dir_for(&cache);
    let built = tokenize::Tokenizer::open(&config)?;
    let loaded = tokenize::Tokenizer::open(&config)?;
    println!("bench themes: IPADIC from {}", config.source_dir.display());
    if let Some(b) = built.readiness().built_in {
        println!("  dictionary build (once, cached):  {:>9.0} ms", b.as_secs_f64() * 1000.0);
    }
    println!("  dictionary load (mmap, cached):   {:>9.1} ms", loaded.readiness().loaded_in.as_secs_f64() * 1000.0);
    drop((built, loaded));

    let targets: Vec<Option<String>> = if args.on.is_empty() { vec![None] } else { args.on.into_iter().map(Some).collect() };
    for t in targets {
        let store = match &t {
            Some(url) => Store::open(url, OpenOptions { create: false, migrate: true, keys: g.key_source_for(url)? }).await?,
            None => {
                let url = dir.join("themes.db").display().to_string();
                let store =
                    Store::open(&url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(super::random_key()) }).await?;
                let start = Instant::now();
                let demo = DemoArgs { employees: args.employees, seed: 1, no_serve: true, listen: String::new(), mail: Default::default() };
                populate(&store, &demo).await?;
                println!("  demo of {} employees made in {:.1} s", args.employees, start.elapsed().as_secs_f64());
                store
            }
        };
        let slug = if t.is_some() { args.tenant.as_str() } else { DEMO_TENANT };
        let tenant = store.tenant_by_slug(slug).await?;
        let op = store::Ctx::operator(tenant.id, "bench themes");
        let f = store.bench_themes(&op, tenant.id).await?;
        let n = f.reports.max(1) as f64;
        let bare = n / f.tokenize.as_secs_f64().max(1e-9);
        let with_pos = n / f.with_parts_of_speech.as_secs_f64().max(1e-9);
        let full = f.extraction.reports.max(1) as f64 / f.extract.as_secs_f64().max(1e-9);
        println!(
            "  on {}: {} approved reports, {} characters, {} morphemes, {} terms indexed ({} distinct)",
            store.backend().as_str(),
            f.reports,
            f.chars,
            f.morphemes,
            f.extraction.terms,
            f.distinct_terms
        );
        println!("  bare tokenizer:                  {bare:>9.0} reports/s ({:.2} s)", f.tokenize.as_secs_f64());
        println!("  tokenizer with parts of speech:  {with_pos:>9.0} reports/s ({:.2} s)", f.with_parts_of_speech.as_secs_f64());
        println!("  extraction (open, analyze, rules, index): {full:>9.0} reports/s ({:.2} s)", f.extract.as_secs_f64());
        let e = &f.extraction;
        println!(
            "    of which: open {:.2} s, analyze and rules {:.2} s, write the index {:.2} s",
            e.open.as_secs_f64(),
            e.analyze.as_secs_f64(),
            e.write.as_secs_f64()
        );
        let ratio = full / bare;
        println!("  ratio: {ratio:.2}× (goal ≥ {GOAL}×: {})", if ratio >= GOAL { "met" } else { "missed" });
        store.close().await;
    }
    Ok(())
}
