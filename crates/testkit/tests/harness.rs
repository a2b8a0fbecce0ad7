use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use careerdock_testkit::{browser, fresh_db, pg_bin, postgres_base_url, psql, Backend};
use fantoccini::Locator;

fn psql_select_1(url: &str) -> String {
    let out = Command::new(pg_bin("psql")).args(["-X", "-A", "-t", "-d", url, "-c", "select 1"]).output().unwrap();
    assert!(out.status.success(), "psql on {url}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn postgres_fresh_dbs_are_distinct_and_usable() {
    let started = Instant::now();
    let a = fresh_db(Backend::Postgres).unwrap();
    let first = started.elapsed();
    let b = fresh_db(Backend::Postgres).unwrap();
    eprintln!("first fresh_db (incl. cluster start): {first:?}, second: {:?}", started.elapsed() - first);
    assert_eq!(a.backend, Backend::Postgres);
    assert_ne!(a.url, b.url);
    assert!(a.url.starts_with("postgres://"), "{}", a.url);
    assert_eq!(a.sqlite_path(), None);
    for db in [&a, &b] {
        assert_eq!(psql_select_1(&db.url), "1");
        assert_eq!(psql(&db.url, "select current_database()").unwrap(), db.pg_database().unwrap());
    }
    // Isolation: a table in one is absent from the other.
    psql(&a.url, "create table only_in_a (id int)").unwrap();
    assert_eq!(psql(&b.url, "select count(*) from pg_tables where tablename = 'only_in_a'").unwrap(), "0");
    // Server settings the durability tests rely on.
    assert_eq!(psql(&a.url, "show fsync").unwrap(), "on");
    assert_eq!(psql(&a.url, "show server_encoding").unwrap(), "UTF8");
}

#[test]
fn postgres_db_is_dropped_with_testdb() {
    let db = fresh_db(Backend::Postgres).unwrap();
    let name = db.pg_database().unwrap().to_owned();
    let base = postgres_base_url().unwrap();
    assert_eq!(psql_select_1(&base), "1");
    let exists = format!("select count(*) from pg_database where datname = '{name}'");
    assert_eq!(psql(&base, &exists).unwrap(), "1");
    let t = Instant::now();
    drop(db);
    eprintln!("drop database: {:?}", t.elapsed());
    assert_eq!(psql(&base, &exists).unwrap(), "0");
}

#[test]
fn sqlite_db_is_in_a_fresh_dir() {
    let a = fresh_db(Backend::Sqlite).unwrap();
    let b = fresh_db(Backend::Sqlite).unwrap();
    assert_eq!(a.backend, Backend::Sqlite);
    let pa = a.sqlite_path().unwrap();
    let pb = b.sqlite_path().unwrap();
    assert_eq!(pa.to_str().unwrap(), a.url);
    assert_eq!(pa.file_name().unwrap(), "careerdock.db");
    assert!(!pa.exists());
    let dir = pa.parent().unwrap().to_owned();
    assert_ne!(dir, pb.parent().unwrap());
    assert!(dir.is_dir());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    assert_eq!(a.dir(), Some(dir.as_path()));
    drop(a);
    assert!(!dir.exists(), "temp dir removed on drop");
}

#[test]
fn backend_all_and_display() {
    let names: Vec<String> = Backend::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["sqlite", "postgres"]);
}

/// Serves `body` to every request; reports each request's Accept-Language.
fn serve(body: &'static str) -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/", listener.local_addr().unwrap().port());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut accept_language = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("accept-language") {
                        accept_language = v.trim().to_owned();
                    }
                }
            }
            let _ = tx.send((request_line.trim().to_owned(), accept_language));
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (url, rx)
}

#[tokio::test]
async fn browser_reads_japanese_text() {
    let (url, requests) = serve(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>テスト</title></head>\
         <body><h1 id=\"greeting\">こんにちは、世界</h1></body></html>",
    );
    let started = Instant::now();
    let b = browser().await.unwrap();
    eprintln!("browser start: {:?}", started.elapsed());
    b.client.goto(&url).await.unwrap();
    let text = b.client.find(Locator::Css("#greeting")).await.unwrap().text().await.unwrap();
    assert_eq!(text, "こんにちは、世界");
    assert_eq!(b.client.title().await.unwrap(), "テスト");
    let lang = b.client.execute("return navigator.language", vec![]).await.unwrap();
    assert_eq!(lang, "ja-JP");
    let (line, accept_language) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(line.starts_with("GET / "), "{line}");
    assert!(accept_language.starts_with("ja-JP,ja"), "Accept-Language: {accept_language}");
    b.close().await.unwrap();
}

#[tokio::test]
async fn dropping_browser_kills_chromedriver() {
    let b = browser().await.unwrap();
    let pid = b.chromedriver_pid() as i32;
    // SAFETY: existence check only.
    assert_eq!(unsafe { libc::kill(pid, 0) }, 0);
    drop(b);
    // The group (chromedriver + Chromium) is gone or only zombies remain.
    assert_ne!(unsafe { libc::kill(pid, 0) }, 0, "chromedriver still running");
}

#[test]
fn concurrent_fresh_db_calls() {
    let started = Instant::now();
    let handles: Vec<_> = (0..6)
        .map(|i| {
            std::thread::spawn(move || {
                let backend = Backend::ALL[i % 2];
                let db = fresh_db(backend).unwrap();
                if backend == Backend::Postgres {
                    assert_eq!(psql_select_1(&db.url), "1");
                }
                db.url.clone()
            })
        })
        .collect();
    let mut urls: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    eprintln!("6 concurrent fresh_db: {:?}", started.elapsed());
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), 6);
}
