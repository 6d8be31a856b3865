#!/usr/bin/env bash
# Runs every test tier: lint (ESLint and Prettier), unit (plain Node, pure logic), system (plain
# Node against the sandbox's real sshd, PyTorch and ARM stand-in), integration (inside a real VS Code
# extension host), end-to-end (the VS Code web workbench in headless Chromium). Installs what they
# need first.
# Prints one closing line: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; exit 1; }

mkdir -p test-results
passed=0
failed=0
status=0

run_tier() {
  local name=$1; shift
  echo
  echo "=== $name tests"
  local log="test-results/$name.log"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -Eo '^ *[0-9]+ passing' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '^ *[0-9]+ failing' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    status=1
    # A tier that died before mocha could count still counts as a failure.
    [ -z "$f" ] || [ "$f" -eq 0 ] && failed=$((failed + 1))
    echo "=== $name tests FAILED (exit $rc)"
  fi
}

# ESLint and Prettier count as one check each, reported in mocha's words so run_tier counts them.
lint_and_format() {
  local ok=0 bad=0
  if npx eslint .; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  if npx prettier --check .; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  echo "  $ok passing"
  echo "  $bad failing"
  [ "$bad" -eq 0 ]
}

run_tier lint lint_and_format
run_tier unit npx mocha --exit --timeout 20000 'out/test/unit/**/*.test.js'
run_tier system npx mocha --exit --timeout 120000 'out/test/system/**/*.test.js'
run_tier integration node out/test/integration/runTest.js
run_tier e2e node out/test/e2e/runE2e.js

echo
echo "tests: $passed passed, $failed failed"
exit $status
