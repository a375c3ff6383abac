#!/usr/bin/env bash
# Runs the tests of a node's runtime on Node 24, the version README ("Running a node in
# production") recommends for nodes, beside `npm test` on the machine's Node: the job path, the
# kernel, fault routing, the daemon and loading (and hot-reloading) a TypeScript programs module,
# which is where Node versions differ (a reload that worked on Node 20 failed on 24); and the LM
# clients' HTTP transport against that Node's own fetch (its undici differs by version).
# The Node binary is the registry's `node-linux-<arch>` package, kept in node_modules/.cache.
#
#   bash scripts/test-node24.sh [more vitest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

version=24.22.3
arch=$(node -p process.arch)
dir="$PWD/node_modules/.cache/node-$version"
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-$arch@$version" >/dev/null &&
    tar xzf "node-linux-$arch-$version.tgz" && rm "node-linux-$arch-$version.tgz")
fi
export PATH="$dir/package/bin:$PATH"
echo "Node $(node -v): the runtime's tests"
node node_modules/vitest/vitest.mjs run \
  test/runtime test/kernel test/daemon \
  test/cli/hot-reload.int.test.ts test/cli/daemon-embedded.int.test.ts \
  test/cli/programs-module.int.test.ts test/cli/run-cli.test.ts \
  test/lm/http-transport.test.ts test/lm/http-transport.parity.test.ts \
  test/lm/openai.test.ts test/lm/anthropic.test.ts "$@"
