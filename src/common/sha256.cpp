#include "common/sha256.hpp"

#include <openssl/evp.h>

#include "common/error.hpp"

namespace ba {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ensure(EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) == 1, "EVP_Digest sha256");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace ba
