/*
 * The SEV-SNP launch digest over a run of VMSA pages, through the OpenSSL that Node itself links.
 * Each page folds into the digest as LD = SHA-384(PAGE_INFO{LD, contents digest, 0x70, VMSA, 0, 0,
 * gpa}); a sweep of 1-512 vCPUs over every vCPU model and guest feature is tens of thousands of
 * such steps, and from JavaScript each costs a call into node:crypto (about 1.3 us) where OpenSSL
 * needs a fraction of that. Built by scripts/build-native.ts; reftrail computes the same chain in
 * JavaScript when this module is absent (src/measure/snp/launch.ts), and the tests compare both.
 *
 * vmsaChain(seed: Uint8Array(48), bsp: Uint8Array(48), ap: Uint8Array(48), gpa: number, count: number)
 *   -> ArrayBuffer(count * 48): the launch digest after 1, 2, ..., count VMSA pages (the first page
 *   is the BSP's, the others the AP's).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/evp.h>
#include <string.h>

#define DIGEST 48
#define PAGE_INFO 0x70
#define PAGE_TYPE_VMSA 2

static int digest_arg(napi_env env, napi_value value, const unsigned char **data) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  size_t length;
  void *raw = NULL;
  napi_value array_buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &length, &raw, &array_buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array || length != DIGEST) return 0;
  *data = (const unsigned char *)raw;
  return 1;
}

static napi_value vmsa_chain(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) return NULL;
  const unsigned char *seed, *bsp, *ap;
  double gpa, count;
  if (!digest_arg(env, argv[0], &seed) || !digest_arg(env, argv[1], &bsp) || !digest_arg(env, argv[2], &ap)) {
    napi_throw_type_error(env, NULL, "vmsaChain: seed, bsp and ap must be 48-byte Uint8Arrays");
    return NULL;
  }
  if (napi_get_value_double(env, argv[3], &gpa) != napi_ok || napi_get_value_double(env, argv[4], &count) != napi_ok ||
      gpa < 0 || gpa > 9007199254740991.0 || gpa != (double)(unsigned long long)gpa || count < 1 || count > 4096 || count != (double)(unsigned)count) {
    napi_throw_range_error(env, NULL, "vmsaChain: gpa must be a safe non-negative integer and count 1..4096");
    return NULL;
  }
  unsigned n = (unsigned)count;
  unsigned long long address = (unsigned long long)gpa;
  unsigned char page_info[PAGE_INFO];
  memset(page_info, 0, sizeof page_info);
  memcpy(page_info, seed, DIGEST);
  page_info[0x60] = PAGE_INFO; /* length, u16 LE */
  page_info[0x62] = PAGE_TYPE_VMSA;
  for (int i = 0; i < 8; i++) page_info[0x68 + i] = (unsigned char)(address >> (8 * i));
  void *out = NULL;
  napi_value result;
  if (napi_create_arraybuffer(env, (size_t)n * DIGEST, &out, &result) != napi_ok) return NULL;
  const EVP_MD *sha384 = EVP_sha384();
  for (unsigned i = 0; i < n; i++) {
    memcpy(page_info + DIGEST, i == 0 ? bsp : ap, DIGEST);
    unsigned char *ld = (unsigned char *)out + (size_t)i * DIGEST;
    if (EVP_Digest(page_info, PAGE_INFO, ld, NULL, sha384, NULL) != 1) {
      napi_throw_error(env, NULL, "vmsaChain: SHA-384 failed");
      return NULL;
    }
    memcpy(page_info, ld, DIGEST);
  }
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "vmsaChain", NAPI_AUTO_LENGTH, vmsa_chain, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "vmsaChain", fn) != napi_ok) return NULL;
  return exports;
}
