#pragma once
// SHA-256 from OpenSSL's libcrypto: a vetted implementation beats writing one.
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace ba {

// Incremental: for data hashed a piece at a time as it is written, while each piece is still in
// the cache.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  // Lower-case hex of the digest of everything updated so far; the hash can take no more data.
  std::string hex();

 private:
  evp_md_ctx_st* context_;
};

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace ba
