/**
 * Provides the real firmware and kernel the tests and the main job need, in `.fixtures/` with the
 * same layout as ../shared/fixtures. Each file comes, in order of preference, from `.fixtures/`
 * itself (already there), from ../shared/fixtures, from the small copies committed under
 * test/fixtures/, or from the pinned Debian package (apt-get download, then dpkg-deb -x).
 * Every file is checked against its pinned SHA-256 whatever its source.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const target = resolve(root, process.env["REFTRAIL_FIXTURES"] ?? ".fixtures");
const shared = resolve(root, process.env["REFTRAIL_SHARED_FIXTURES"] ?? "../shared/fixtures");

interface DebianPackage {
  readonly name: string;
  readonly version: string;
  readonly file: string;
  readonly sha256: string;
}

const OVMF: DebianPackage = {
  name: "ovmf",
  version: "2022.11-6+deb12u2",
  file: "ovmf_2022.11-6+deb12u2_all.deb",
  sha256: "e73d3d1a8799f7f6fc16b73501d913edcdd86237556fbff30693e747e6dc262e",
};
const KERNEL: DebianPackage = {
  name: "linux-image-6.1.0-56-cloud-amd64",
  version: "6.1.192-2",
  file: "linux-image-6.1.0-56-cloud-amd64_6.1.192-2_amd64.deb",
  sha256: "e7d02b943971edcb8790e256c02cfab3bca6c3d37c1bf25392a57c71300615ee",
};

const SYSTEMD_BOOT_EFI: DebianPackage = {
  name: "systemd-boot-efi",
  version: "252.39-1~deb12u2",
  file: "systemd-boot-efi_252.39-1~deb12u2_amd64.deb",
  sha256: "8f2b81bdcfafc466882a0cae460272dbf10d8d97c6a3c1c6ea33038c155a2f5e",
};

type Source = { readonly deb: DebianPackage; readonly member: string } | { readonly committed: string };

const FILES: readonly { path: string; sha256: string; source: Source }[] = [
  { path: "firmware/OVMF.fd", sha256: "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773", source: { deb: OVMF, member: "usr/share/ovmf/OVMF.fd" } },
  { path: "firmware/OVMF_CODE.fd", sha256: "d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106", source: { deb: OVMF, member: "usr/share/OVMF/OVMF_CODE.fd" } },
  { path: "firmware/OVMF_CODE.secboot.fd", sha256: "6ee6a5db7a1443d17594f1e00e3cf2a2250bc1c95c8f9101bc49c9977ce11a68", source: { deb: OVMF, member: "usr/share/OVMF/OVMF_CODE.secboot.fd" } },
  { path: "firmware/OVMF_CODE_4M.fd", sha256: "b157d97b1f69729514feb7f201d2cbe4957f23ab77920e361fe9f822ba49ca4c", source: { deb: OVMF, member: "usr/share/OVMF/OVMF_CODE_4M.fd" } },
  { path: "firmware/OVMF_CODE_4M.secboot.fd", sha256: "d50189a486d22af418198226a3a5bcb6ddac775590f6a808bd629474ee034d62", source: { deb: OVMF, member: "usr/share/OVMF/OVMF_CODE_4M.secboot.fd" } },
  { path: "firmware/OVMF_VARS.fd", sha256: "6ed987af3a3c155be71665f510eae3e007eda9b8b94afd59d45e91c4a11565cc", source: { deb: OVMF, member: "usr/share/OVMF/OVMF_VARS.fd" } },
  { path: "firmware/OVMF_VARS_4M.fd", sha256: "5d2ac383371b408398accee7ec27c8c09ea5b74a0de0ceea6513388b15be5d1e", source: { deb: OVMF, member: "usr/share/OVMF/OVMF_VARS_4M.fd" } },
  { path: "firmware/ovmf_AmdSev_suffix.bin", sha256: "8f765dfabc127fc0a938a0744a3103ec15864d7d794eb4c398aa976b6d6ab16c", source: { committed: "firmware/ovmf_AmdSev_suffix.bin" } },
  { path: "firmware/ovmf_OvmfX64_suffix.bin", sha256: "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da", source: { committed: "firmware/ovmf_OvmfX64_suffix.bin" } },
  { path: "firmware/svsm.bin", sha256: "287fcee67b501b072e4953b5006059d088b454e9197bc318885385acb233d5d1", source: { committed: "firmware/svsm.bin.gz" } },
  { path: "firmware/OVMF.amdsev.fd", sha256: "716b30f843c62cf9cedc21dd0cfcd88aab70ab2c02f35bcc0553960195bb9a9b", source: { committed: "firmware/OVMF.amdsev.fd.gz" } },
  { path: "firmware/svsm_ovmf.fd", sha256: "50d1bf8676c7fb2ff6b8e50cf8fc0491534de27c12d6345a2dcefef51cbac97e", source: { committed: "firmware/svsm_ovmf.fd.gz" } },
  { path: "kernel/vmlinuz-6.1.0-56-cloud-amd64", sha256: "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275", source: { deb: KERNEL, member: "boot/vmlinuz-6.1.0-56-cloud-amd64" } },
  { path: "kernel/linuxx64.efi.stub", sha256: "c62ae56ffaf49d1a61de4434f4f531dd1d4ed3b5aee46c934c56e3f809b22cc4", source: { deb: SYSTEMD_BOOT_EFI, member: "usr/lib/systemd/boot/efi/linuxx64.efi.stub" } },
  { path: "kernel/initrd.img", sha256: "9d76d40ecbf1604f0f9d8035e2a7dd9fa5aa938ab66eb4bf23abe90eb4d95fff", source: { committed: "kernel/initrd.img" } },
  { path: "kernel/empty.bin", sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", source: { committed: "kernel/empty.bin" } },
  { path: "kernel/odd_1000.bin", sha256: "2b38b8777f6dde398d42d2513f31960ca021e61d4af65b9502afc5c1fda79731", source: { committed: "kernel/odd_1000.bin" } },
];

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const fileSha256 = (path: string) => (existsSync(path) ? sha256(readFileSync(path)) : undefined);

function fail(message: string): never {
  process.stderr.write(`fixtures: error: ${message}\n`);
  process.exit(2);
}

function install(path: string, bytes: Uint8Array, expected: string, origin: string): void {
  const actual = sha256(bytes);
  if (actual !== expected) fail(`${path} from ${origin} has sha256 ${actual}, expected ${expected}`);
  const dest = join(target, path);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(`${dest}.partial`, bytes, { mode: 0o444 });
  renameSync(`${dest}.partial`, dest);
}

const extracted = new Map<string, string>();

/** Downloads (once) and unpacks a pinned Debian package, returning the directory it was unpacked in. */
function unpack(pkg: DebianPackage): string {
  const done = extracted.get(pkg.name);
  if (done) return done;
  const cache = join(target, ".debs");
  mkdirSync(cache, { recursive: true });
  const deb = join(cache, pkg.file);
  if (fileSha256(deb) !== pkg.sha256) {
    const download = () => execFileSync("apt-get", ["download", `${pkg.name}=${pkg.version}`], { cwd: cache, stdio: ["ignore", "ignore", "pipe"] });
    try {
      download();
    } catch {
      try {
        execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "pipe"] });
        download();
      } catch (err) {
        fail(`cannot download Debian package ${pkg.name}=${pkg.version} with apt-get (${(err as Error).message.split("\n")[0]})`);
      }
    }
    const got = fileSha256(deb);
    if (got !== pkg.sha256) fail(`${pkg.file} has sha256 ${got ?? "(missing)"}, expected ${pkg.sha256}`);
  }
  const dir = mkdtempSync(join(cache, `${pkg.name}-`));
  execFileSync("dpkg-deb", ["-x", deb, dir]);
  extracted.set(pkg.name, dir);
  return dir;
}

