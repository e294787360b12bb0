/**
 * The example release (examples/release-manifest.json) as GitHub release assets: asset name -> the
 * fixture it is, and the components the manifest names. The Action tests attach these to a release.
 */
export const EXAMPLE_RELEASE_ASSETS: Readonly<Record<string, string>> = {
  "OVMF.fd": "firmware/OVMF.fd",
  "vmlinuz-6.1.0-56-cloud-amd64": "kernel/vmlinuz-6.1.0-56-cloud-amd64",
  "initrd.img": "kernel/initrd.img",
  "OVMF_VARS.fd": "firmware/OVMF_VARS.fd",
};

export const EXAMPLE_COMPONENTS = ["ovmf", "linux-cloud", "initrd", "cmdline", "ovmf-vars"] as const;
