#!/usr/bin/env bash
# The help center's search on the judged set (bench/kb-relevance): MRR@10 and Recall@5 per kind
# of query, ours and a plain baseline's. `bench/kb-relevance.sh [queries.jsonl|dev.jsonl]`; tune
# on dev.jsonl only (KB_WEIGHTS=title,tags,body,synonym,grams,sounds; KB_MISSES=1 lists misses).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
cargo build --release -p app --example kb_relevance --features ssr --quiet
"$CARGO_TARGET_DIR/release/examples/kb_relevance" bench/kb-relevance "${1:-queries.jsonl}"
