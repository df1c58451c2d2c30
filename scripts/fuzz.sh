#!/usr/bin/env bash
# Runs every fuzz target of the repository for a given time each.
#
#   scripts/fuzz.sh            # 30s per target
#   scripts/fuzz.sh 60s        # 60s per target
#   scripts/fuzz.sh 10s ./zen/...   # only the targets under ./zen
#
# A crasher is written by Go under the package's testdata/fuzz/<Target>/ and
# the script exits non-zero; keep the file there as a regression seed (go test
# replays it on every run) once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-30s}"
shift || true
pkgs=("${@:-./...}")

failed=0
summary=()
for pkg in $(go list "${pkgs[@]}"); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for t in $targets; do
    echo "== $pkg $t ($fuzztime)"
    if out=$(go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" 2>&1); then
      execs=$(printf '%s\n' "$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2)
      summary+=("ok    $pkg $t execs=${execs:-?}")
    else
      printf '%s\n' "$out" | tail -20
      summary+=("FAIL  $pkg $t")
      failed=1
    fi
  done
done
echo
echo "== fuzz summary ($fuzztime per target)"
printf '%s\n' "${summary[@]}"
exit $failed
