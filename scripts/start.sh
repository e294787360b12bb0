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

# The whole loop: attestation evidence verified against the logged endorsements. There is no SEV-SNP
# hardware here, so a TEST-ONLY AMD-like hierarchy made on the spot signs a report whose MEASUREMENT
# is one configuration of the endorsed firmware (never AMD's: it verifies only with --trust-root).
evidence() { # release-name values endorsements measurement-args...
  local name=$1 values=$2 endorsements=$3 demo=$home/demo/$1
  shift 3
  reftrail policy init --reference-values "$values" --out "$home/policy-$name.json"
  local measurement
  measurement=$(reftrail measure compose --reference-values "$values" "$@")
  reftrail demo snp-report --measurement "$measurement" --out "$demo" >&2
  reftrail verify evidence --format snp --report "$demo/report.bin" --cert "$demo/vcek.pem" \
    --chain "$demo/cert_chain.pem" --trust-root "$demo/ark.pem" --endorsements "$endorsements" \
    --log "$home/log" --key-registry "$keys/registry.json" --rekor-key "$home/log/log-public-key.pem" \
    --policy "$home/policy-$name.json"
}
# The example release: Debian's OVMF has no kernel-hashes table, so the measurement binds only the
# firmware; the verdict shows the kernel, initrd and command line as not bound.
evidence debian "$values" "$endorsements" --vcpus 4 --vcpu-type EPYC-Milan --vmm-type QEMU --guest-features 0x1
# A release whose every component is bound: the AmdSev OVMF (a kernel-hashes table) boots the same
# Debian kernel, initrd and command line with QEMU kernel-hashes=on.
amdsev=2026.11.0-amdsev
amdsev_values=$home/reference-values/$amdsev.json
mkdir -p "$home/reference-values"
reftrail measure release --manifest examples/release-manifest-amdsev.json --out "$amdsev_values"
reftrail keys generate --reference-values "$amdsev_values" --out "$keys" --registry "$keys/registry.json" --keep-existing
reftrail endorse release --reference-values "$amdsev_values" --key-dir "$keys" --out "$home/endorsements/$amdsev"
reftrail publish release --endorsements "$home/endorsements/$amdsev" --log "$home/log"
evidence amdsev "$amdsev_values" "$home/endorsements/$amdsev" --boot linux-cloud --vcpus 8 --vcpu-type EPYC-Milan --vmm-type QEMU --guest-features 0x1
