//! Japanese morphological analysis for the text themes (issue 9 item 3): lindera with IPADIC.
//!
//! lindera's `embed-*` features download the dictionary while building, which fails offline;
//! instead IPADIC is built here, at run time, from Debian's `mecab-ipadic` (the EUC-JP CSVs
//! under `/usr/share/mecab/dic/ipadic`), with `lindera_dictionary`'s `DictionaryBuilder` and
//! lindera-ipadic's metadata (encoding EUC-JP). It is built once (about 2 s) into a cache
//! directory named after a fingerprint of the sources, and then loaded by mmap (a few ms).
//! The IPADIC copyright and its NO WARRANTY text are in this crate's NOTICE file.
//!
//! Where things are:
//! - the sources: `CAREERDOCK_IPADIC_DIR`, else `/usr/share/mecab/dic/ipadic`;
//! - the cache: `CAREERDOCK_DICT_CACHE`, else `$XDG_CACHE_HOME/careerdock`, else
//!   `$HOME/.cache/careerdock`, else the system's temporary directory.

use domain::themes::Morpheme;
use lindera::dictionary::load_fs_dictionary_with_options;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The Debian package whose CSVs the dictionary is built from.
pub const DEBIAN_PACKAGE: &str = "mecab-ipadic";

/// Where Debian's `mecab-ipadic` puts its sources.
pub const DEFAULT_SOURCE_DIR: &str = "/usr/share/mecab/dic/ipadic";

/// lindera-ipadic 6.2's metadata, with the encoding of Debian's CSVs (EUC-JP).
const METADATA: &str = include_str!("ipadic-metadata.json");

/// The source files a build reads (their fingerprint names the cache).
const SOURCE_FILES: &[&str] = &["char.def", "unk.def", "matrix.def", "left-id.def", "right-id.def"];

#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error(
        "the Japanese dictionary's sources are missing: {dir} holds no IPADIC (Noun.csv, matrix.def). \
         Install Debian's package {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}; `careerdock demo` does it when it can), \
         or set CAREERDOCK_IPADIC_DIR to a directory holding mecab-ipadic's CSVs"
    )]
    MissingSources { dir: String },
    #[error("cannot build the Japanese dictionary into {dir}: {cause}")]
    Build { dir: String, cause: String },
    #[error("cannot load the Japanese dictionary from {dir}: {cause}")]
    Load { dir: String, cause: String },
    #[error("the Japanese text could not be analyzed: {0}")]
    Analyze(String),
}

/// Where the dictionary comes from and where its built form is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DictionaryConfig {
    pub source_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl DictionaryConfig {
    /// The configuration from the environment (see the crate's documentation).
    pub fn from_env() -> DictionaryConfig {
        let source_dir = std::env::var_os("CAREERDOCK_IPADIC_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_SOURCE_DIR));
        let cache_dir = std::env::var_os("CAREERDOCK_DICT_CACHE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("careerdock")))
            .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache").join("careerdock")))
            .unwrap_or_else(|| std::env::temp_dir().join("careerdock"));
        DictionaryConfig { source_dir, cache_dir }
    }

    /// Whether the sources are there (the Debian package is installed).
    pub fn sources_present(&self) -> bool {
        self.source_dir.join("Noun.csv").is_file() && self.source_dir.join("matrix.def").is_file()
    }

    /// A fingerprint of the sources (names, sizes and modification times of every file, and
    /// the versions of the builder and of the metadata), so that an upgraded package or lindera
    /// builds a new dictionary beside the old one.
    pub fn fingerprint(&self) -> Result<String, TokenizeError> {
        use sha2::{Digest, Sha256};
        let missing = || TokenizeError::MissingSources { dir: self.source_dir.display().to_string() };
        if !self.sources_present() {
            return Err(missing());
        }
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.source_dir)
            .map_err(|_| missing())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "csv") || p.file_name().is_some_and(|n| SOURCE_FILES.iter().any(|s| n == *s)))
            .collect();
        names.sort();
        let mut h = Sha256::new();
        h.update(lindera_dictionary::get_version().as_bytes());
        h.update(METADATA.as_bytes());
        for p in names {
            let meta = std::fs::metadata(&p).map_err(|_| missing())?;
            h.update(p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
            h.update(meta.len().to_be_bytes());
            let modified = meta.modified().ok().and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
            h.update(modified.as_nanos().to_be_bytes());
        }
        Ok(hex::encode(&h.finalize()[..8]))
    }

    /// Where the dictionary built from these sources is kept.
    pub fn built_dir(&self) -> Result<PathBuf, TokenizeError> {
        Ok(self.cache_dir.join(format!("ipadic-{}", self.fingerprint()?)))
    }
}

