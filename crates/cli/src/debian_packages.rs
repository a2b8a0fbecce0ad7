//! The Debian packages the product reads at run time, and how `careerdock demo` makes sure they
//! are there: each package is checked by its files (not by dpkg's records, so a copy put in
//! place another way counts); a missing one is installed with `apt-get` when this process can
//! (root, apt-get present), printing what it does, and otherwise the command says exactly what
//! to install. Idempotent: nothing is run when everything is there.

use std::path::Path;
use std::process::{Command, Stdio};

/// A Debian package the product needs, and the files that show it is installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebianPackage {
    pub name: &'static str,
    /// What it is for, for the messages.
    pub purpose: &'static str,
    /// Every one of these must exist.
    pub files: &'static [&'static str],
}

/// What the product reads from Debian at run time.
pub const NEEDED: &[DebianPackage] = &[
    DebianPackage {
        name: "mecab-ipadic",
        purpose: "the Japanese dictionary (IPADIC) of the report themes",
        files: &["/usr/share/mecab/dic/ipadic/Noun.csv", "/usr/share/mecab/dic/ipadic/matrix.def"],
    },
    DebianPackage {
        name: "fonts-noto-cjk",
        purpose: "the Japanese fonts of the PDF exports",
        files: &["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"],
    },
];

impl DebianPackage {
    /// Whether its files are there (under `root`, "/" in use).
    pub fn installed_under(&self, root: &Path) -> bool {
        self.files.iter().all(|f| root.join(f.trim_start_matches('/')).is_file())
    }
}

/// The packages of `wanted` whose files are missing under `root`.
pub fn missing_under<'a>(wanted: &'a [DebianPackage], root: &Path) -> Vec<&'a DebianPackage> {
    wanted.iter().filter(|p| !p.installed_under(root)).collect()
}

/// What to tell an operator who must install the packages: one command, and what each is for.
pub fn install_advice(missing: &[&DebianPackage]) -> String {
    let names: Vec<&str> = missing.iter().map(|p| p.name).collect();
    let mut text = format!("careerdock: install with: sudo apt-get install -y --no-install-recommends {}", names.join(" "));
    for p in missing {
        text.push_str(&format!("\n  {}: {}", p.name, p.purpose));
    }
    text
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn apt_get() -> Option<&'static str> {
    ["/usr/bin/apt-get", "/bin/apt-get"].into_iter().find(|p| Path::new(p).is_file())
}

fn run(program: &str, args: &[&str]) -> bool {
    eprintln!("careerdock: running {program} {}", args.join(" "));
    Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Makes sure every package of [`NEEDED`] is installed: installs the missing ones with apt-get
/// when this process is root and apt-get is there (refreshing the package lists once if the
/// first try fails), else prints what to install. Never fails the command: what needs a missing
/// package says so itself when used. Returns the packages still missing.
pub fn ensure_installed() -> Vec<&'static DebianPackage> {
    let missing = missing_under(NEEDED, Path::new("/"));
    if missing.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = missing.iter().map(|p| p.name).collect();
    match apt_get() {
        Some(apt) if is_root() => {
            eprintln!("careerdock: installing the Debian packages {} ({})", names.join(" "), purposes(&missing));
            let mut args = vec!["install", "-y", "--no-install-recommends"];
            args.extend(&names);
            if !run(apt, &args) {
                eprintln!("careerdock: refreshing the package lists and trying again");
                if run(apt, &["update"]) {
                    run(apt, &args);
                }
            }
            let still = missing_under(NEEDED, Path::new("/"));
            if !still.is_empty() {
                eprintln!("careerdock: apt-get could not install everything.\n{}", install_advice(&still));
            }
            still
        }
        _ => {
            eprintln!(
                "careerdock: some Debian packages are missing and this process cannot install them ({}).\n{}",
                if apt_get().is_none() { "no apt-get here" } else { "not root" },
                install_advice(&missing)
            );
            missing
        }
    }
}

fn purposes(missing: &[&DebianPackage]) -> String {
    missing.iter().map(|p| p.purpose).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_is_installed_when_all_its_files_are_there() {
        let root = tempfile::tempdir().unwrap();
        let ipadic = &NEEDED[0];
        assert_eq!(missing_under(NEEDED, root.path()).len(), 2);
        for f in ipadic.files {
            let p = root.path().join(f.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"").unwrap();
        }
        assert!(ipadic.installed_under(root.path()));
        let missing = missing_under(NEEDED, root.path());
        assert_eq!(missing.iter().map(|p| p.name).collect::<Vec<_>>(), vec!["fonts-noto-cjk"]);
    }

    #[test]
    fn the_advice_names_the_command_and_each_purpose() {
        let all: Vec<&DebianPackage> = NEEDED.iter().collect();
        let text = install_advice(&all);
        assert!(text.contains("apt-get install -y --no-install-recommends mecab-ipadic fonts-noto-cjk"), "{text}");
        assert!(text.contains("PDF") && text.contains("IPADIC"), "{text}");
    }

    #[test]
    fn both_packages_are_listed_with_the_tokenizers_source() {
        assert!(NEEDED.iter().any(|p| p.name == tokenize::DEBIAN_PACKAGE));
        assert!(NEEDED[0].files.iter().all(|f| f.starts_with(tokenize::DEFAULT_SOURCE_DIR)));
    }
}
