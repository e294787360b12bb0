import { OUTPUT_OPTIONS, type OptionSpecs } from "../args.js";

/** The flags that choose launch configurations, shared by launch-digest and compose. */
export const CONFIGURATION_OPTIONS = {
  vcpus: { type: "string", value: "N", description: "vCPU count(s): 4, 1-512, 1,2,4,64 (required except in sev and snp:ovmf-hash)" },
  "vcpu-type": { type: "string", value: "CPUTYPE", description: "QEMU CPU model (EPYC ... EPYC-Turin), a comma list, or 'all'" },
  "vcpu-sig": { type: "string", value: "VALUE", description: "vCPU signature (CPUID Fn0000_0001 EAX)" },
  "vcpu-family": { type: "string", value: "FAMILY", description: "vCPU family (with --vcpu-model and --vcpu-stepping)" },
  "vcpu-model": { type: "string", value: "MODEL", description: "vCPU model" },
  "vcpu-stepping": { type: "string", value: "STEPPING", description: "vCPU stepping" },
  "vmm-type": { type: "string", value: "VMMTYPE", description: "QEMU (default), ec2, gce, or a comma list" },
  "guest-features": { type: "string", value: "VALUE", description: "VMSA SEV_FEATURES in snp mode (default 0x1), or a comma list" },
  "ec2-legacy-rdx": { type: "boolean", description: "EC2 VMSA with RDX 0 (virtee/sev crate) instead of 0x600" },
  "cmdline-trim": { type: "boolean", description: "strip whitespace around the command line before hashing (virtee/sev crate)" },
  "vmsa-gpa": { type: "string", value: "ADDR", description: "VMSA page GPA: 0x... or kvm (0xfffffffff000, default) or gce-genoa (0xffffffffff000)" },
  "signature-convention": { type: "string", value: "NAME", description: "family/model/stepping to signature: cpuid (default) or oak" },
} as const satisfies OptionSpecs;

export const LAUNCH_DIGEST_OPTIONS = {
  mode: { type: "string", value: "MODE", description: "guest mode: snp | seves | sev | snp:ovmf-hash | snp:svsm (required)" },
  ovmf: { type: "string", value: "PATH", description: "OVMF firmware image (required)" },
  ...CONFIGURATION_OPTIONS,
  kernel: { type: "string", value: "PATH", description: "kernel measured through the kernel-hashes table" },
  initrd: { type: "string", value: "PATH", description: "initrd (with --kernel)" },
  append: { type: "string", value: "CMDLINE", description: "kernel command line (with --kernel), hashed verbatim with its NUL" },
  "snp-ovmf-hash": { type: "string", value: "HASH", description: "precomputed firmware digest (96 hex digits, snp mode)" },
  svsm: { type: "string", value: "PATH", description: "COCONUT-SVSM image (snp:svsm mode)" },
  "vars-size": { type: "string", value: "SIZE", description: "OVMF_VARS size in bytes (snp:svsm mode)" },
  "vars-file": { type: "string", value: "PATH", description: "OVMF_VARS file, for its size (snp:svsm mode)" },
  "output-format": { type: "string", value: "FORMAT", description: "hex (default) or base64" },
  "dump-vmsa": { type: "boolean", description: "write the measured VMSAs to vmsa<N>.bin (seves, snp, snp:svsm)" },
  verbose: { type: "boolean", short: "v", description: "name the mode in front of a single digest" },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

export const LAUNCH_DIGEST_NOTES = [
  "Flags mean what they mean in virtee/sev-snp-measure. With one vCPU count and one configuration only",
  "the digest is printed; otherwise a table (or, with --json, {\"mode\", \"digests\": {\"<vcpus>\": ...}, ...}).",
  "Disagreements between implementations follow sev-snp-measure unless --ec2-legacy-rdx, --cmdline-trim,",
  "--vmsa-gpa or --signature-convention says otherwise (see README, 'Conventions').",
];