/// How a dictionary was made ready: whether it was built now, and how long each step took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    pub dir: PathBuf,
    /// `None` when it was already in the cache.
    pub built_in: Option<Duration>,
    pub loaded_in: Duration,
}

/// Builds the dictionary into the cache unless it is there; returns its directory and the
/// build time (`None` when cached). Safe when several processes race: each builds into its
/// own temporary directory, and the first rename wins.
pub fn ensure_built(config: &DictionaryConfig) -> Result<(PathBuf, Option<Duration>), TokenizeError> {
    let dir = config.built_dir()?;
    if dir.join("metadata.json").is_file() {
        return Ok((dir, None));
    }
    let err = |cause: String| TokenizeError::Build { dir: dir.display().to_string(), cause };
    std::fs::create_dir_all(&config.cache_dir).map_err(|e| err(e.to_string()))?;
    let started = Instant::now();
    let tmp = config.cache_dir.join(format!(".building-{}-{}", std::process::id(), started.elapsed().as_nanos()));
    let metadata: Metadata = serde_json::from_str(METADATA).map_err(|e| err(e.to_string()))?;
    let built = DictionaryBuilder::new(metadata).build_dictionary(&config.source_dir, &tmp);
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(err(e.to_string()));
    }
    let took = started.elapsed();
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another process finished first: keep its copy.
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join("metadata.json").is_file() {
            return Err(err("the built dictionary could not be moved into place".into()));
        }
    }
    Ok((dir, Some(took)))
}

/// The analyzer: IPADIC loaded by mmap, normal mode.
pub struct Tokenizer {
    segmenter: Segmenter,
    readiness: Readiness,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer").field("readiness", &self.readiness).finish()
    }
}

impl Tokenizer {
    /// Builds the dictionary if needed and loads it.
    pub fn open(config: &DictionaryConfig) -> Result<Tokenizer, TokenizeError> {
        let (dir, built_in) = ensure_built(config)?;
        let started = Instant::now();
        let dictionary = load_fs_dictionary_with_options(&dir, true)
            .map_err(|e| TokenizeError::Load { dir: dir.display().to_string(), cause: e.to_string() })?;
        let segmenter = Segmenter::new(Mode::Normal, dictionary, None);
        Ok(Tokenizer { segmenter, readiness: Readiness { dir, built_in, loaded_in: started.elapsed() } })
    }

    /// How this tokenizer was made ready (for the benchmark and the logs).
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The morphemes of a text with IPADIC's part of speech.
    pub fn morphemes(&self, text: &str) -> Result<Vec<Morpheme>, TokenizeError> {
        let mut tokens = self.segmenter.segment(Cow::Borrowed(text)).map_err(|e| TokenizeError::Analyze(e.to_string()))?;
        let mut out = Vec::with_capacity(tokens.len());
        for token in tokens.iter_mut() {
            let surface = token.surface.to_string();
            let details = token.details();
            let field = |i: usize| details.get(i).copied().unwrap_or("*");
            out.push(Morpheme::new(&surface, field(0), field(1), field(2)));
        }
        Ok(out)
    }

    /// What the themes need, cheaply: the nouns with their part of speech, and in place of every
    /// other morpheme an empty one (nothing allocated), which only separates the nouns around it.
    pub fn noun_morphemes(&self, text: &str) -> Result<Vec<Morpheme>, TokenizeError> {
        let tokens = self.segmenter.segment(Cow::Borrowed(text)).map_err(|e| TokenizeError::Analyze(e.to_string()))?;
        let mut out: Vec<Morpheme> = Vec::with_capacity(tokens.len());
        for token in &tokens {
            // The part of speech read straight from the dictionary's packed fields (the first
            // three only), not through the token's cached copy of every field.
            let (word, id) = (token.word_id, token.word_id.id() as usize);
            let mut fields = if word.is_unknown() {
                token.dictionary.unknown_word_details_iter(id)
            } else if word.is_system() {
                token.dictionary.word_details_iter(id)
            } else {
                lindera_dictionary::dictionary::DetailFields::empty()
            };
            if fields.next() != Some("名詞") {
                if out.last().is_some_and(|m| !m.pos.is_empty()) {
                    out.push(Morpheme { surface: String::new(), pos: String::new(), sub1: String::new(), sub2: String::new() });
                }
                continue;
            }
            let sub1 = fields.next().unwrap_or("*").to_string();
            let sub2 = fields.next().unwrap_or("*").to_string();
            out.push(Morpheme { surface: token.surface.to_string(), pos: "名詞".to_string(), sub1, sub2 });
        }
        Ok(out)
    }