const origins = new Map<string, number>();
for (const file of FILES) {
  const dest = join(target, file.path);
  let origin = "already present";
  if (fileSha256(dest) !== file.sha256) {
    const fromShared = join(shared, file.path);
    if (fileSha256(fromShared) === file.sha256) {
      mkdirSync(dirname(dest), { recursive: true });
      rmSync(dest, { force: true });
      copyFileSync(fromShared, dest);
      origin = "../shared/fixtures";
    } else if ("committed" in file.source) {
      const raw = readFileSync(join(root, "test/fixtures", file.source.committed));
      install(file.path, file.source.committed.endsWith(".gz") ? gunzipSync(raw) : raw, file.sha256, "test/fixtures");
      origin = "test/fixtures";
    } else {
      const dir = unpack(file.source.deb);
      install(file.path, readFileSync(join(dir, file.source.member)), file.sha256, file.source.deb.file);
      origin = `Debian ${file.source.deb.name} ${file.source.deb.version}`;
    }
  }
  origins.set(origin, (origins.get(origin) ?? 0) + 1);
}
for (const dir of extracted.values()) rmSync(dir, { recursive: true, force: true });

/**
 * A unified kernel image built the documented pre-ukify way: objcopy adds .cmdline, .linux and .initrd
 * sections to Debian's systemd-stub. Its parts are the Debian kernel, the initrd and this command
 * line (with the trailing newline ukify users often leave, which systemd-stub strips).
 */
