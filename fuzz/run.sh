#!/usr/bin/env bash
# Runs the libFuzzer targets of a QUOTEFRAME_FUZZ build for a while each.
#   fuzz/run.sh [build folder] [seconds per target] [text|config|all]
# Seeds come from the project's articles, the case corpus (../shared) when
# present, the shipped codebooks, language and lexicon files. New inputs go
# to <build>/fuzz-corpus/<target>, findings to <build>/fuzz-findings/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/fuzz}"
seconds="${2:-300}"
only="${3:-all}"
work="$build/fuzz-corpus"
found="$build/fuzz-findings"
mkdir -p "$work/text" "$work/config" "$found"

# Text seeds: one copy per language mode (the first byte picks it).
i=0
for f in "$root"/tests/data/articles/*/*.txt "$root"/../shared/corpus/docs/*.txt; do
  [ -f "$f" ] || continue
  for mode in 0 1 2 3 4; do
    { printf "\\$(printf '%03o' "$mode")"; head -c 4000 "$f"; } > "$work/text/seed-$i-$mode"
  done
  i=$((i + 1))
done
# Config seeds: codebooks (mode 1), language files (2), lexicons (3).
i=0
for pair in "1:$root/python/quoteframe/codebooks" "1:$root/tests/data/articles" "2:$root/python/quoteframe/data/lang" "3:$root/python/quoteframe/data/lexicon"; do
  mode="${pair%%:*}"; dir="${pair#*:}"
  for f in "$dir"/*.toml; do
    [ -f "$f" ] || continue
    { printf "\\$(printf '%03o' "$mode")"; cat "$f"; } > "$work/config/seed-$i"
    { printf '\000'; cat "$f"; } > "$work/config/seed-$i-toml"
    i=$((i + 1))
  done
done

run() {
  local target="$1" corpus="$2" dict="$3" max_len="$4"
  echo "== $target for ${seconds}s"
  "$build/fuzz/$target" "$corpus" -dict="$root/fuzz/$dict" -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$found/$target-" -print_final_stats=1 || true
}
if [ "$only" != config ]; then run fuzz_text_extract "$work/text" text.dict 8192; fi
if [ "$only" != text ]; then run fuzz_config "$work/config" toml.dict 65536; fi
echo "findings (crash-*, timeout-*, oom-*, slow-unit-*) are in $found:"
ls -l "$found"
