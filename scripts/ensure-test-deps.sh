#!/usr/bin/env bash
# Idempotently installs the system packages the integration tests need:
# headless Chromium + chromedriver (browser tests), CJK fonts (Japanese
# rendering), poppler-utils (PDF checks), python3-aiosmtpd (the real SMTP server of the e-mail
# tests, run with /usr/bin/python3), mecab-ipadic (the IPADIC sources the Japanese text themes build
# their dictionary from), sqlite3 (the CLI tests read the database with it; `bench proof` times its
# .import), axe-core (accessibility checks of the browser tests,
# pinned by crates/web/tests/axe/package-lock.json), and verifies PostgreSQL 15 binaries.
set -euo pipefail

PACKAGES=(chromium chromium-driver fonts-noto-cjk poppler-utils python3-aiosmtpd mecab-ipadic sqlite3)
PG_BIN=/usr/lib/postgresql/15/bin

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! is_installed "$pkg"; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "ensure-test-deps: installing: ${missing[*]}"
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Only refresh the package lists if the candidates are unknown (fresh image).
    need_update=0
    for pkg in "${missing[@]}"; do
        cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [[ -z "$cand" || "$cand" == "(none)" ]]; then
            need_update=1
            break
        fi
    done
    if ((need_update)); then
        "${SUDO[@]}" apt-get update
    fi
    if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
        # Stale lists can point at files no longer on the mirror: refresh once and retry.
        "${SUDO[@]}" apt-get update
        "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
    fi
else
    echo "ensure-test-deps: ${PACKAGES[*]} already installed"
fi

for bin in /usr/bin/chromium /usr/bin/chromedriver; do
    if [[ ! -x "$bin" ]]; then
        echo "ensure-test-deps: ERROR: $bin missing after install" >&2
        exit 1
    fi
done

if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
    echo "ensure-test-deps: ERROR: /usr/bin/python3 cannot import aiosmtpd after installing python3-aiosmtpd" >&2
    exit 1
fi

if [[ ! -f /usr/share/mecab/dic/ipadic/Noun.csv ]]; then
    echo "ensure-test-deps: ERROR: /usr/share/mecab/dic/ipadic/Noun.csv missing after installing mecab-ipadic" >&2
    exit 1
fi

if [[ ! -x "$PG_BIN/initdb" ]]; then
    echo "ensure-test-deps: ERROR: PostgreSQL 15 not found ($PG_BIN/initdb missing)." >&2
    echo "  Install it with: apt-get install -y --no-install-recommends postgresql-15" >&2
    exit 1
fi

# axe-core for the page walker (crates/web/tests/e2e/pages): npm ci from the committed lock file,
# only when the installed copy is missing or differs from the lock.
AXE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/crates/web/tests/axe"
version_of() { # version_of FILE.json EXPR — a version read with node (npm's own runtime)
    node -p "try { const j = require(process.argv[1]); String($2 || '') } catch (e) { '' }" "$1" 2>/dev/null
}
axe_locked=$(version_of "$AXE_DIR/package-lock.json" "j.packages['node_modules/axe-core'].version")
axe_installed=$(version_of "$AXE_DIR/node_modules/axe-core/package.json" "j.version")
if [[ -z "$axe_locked" || "$axe_locked" != "$axe_installed" || ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]]; then
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        echo "ensure-test-deps: ERROR: npm is needed to install axe-core (apt-get install -y nodejs npm)" >&2
        exit 1
    fi
    echo "ensure-test-deps: installing axe-core ${axe_locked:-?} (npm ci in $AXE_DIR)"
    (cd "$AXE_DIR" && npm ci --ignore-scripts --no-audit --no-fund)
else
    echo "ensure-test-deps: axe-core $axe_installed already installed"
fi

echo "ensure-test-deps: ok"
