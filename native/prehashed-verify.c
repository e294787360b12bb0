/*
 * ECDSA verification of a signature over a caller-supplied digest, through the OpenSSL that Node
 * itself links. node:crypto can only verify over a message it hashes itself, but a Rekor
 * hashedrekord entry carries just the artifact's digest; verifying it in JavaScript instead costs
 * 30 times more (see BENCHMARKS.md). Built by scripts/build-native.ts; reftrail falls back to
 * @noble/curves when this module is absent.
 *
 * prepare(spkiDer: Uint8Array) -> key handle, or null for anything but an EC public key
 * verify(key handle, digest: Uint8Array, derSignature: Uint8Array) -> boolean
 * Parsing a key costs about as much as verifying with it, and a log sees the same release keys
 * again and again, so keys are parsed once; the handle frees the key when it is collected.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

static int buffer_arg(napi_env env, napi_value value, const unsigned char **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void *raw = NULL;
  napi_value array_buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &array_buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = (const unsigned char *)raw;
  return 1;
}

/* Tags the handles this module creates, so verify() never takes another external for a key. */
static const napi_type_tag KEY_TAG = {0x7265667472616931ULL, 0x7072656861736864ULL};

static void free_key(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_PKEY_free((EVP_PKEY *)data);
}

static napi_value prepare(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  const unsigned char *spki;
  size_t spki_len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !buffer_arg(env, argv[0], &spki, &spki_len)) {
    napi_throw_type_error(env, NULL, "prepare(spkiDer) takes a Uint8Array");
    return NULL;
  }
  const unsigned char *cursor = spki;
  EVP_PKEY *key = d2i_PUBKEY(NULL, &cursor, (long)spki_len);
  if (key == NULL || cursor != spki + spki_len || EVP_PKEY_base_id(key) != EVP_PKEY_EC) {
    EVP_PKEY_free(key);
    napi_get_null(env, &result);
    return result;
  }
  if (napi_create_external(env, key, free_key, NULL, &result) != napi_ok) {
    EVP_PKEY_free(key);
    return NULL;
  }
  if (napi_type_tag_object(env, result, &KEY_TAG) != napi_ok) return NULL;
  return result;
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value result;
  void *key = NULL;
  const unsigned char *digest, *signature;
  size_t digest_len, signature_len;
  int ok = 0;
  bool tagged = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      napi_check_object_type_tag(env, argv[0], &KEY_TAG, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, argv[0], &key) != napi_ok || key == NULL ||
      !buffer_arg(env, argv[1], &digest, &digest_len) || !buffer_arg(env, argv[2], &signature, &signature_len)) {
    napi_throw_type_error(env, NULL, "verify(key, digest, signature) takes a prepared key and two Uint8Arrays");
    return NULL;
  }
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new((EVP_PKEY *)key, NULL);
  if (ctx != NULL && EVP_PKEY_verify_init(ctx) == 1) {
    ok = EVP_PKEY_verify(ctx, signature, signature_len, digest, digest_len) == 1;
  }
  EVP_PKEY_CTX_free(ctx);
  napi_get_boolean(env, ok, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "prepare", NAPI_AUTO_LENGTH, prepare, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "prepare", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "verify", fn) != napi_ok) return NULL;
  return exports;
}
