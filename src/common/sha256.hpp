#pragma once
#include <string>
#include <string_view>

namespace ba {
// Lower-case hex SHA-256 (OpenSSL's libcrypto: a vetted implementation beats writing one).
std::string sha256_hex(std::string_view data);
}  // namespace ba
