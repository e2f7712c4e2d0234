#pragma once
// A tiny binary encoding for records that cross ranks. A record type opts in with
// BA_FIELDS(a, b, c): the same field list drives encoding and decoding, so they cannot drift.
#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <cstring>
#include <string>
#include <string_view>
#include <functional>
#include <type_traits>
#include <vector>

#include "common/error.hpp"

namespace ba {

#define BA_FIELDS(...)                 \
  template <class Visitor>             \
  void visit_fields(Visitor& visitor) { \
    visitor(__VA_ARGS__);              \
  }

template <class T>
concept HasFields = requires(T t, int& v) { t.visit_fields(v); };

template <class T>
struct IsMap : std::false_type {};
template <class K, class V, class C, class A>
struct IsMap<std::map<K, V, C, A>> : std::true_type {};

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<char>& out) : out_(out) {}

  template <class... T>
  void operator()(const T&... values) {
    (put(values), ...);
  }

  template <class T>
  void put(const T& value) {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      const char* p = reinterpret_cast<const char*>(&value);
      out_.insert(out_.end(), p, p + sizeof(T));
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
      ensure(value.size() <= UINT32_MAX, "a string of over 4 GB in a record");
      put(static_cast<std::uint32_t>(value.size()));
      out_.insert(out_.end(), value.begin(), value.end());
    } else if constexpr (HasFields<T>) {
      const_cast<T&>(value).visit_fields(*this);  // visiting does not modify
    } else if constexpr (IsMap<T>::value) {
      put(static_cast<std::uint64_t>(value.size()));
      for (const auto& [k, v] : value) {
        put(k);
        put(v);
      }
    } else {
      put(static_cast<std::uint64_t>(value.size()));  // std::vector / std::array
      for (const auto& item : value) put(item);
    }
  }

 private:
  std::vector<char>& out_;
};

class ByteReader {
 public:
  ByteReader(const char* data, std::size_t size) : p_(data), end_(data + size) {}

  bool done() const { return p_ == end_; }

  template <class... T>
  void operator()(T&... values) {
    (get(values), ...);
  }

  template <class T>
  void get(T& value) {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      need(sizeof(T));
      std::memcpy(&value, p_, sizeof(T));
      p_ += sizeof(T);
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::uint32_t n = 0;
      get(n);
      need(n);
      value.assign(p_, n);
      p_ += n;
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      // A view into the buffer, no copy: valid while the buffer lives.
      std::uint32_t n = 0;
      get(n);
      need(n);
      value = std::string_view(p_, n);
      p_ += n;
    } else if constexpr (HasFields<T>) {
      value.visit_fields(*this);
    } else if constexpr (IsMap<T>::value) {
      std::uint64_t n = 0;
      get(n);
      value.clear();
      for (std::uint64_t i = 0; i < n; ++i) {
        typename T::key_type k{};
        typename T::mapped_type v{};
        get(k);
        get(v);
        value.emplace(std::move(k), std::move(v));
      }
    } else {
      std::uint64_t n = 0;
      get(n);
      if constexpr (requires { value.resize(n); }) {
        value.resize(n);
      } else {
        ensure(n == value.size(), "decoded array length");
      }
      for (auto& item : value) get(item);
    }
  }

 private:
  void need(std::size_t n) const { ensure(static_cast<std::size_t>(end_ - p_) >= n, "truncated record buffer"); }
  const char* p_;
  const char* end_;
};

template <class T>
void encode(const T& value, std::vector<char>& out) {
  ByteWriter writer(out);
  writer.put(value);
}

template <class T>
std::vector<T> decode_all(const std::vector<char>& bytes) {
  std::vector<T> items;
  ByteReader reader(bytes.data(), bytes.size());
  while (!reader.done()) {
    T item{};
    reader.get(item);
    items.push_back(std::move(item));
  }
  return items;
}

// For hash containers of std::string looked up by std::string_view without a copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// Stable 64-bit FNV-1a: partitioning must not depend on the standard library's std::hash.
inline std::uint64_t stable_hash(std::string_view text, std::uint64_t seed = 1469598103934665603ULL) {
  std::uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // Final avalanche so that nearby keys spread over ranks.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace ba
