#!/usr/bin/env bash
# The README's main job, offline and with no accounts: measure the example release, give each
# component its own key, endorse, publish to the embedded transparency log, verify everything back.
# Re-running it is a no-op: keys, endorsements and log entries are kept and re-verified.
set -euo pipefail
cd "$(dirname "$0")/.."
reftrail() {
  echo "+ reftrail $*" >&2
  node dist/cli/main.js "$@"
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
