#!/usr/bin/env bash
# The README's main job, offline and with no accounts: measure the example release, give each
# component its own key, endorse, publish to the embedded transparency log, verify everything back.
# Re-running it is a no-op: keys, endorsements and log entries are kept and re-verified.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's own Node 24 (the `node` devDependency), not the first `node` on PATH: npm puts
# node_modules/.bin first, but a shell running this script directly may find the system's older
# Node, which lacks node:sqlite and fails halfway through the job.
node=node_modules/.bin/node
if [[ ! -x $node ]]; then
  echo "start.sh: $node is missing: run 'npm install' first (it brings the project's Node 24 and builds dist/)" >&2
  exit 2
fi
if [[ ! -f dist/cli/main.js ]]; then
  echo "start.sh: dist/cli/main.js is missing: run 'npm install' (or 'npm run build') first" >&2
  exit 2
fi
reftrail() {
  echo "+ reftrail $*" >&2
  "$node" dist/cli/main.js "$@"
}
release=2026.11.0
# Overridable so the tests can run the very same job into a scratch folder.
values=${REFTRAIL_VALUES:-reference-values/$release.json}
home=${REFTRAIL_HOME:-.reftrail}
keys=$home/keys
endorsements=$home/endorsements/$release

reftrail measure release --manifest examples/release-manifest.json --out "$values"
reftrail keys generate --reference-values "$values" --out "$keys" --registry "$keys/registry.json" --keep-existing
reftrail endorse release --reference-values "$values" --key-dir "$keys" --out "$endorsements"
reftrail publish release --endorsements "$endorsements" --log "$home/log"
reftrail verify release --endorsements "$endorsements" --reference-values "$values" --key-registry "$keys/registry.json" --rekor-key "$home/log/log-public-key.pem"
