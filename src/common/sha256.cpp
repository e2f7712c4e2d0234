#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <new>

#include "common/error.hpp"

namespace ba {

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr) throw std::bad_alloc();
  if (EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(context_);
    fail(ExitCode::internal, "EVP_DigestInit_ex sha256 failed");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::update(std::string_view data) {
  ensure(EVP_DigestUpdate(context_, data.data(), data.size()) == 1, "EVP_DigestUpdate sha256");
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ensure(EVP_DigestFinal_ex(context_, digest, &length) == 1, "EVP_DigestFinal_ex sha256");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.hex();
}

}  // namespace ba
