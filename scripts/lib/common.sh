# Shared by scripts/run and scripts/test: installs what is missing, finds a database.
# Nothing is downloaded from anywhere but the package registries (crates.io, npm, Debian).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
# A cargo target folder outside the clone, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mss/target}"
mkdir -p "$CARGO_TARGET_DIR"
# The same flags cargo-leptos uses for dev builds, so tests and the app share compiled crates.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
# Queries are checked against .sqlx/ (committed), so building needs no database.
export SQLX_OFFLINE=true
# Our tools first: ~/.cargo/bin (cargo-leptos, wasm-bindgen) and npm's binaryen (wasm-opt) ahead of
# any Debian wasm-opt, which silently breaks release builds.
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Debian keeps initdb and pg_ctl out of PATH.
for pgbin in /usr/lib/postgresql/*/bin; do [ -d "$pgbin" ] && PATH="$PATH:$pgbin"; done

# cargo-leptos, always with `--split`: the desk's and the admin's pages are lazy routes (wasm
# chunks of their own), and a build without it leaves out the loader those chunks need.
leptos() { local command="$1"; shift; cargo leptos "$command" --split "$@"; }

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@" || die "needs root (sudo without a password): $*"; else die "needs root: $*"; fi
}

apt_install() { # packages…
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y "$@" \
    || { as_root apt-get update && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y "$@"; }
}

# The database URL with any password hidden, for messages.
masked_url() { printf '%s' "$1" | sed -E 's#://([^:@/]+):[^@/]*@#://\1:***@#'; }

ensure_rust() {
  command -v rustup >/dev/null || die "rustup is missing: install Rust with rustup (https://rustup.rs), then rerun."
  command -v cc >/dev/null || { say "installing a C compiler"; apt_install build-essential; }
  # libjpeg-turbo is built from the sources in the turbojpeg-sys crate: cmake, and nasm for its SIMD.
  if ! command -v cmake >/dev/null || ! command -v nasm >/dev/null; then
    say "installing cmake and nasm (to build libjpeg-turbo)"
    apt_install cmake nasm
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 14 minutes the first time)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local want have
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
  [ -n "$want" ] || die "could not read the wasm-bindgen version from Cargo.lock"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (the version in Cargo.lock)"
    # Not --locked: its own lockfile names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# A build that runs out of disk dies oddly (the linker with SIGBUS): check first. Below 8 GiB free,
# drop cargo's incremental caches (rebuilt on demand); below 4 GiB after that, stop and say so.
ensure_disk_space() {
  local free_kib
  free_kib="$(df -Pk "$CARGO_TARGET_DIR" | awk 'NR == 2 { print $4 }')"
  if [ "${free_kib:-0}" -lt $((8 * 1024 * 1024)) ]; then
    say "only $((free_kib / 1024)) MiB free: removing cargo's incremental caches in $CARGO_TARGET_DIR"
    find "$CARGO_TARGET_DIR" -maxdepth 3 -type d -name incremental -prune -exec rm -rf {} +
    free_kib="$(df -Pk "$CARGO_TARGET_DIR" | awk 'NR == 2 { print $4 }')"
  fi
  [ "${free_kib:-0}" -ge $((4 * 1024 * 1024)) ] \
    || die "only $((free_kib / 1024)) MiB free on the disk of $CARGO_TARGET_DIR; a build needs about 4 GiB. Free some space (or remove that folder) and rerun."
}

ensure_node_modules() {
  command -v npm >/dev/null || { say "installing Node.js and npm"; apt_install nodejs npm; }
  if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing npm packages (Playwright, binaryen)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

ensure_chromium() {
  export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM_PATH" ]; then
    say "installing Debian's Chromium"
    apt_install chromium
  fi
  # Without a CJK font every Chinese character in a screenshot is a box.
  if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    say "installing a CJK font (fonts-noto-cjk)"
    apt_install fonts-noto-cjk fontconfig
  fi
}

# Graphviz's `dot` draws the knowledge base's flow charts (Debian's package; see
# `server::knowledge::charts`). Without it the app runs and shows a chart's source instead.
ensure_graphviz() {
  if ! command -v dot >/dev/null; then
    say "installing Graphviz (flow charts in articles)"
    apt_install graphviz
  fi
}

# schemathesis (PyPI, pinned) in a virtualenv of its own: fuzzes the REST API against its
# OpenAPI description (see scripts/api-fuzz).
SCHEMATHESIS_VERSION="4.32.5"
ensure_schemathesis() {
  SCHEMATHESIS_VENV="${MSS_TOOLS_DIR:-$HOME/.cache/mss}/schemathesis-$SCHEMATHESIS_VERSION"
  if [ ! -x "$SCHEMATHESIS_VENV/bin/st" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI)"
    python3 -m venv "$SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

pg_answers() { # host port
  if command -v pg_isready >/dev/null; then pg_isready -q -h "$1" -p "$2"; else (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; fi
}

# Answers, and lets user postgres in without a password (a fresh Debian install does not).
pg_usable() { # url
  command -v psql >/dev/null && psql -w -q -tA "$1" -c 'SELECT 1' >/dev/null 2>&1
}

# Sets DATABASE_URL: as given; else PostgreSQL on 127.0.0.1:5432 (database `mss`, created when
# missing); else a private cluster under .pgdata/ (git-ignored); else says how to get one.
# PG_SERVER_URL is the same server without a database name, for making more databases.
find_database() {
  local db="${1:-mss}"
  if [ -n "${DATABASE_URL:-}" ]; then
    local base="${DATABASE_URL%%\?*}"
    PG_SERVER_URL="${base%/*}"
    return
  fi
  if pg_answers 127.0.0.1 5432 && pg_usable "postgres://postgres@127.0.0.1:5432/postgres"; then
    PG_SERVER_URL="postgres://postgres@127.0.0.1:5432"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    start_private_cluster
    PG_SERVER_URL="postgres://postgres@127.0.0.1:54329"
  else
    die "no usable PostgreSQL: install it (sudo apt-get install postgresql) or set DATABASE_URL."
  fi
  export DATABASE_URL="$PG_SERVER_URL/$db"
  ensure_database "$db"
}

ensure_database() { # name
  command -v psql >/dev/null || die "psql is missing: sudo apt-get install postgresql-client"
  if ! psql "$PG_SERVER_URL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; then
    say "creating database $1"
    psql -q "$PG_SERVER_URL/postgres" -c "CREATE DATABASE \"$1\""
  fi
}

recreate_database() { # name
  psql -q "$PG_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\""
}

# initdb refuses to run as root: the cluster belongs to the `postgres` user when we are root.
start_private_cluster() {
  local data="$ROOT/.pgdata/data" run="$ROOT/.pgdata/run" owner=""
  mkdir -p "$ROOT/.pgdata" "$run"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    owner=postgres
    chown -R postgres "$ROOT/.pgdata"
    runuser -u postgres -- test -x "$ROOT/.pgdata" \
      || die "user postgres cannot reach $ROOT (a folder on the way is private): set DATABASE_URL, or clone elsewhere."
  fi
  pg() { if [ -n "$owner" ]; then runuser -u "$owner" -- "$@"; else "$@"; fi; }
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in .pgdata/"
    pg initdb -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_answers 127.0.0.1 54329; then
    say "starting the private PostgreSQL cluster on 127.0.0.1:54329"
    pg pg_ctl -D "$data" -l "$ROOT/.pgdata/log" -w -o "-p 54329 -k '$run' -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}
