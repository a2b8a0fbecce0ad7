//! A closed-loop HTTP load generator for `bench proof`: N keep-alive connections, each sending
//! its next request as soon as the previous answer's body has been read, for a fixed time.
//! Every latency is kept (microseconds), so the percentiles are exact rather than bucketed.

use anyhow::{bail, Context};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One endpoint under load: a path and the headers that authenticate it (a session cookie or a
/// bearer token).
pub struct Target {
    pub name: String,
    pub path: String,
    pub headers: Vec<(HeaderName, String)>,
}

/// What one run measured.
pub struct LoadFigures {
    /// Requests answered inside the window (every one counted, whatever its status).
    pub requests: usize,
    /// Answers other than 200, and requests that failed outright.
    pub errors: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub per_second: f64,
    /// The size of the last body read (uncompressed).
    pub body_bytes: usize,
}

/// Runs `connections` closed loops against `base` + `target.path` for `seconds`. Each connection
/// first sends one untimed request (it opens the connection and must answer 200); the timed
/// window starts when every connection has done so.
pub async fn run(base: &str, target: &Target, connections: usize, seconds: f64) -> anyhow::Result<LoadFigures> {
    let connections = connections.max(1);
    let url = format!("{base}{}", target.path);
    let mut headers = HeaderMap::new();
    for (name, value) in &target.headers {
        headers.insert(name.clone(), HeaderValue::from_str(value).context("a header value that HTTP cannot carry")?);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(connections + 1));
    let window = Duration::from_secs_f64(seconds.max(0.1));
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        // One client per connection: its pool holds the one keep-alive connection it uses.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1)
            .default_headers(headers.clone())
            .build()?;
        let url = url.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let warm = async {
                let res = client.get(&url).send().await?;
                let status = res.status();
                res.bytes().await?;
                Ok::<_, reqwest::Error>(status)
            }
            .await;
            barrier.wait().await;
            let status = warm.map_err(|e| format!("the first request failed: {e}"))?;
            if status != reqwest::StatusCode::OK {
                return Err(format!("the first request answered {status}"));
            }
            let started = Instant::now();
            let mut micros: Vec<u32> = Vec::with_capacity(4096);
            let mut errors = 0usize;
            let mut body_bytes = 0usize;
            while started.elapsed() < window {
                let sent = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(res) => {
                        let status = res.status();
                        match res.bytes().await {
                            Ok(b) => {
                                body_bytes = b.len();
                                status == reqwest::StatusCode::OK
                            }
                            Err(_) => false,
                        }
                    }
                    Err(_) => false,
                };
                micros.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                if !ok {
                    errors += 1;
                }
            }
            Ok((micros, errors, body_bytes, started.elapsed()))
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut all: Vec<u32> = Vec::new();
    let mut errors = 0;
    let mut body_bytes = 0;
    let mut failures = Vec::new();
    for t in tasks {
        match t.await.context("a load task panicked")? {
            Ok((micros, e, b, _)) => {
                all.extend(micros);
                errors += e;
                body_bytes = body_bytes.max(b);
            }
            Err(e) => failures.push(e),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(first) = failures.first() {
        bail!("GET {}: {} of {connections} connections could not start: {first}", target.path, failures.len());
    }
    all.sort_unstable();
    let ms = |p: f64| percentile(&all, p) as f64 / 1000.0;
    Ok(LoadFigures {
        requests: all.len(),
        errors,
        p50_ms: ms(50.0),
        p99_ms: ms(99.0),
        max_ms: all.last().copied().unwrap_or(0) as f64 / 1000.0,
        per_second: all.len() as f64 / elapsed.max(1e-9),
        body_bytes,
    })
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
