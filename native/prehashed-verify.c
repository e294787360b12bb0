/*
 * ECDSA verification of a signature over a caller-supplied digest, through the OpenSSL that Node
 * itself links. node:crypto can only verify over a message it hashes itself, but a Rekor
 * hashedrekord entry carries just the artifact's digest; verifying it in JavaScript instead costs
 * 30 times more (see BENCHMARKS.md). Built by scripts/build-native.ts; reftrail falls back to
 * @noble/curves when this module is absent.
 *
 * prepare(spkiDer: Uint8Array) -> key handle, or null for anything but an EC public key
 * verify(key handle, digest: Uint8Array, derSignature: Uint8Array) -> boolean
 * verifyBatch(keys: key handle[], digests: Uint8Array[], derSignatures: Uint8Array[])
 *   -> Promise<Uint8Array> (1 where the signature verifies, else 0), verified on libuv's thread
 *   pool: an audit of 100,000 entries spends a third of its time here, and the main thread has
 *   the proofs and statements of the next entries to check meanwhile.
 * Parsing a key costs about as much as verifying with it, and a log sees the same release keys
 * again and again, so keys are parsed once; the handle frees the key when it is collected.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

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
  /* One verification context made here, on the main thread, so whatever OpenSSL caches on the key
   * for its provider is in place before verifyBatch shares the key with the thread pool. */
  EVP_PKEY_CTX *warm = EVP_PKEY_CTX_new(key, NULL);
  int warmed = warm != NULL && EVP_PKEY_verify_init(warm) == 1;
  EVP_PKEY_CTX_free(warm);
  if (!warmed) {
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

static int key_arg(napi_env env, napi_value value, EVP_PKEY **key) {
  bool tagged = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, value, &KEY_TAG, &tagged) != napi_ok || !tagged) return 0;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) return 0;
  *key = (EVP_PKEY *)data;
  return 1;
}

static int verify_digest(EVP_PKEY *key, const unsigned char *digest, size_t digest_len, const unsigned char *signature, size_t signature_len) {
  int ok = 0;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
  if (ctx != NULL && EVP_PKEY_verify_init(ctx) == 1) {
    ok = EVP_PKEY_verify(ctx, signature, signature_len, digest, digest_len) == 1;
  }
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

/* A batch copied off the JavaScript heap (the pool thread may not touch it): each item's key, held
 * by a reference of its own until the batch is done, and its digest and signature in one block. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  size_t count;
  EVP_PKEY **keys;
  size_t *offsets; /* digest i at offsets[2i], signature i at offsets[2i+1], end at offsets[2 count] */
  unsigned char *bytes;
  unsigned char *results;
} batch_t;

static void free_batch(batch_t *batch) {
  if (batch->keys != NULL) {
    for (size_t i = 0; i < batch->count; i++) EVP_PKEY_free(batch->keys[i]);
  }
  free(batch->keys);
  free(batch->offsets);
  free(batch->bytes);
  free(batch->results);
  free(batch);
}

static void execute_batch(napi_env env, void *data) {
  (void)env;
  batch_t *batch = (batch_t *)data;
  for (size_t i = 0; i < batch->count; i++) {
    const size_t *o = batch->offsets + 2 * i;
    batch->results[i] = (unsigned char)verify_digest(batch->keys[i], batch->bytes + o[0], o[1] - o[0], batch->bytes + o[1], o[2] - o[1]);
  }
}

static void complete_batch(napi_env env, napi_status status, void *data) {
  batch_t *batch = (batch_t *)data;
  napi_value value;
  void *copy = NULL;
  if (status == napi_ok && napi_create_buffer_copy(env, batch->count, batch->results, &copy, &value) == napi_ok) {
    napi_resolve_deferred(env, batch->deferred, value);
  } else {
    napi_value message, error;
    napi_create_string_utf8(env, "verifyBatch did not complete", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, batch->deferred, error);
  }
  napi_delete_async_work(env, batch->work);
  free_batch(batch);
}

static napi_value verify_batch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t lengths[3] = {0, 0, 0};
  bool is_array;
  const char *usage = "verifyBatch(keys, digests, signatures) takes three arrays of one length: prepared keys and Uint8Arrays";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  for (int a = 0; a < 3; a++) {
    if (napi_is_array(env, argv[a], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[a], &lengths[a]) != napi_ok) {
      napi_throw_type_error(env, NULL, usage);
      return NULL;
    }
  }
  if (lengths[1] != lengths[0] || lengths[2] != lengths[0]) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  size_t count = lengths[0];
  batch_t *batch = (batch_t *)calloc(1, sizeof(batch_t));
  if (batch == NULL) goto no_memory;
  batch->keys = (EVP_PKEY **)calloc(count ? count : 1, sizeof(EVP_PKEY *));
  batch->offsets = (size_t *)calloc(2 * count + 1, sizeof(size_t));
  batch->results = (unsigned char *)calloc(count ? count : 1, 1);
  if (batch->keys == NULL || batch->offsets == NULL || batch->results == NULL) goto no_memory;
  /* First pass: check every argument and size the block; second: copy. */
  size_t total = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value k, d, s;
    EVP_PKEY *key;
    const unsigned char *digest, *signature;
    size_t digest_len, signature_len;
    if (napi_get_element(env, argv[0], i, &k) != napi_ok || napi_get_element(env, argv[1], i, &d) != napi_ok || napi_get_element(env, argv[2], i, &s) != napi_ok ||
        !key_arg(env, k, &key) || !buffer_arg(env, d, &digest, &digest_len) || !buffer_arg(env, s, &signature, &signature_len)) {
      batch->count = i;
      free_batch(batch);
      napi_throw_type_error(env, NULL, usage);
      return NULL;
    }
    if (EVP_PKEY_up_ref(key) != 1) {
      batch->count = i;
      goto no_memory;
    }
    batch->keys[i] = key;
    batch->count = i + 1;
    batch->offsets[2 * i] = total;
    total += digest_len;
    batch->offsets[2 * i + 1] = total;
    total += signature_len;
  }
  batch->offsets[2 * count] = total;
  batch->bytes = (unsigned char *)malloc(total ? total : 1);
  if (batch->bytes == NULL) goto no_memory;
  for (uint32_t i = 0; i < count; i++) {
    napi_value d, s;
    const unsigned char *digest, *signature;
    size_t digest_len, signature_len;
    napi_get_element(env, argv[1], i, &d);
    napi_get_element(env, argv[2], i, &s);
    buffer_arg(env, d, &digest, &digest_len);
    buffer_arg(env, s, &signature, &signature_len);
    memcpy(batch->bytes + batch->offsets[2 * i], digest, digest_len);
    memcpy(batch->bytes + batch->offsets[2 * i + 1], signature, signature_len);
  }
  napi_value promise, name;
  if (napi_create_promise(env, &batch->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "reftrail.verifyBatch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_batch, complete_batch, batch, &batch->work) != napi_ok) {
    goto no_memory;
  }
  if (napi_queue_async_work(env, batch->work) != napi_ok) {
    napi_delete_async_work(env, batch->work);
    goto no_memory;
  }
  return promise;
no_memory:
  if (batch != NULL) free_batch(batch);
  napi_throw_error(env, NULL, "verifyBatch: out of memory");
  return NULL;
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
  ok = verify_digest((EVP_PKEY *)key, digest, digest_len, signature, signature_len);
  napi_get_boolean(env, ok, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "prepare", NAPI_AUTO_LENGTH, prepare, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "prepare", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "verify", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "verifyBatch", NAPI_AUTO_LENGTH, verify_batch, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "verifyBatch", fn) != napi_ok) return NULL;
  return exports;
}