    /// The bare analysis: how many morphemes the text has (the benchmark's baseline).
    pub fn count_tokens(&self, text: &str) -> Result<usize, TokenizeError> {
        self.segmenter.segment(Cow::Borrowed(text)).map(|t| t.len()).map_err(|e| TokenizeError::Analyze(e.to_string()))
    }
}

static SHARED: OnceLock<Tokenizer> = OnceLock::new();
static OPENING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The process's one tokenizer, opened from the environment's configuration at first use (one
/// caller builds or loads it while the others wait). A failure (such as a missing
/// `mecab-ipadic`) is not kept: the next call tries again, so installing the package is enough.
pub fn shared() -> Result<&'static Tokenizer, String> {
    if let Some(t) = SHARED.get() {
        return Ok(t);
    }
    let _opening = OPENING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(t) = SHARED.get() {
        return Ok(t);
    }
    let opened = Tokenizer::open(&DictionaryConfig::from_env()).map_err(|e| e.to_string())?;
    Ok(SHARED.get_or_init(|| opened))
}

/// Whether the dictionary's sources are installed, per the environment's configuration.
pub fn sources_installed() -> bool {
    DictionaryConfig::from_env().sources_present()
}

/// The built dictionary's directory for a cache directory (tests, the benchmark).
pub fn cache_dir_for(cache: &Path) -> DictionaryConfig {
    DictionaryConfig { cache_dir: cache.to_path_buf(), ..DictionaryConfig::from_env() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_package_says_what_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let config = DictionaryConfig { source_dir: dir.path().join("none"), cache_dir: dir.path().join("cache") };
        let err = Tokenizer::open(&config).unwrap_err().to_string();
        assert!(err.contains("apt-get install mecab-ipadic"), "{err}");
        assert!(err.contains("CAREERDOCK_IPADIC_DIR"), "{err}");
    }

    #[test]
    fn the_notice_carries_ipadics_copyright_and_no_warranty() {
        let notice = include_str!("../../../NOTICE");
        assert!(notice.contains("Nara Institute of Science"));
        assert!(notice.contains("NO WARRANTY"));
        assert!(notice.contains("ICOT"));
    }

    /// Runs where Debian's mecab-ipadic is installed (scripts/ensure-test-deps.sh installs it).
    #[test]
    fn builds_once_then_loads_from_the_cache_and_splits_japanese() {
        let cache = tempfile::tempdir().unwrap();
        let config = cache_dir_for(cache.path());
        assert!(config.sources_present(), "install mecab-ipadic (scripts/ensure-test-deps.sh)");
        let first = Tokenizer::open(&config).unwrap();
        assert!(first.readiness().built_in.is_some());
        let second = Tokenizer::open(&config).unwrap();
        assert_eq!(second.readiness().built_in, None, "the second open uses the cache");
        assert_eq!(first.readiness().dir, second.readiness().dir);
        let ms = second.morphemes("キャリア形成の方向性について話し合った。").unwrap();
        let surfaces: Vec<&str> = ms.iter().map(|m| m.surface.as_str()).collect();
        assert!(surfaces.contains(&"方向"), "{surfaces:?}");
        let sei = ms.iter().find(|m| m.surface == "性").unwrap();
        assert_eq!((sei.pos.as_str(), sei.sub1.as_str()), ("名詞", "接尾"));
        let terms = domain::themes::extract_terms(&ms, &Default::default(), |_| false);
        assert!(terms.contains("方向性") && terms.contains("キャリア形成"), "{terms:?}");
        let nouns = second.noun_morphemes("キャリア形成の方向性について話し合った。").unwrap();
        assert_eq!(domain::themes::extract_terms(&nouns, &Default::default(), |_| false), terms, "the same terms from the nouns only");
        assert_eq!(second.count_tokens("キャリア形成の方向性について話し合った。").unwrap(), ms.len());
    }
}