const UKI = { path: "kernel/uki-6.1.0-56-cloud-amd64.efi", cmdline: "console=ttyS0 root=/dev/vda1 ro quiet\n" };
const ukiPath = join(target, UKI.path);
if (!existsSync(ukiPath)) {
  const work = mkdtempSync(join(target, ".uki-"));
  writeFileSync(join(work, "cmdline.txt"), UKI.cmdline);
  try {
    execFileSync("objcopy", [
      "--add-section", `.cmdline=${join(work, "cmdline.txt")}`, "--change-section-vma", ".cmdline=0x30000",
      "--add-section", `.linux=${join(target, "kernel/vmlinuz-6.1.0-56-cloud-amd64")}`, "--change-section-vma", ".linux=0x2000000",
      "--add-section", `.initrd=${join(target, "kernel/initrd.img")}`, "--change-section-vma", ".initrd=0x3000000",
      join(target, "kernel/linuxx64.efi.stub"), join(work, "uki.efi"),
    ], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    fail(`cannot build ${UKI.path} with objcopy (binutils): ${(err as Error).message.split("\n")[0]}`);
  }
  renameSync(join(work, "uki.efi"), ukiPath);
  rmSync(work, { recursive: true, force: true });
  origins.set("built with objcopy", 1);
}
/**
 * Debian's chromium, which the web viewer's browser tests drive with playwright-core (it downloads no
 * browser of its own). Installed with apt-get when missing and this process is root; otherwise the
 * browser tests fail, saying so, rather than pass without a browser.
 */
function provideChromium(): string {
  const binary = process.env["REFTRAIL_CHROMIUM"] ?? "/usr/bin/chromium";
  if (existsSync(binary)) return `chromium at ${binary}`;
  if (process.getuid?.() !== 0) return `chromium missing (${binary}): not root, so not installed; the browser tests will fail until 'apt-get install -y chromium'`;
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "pipe"], env });
    execFileSync("apt-get", ["install", "-y", "chromium"], { stdio: ["ignore", "ignore", "pipe"], env });
  } catch (err) {
    return `chromium could not be installed (${(err as Error).message.split("\n")[0]}): the browser tests will fail`;
  }
  return existsSync(binary) ? `chromium installed at ${binary}` : `apt-get installed chromium but ${binary} is missing: the browser tests will fail`;
}
const browser = provideChromium();
const summary = [...origins].map(([o, n]) => `${n} ${o}`).join(", ");
process.stdout.write(`fixtures: ${FILES.length} files verified, 1 UKI built or present, in ${target} (${summary}); ${browser}\n`);
