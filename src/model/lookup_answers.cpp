#include "model/lookup_answers.hpp"

#include <cstring>

#include "common/error.hpp"

namespace ba {

namespace {
constexpr std::size_t kHead = 2 * sizeof(std::uint32_t);

std::uint32_t load_u32(const char* p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace

void LookupAnswers::add_bytes(std::string_view key, std::string_view answer) {
  ensure(key.size() <= UINT32_MAX && answer.size() <= UINT32_MAX, "a lookup key and answer fit 4 GB");
  const std::size_t at = arena_.size();
  const std::size_t found = index_.find_or_add(index_hash(key), at, [&](std::size_t p) {
    return std::string_view(arena_.data() + p + kHead, load_u32(arena_.data() + p)) == key;
  });
  ensure(found == at, "each lookup key is answered once");
  const auto key_size = static_cast<std::uint32_t>(key.size());
  const auto answer_size = static_cast<std::uint32_t>(answer.size());
  arena_.append(reinterpret_cast<const char*>(&key_size), sizeof key_size);
  arena_.append(reinterpret_cast<const char*>(&answer_size), sizeof answer_size);
  arena_.append(key);
  arena_.append(answer);
  ++keys_;
}

std::string_view LookupAnswers::answer(std::string_view key, std::uint64_t hash) const {
  const char* base = arena_.data();
  const std::size_t at = index_.find(hash, [&](std::size_t p) {
    return std::string_view(base + p + kHead, load_u32(base + p)) == key;
  });
  if (at == GroupIndex::npos) return std::string_view(missing_.data(), missing_.size());
  const std::uint32_t key_size = load_u32(base + at);
  return std::string_view(base + at + kHead + key_size, load_u32(base + at + sizeof(std::uint32_t)));
}

void LookupAnswers::prefetch(std::uint64_t hash, int stage) const {
  if (stage == 2) {
    index_.prefetch_slot(hash);
  } else if (const std::size_t at = index_.candidate(hash); at != GroupIndex::npos) {
    __builtin_prefetch(arena_.data() + at);
    if (at + 64 < arena_.size()) __builtin_prefetch(arena_.data() + at + 64);
  }
}

}  // namespace ba
