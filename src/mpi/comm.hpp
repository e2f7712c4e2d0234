#pragma once
// The thin MPI layer: an RAII environment, a communicator with checked collectives, and the
// bounded-round all-to-all every shuffle goes through. Nothing else in the job calls MPI.
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/error.hpp"

namespace ba::mpi {

// Throws ba::Failure(internal) naming the call when an MPI call does not return MPI_SUCCESS.
void check(int rc, const char* call);

class Environment {
 public:
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
};

class Comm {
 public:
  explicit Comm(MPI_Comm comm = MPI_COMM_WORLD);

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm raw() const { return comm_; }

  // Largest number of bytes one rank sends to one other rank in one round of an exchange. It is
  // capped so that every count and displacement passed to MPI fits an int (OpenMPI 4.1).
  void set_round_bytes(std::int64_t bytes);
  std::int64_t round_bytes() const { return round_bytes_; }

  void barrier() const;
  std::int64_t sum(std::int64_t value) const;
  std::int64_t max(std::int64_t value) const;
  std::int64_t min(std::int64_t value) const;
  std::vector<std::int64_t> sum(const std::vector<std::int64_t>& values) const;
  std::int64_t exclusive_prefix_sum(std::int64_t value) const;  // rank 0 gets 0
  std::vector<std::int64_t> exclusive_prefix_sum(const std::vector<std::int64_t>& values) const;
  std::vector<std::int64_t> allgather(std::int64_t value) const;
  // True on every rank when the flag is true on every rank.
  bool all(bool flag) const;

  void broadcast(std::vector<char>& bytes, int root = 0) const;
  void broadcast(std::string& text, int root = 0) const;
  // Every rank's bytes, in rank order, on every rank (small metadata only).
  std::vector<std::vector<char>> allgather(const std::vector<char>& bytes) const;
  // Every rank's bytes, in rank order, on the root; empty elsewhere (small metadata only).
  std::vector<std::vector<char>> gather(const std::vector<char>& bytes, int root = 0) const;

  // Sends outgoing[d] to rank d and returns what every rank sent to this one, concatenated in
  // source-rank order. Moves the data in rounds of at most round_bytes() per pair.
  std::vector<char> exchange(const std::vector<std::vector<char>>& outgoing) const;

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  std::int64_t round_bytes_ = 64 << 20;
};

// Moves every item to the rank destination(item) returns and gives back what arrived here.
template <class T, class Destination>
std::vector<T> shuffle(const Comm& comm, const std::vector<T>& items, Destination destination) {
  std::vector<std::vector<char>> outgoing(static_cast<std::size_t>(comm.size()));
  for (const T& item : items) {
    const int dest = destination(item);
    ensure(dest >= 0 && dest < comm.size(), "shuffle destination out of range");
    encode(item, outgoing[static_cast<std::size_t>(dest)]);
  }
  return decode_all<T>(comm.exchange(outgoing));
}

// The same, consuming `items`: each item is freed once encoded and the encoded bytes once sent,
// so a shuffle of large rows holds about two copies at its peak instead of four.
template <class T, class Destination>
std::vector<T> shuffle(const Comm& comm, std::vector<T>&& items, Destination destination) {
  std::vector<std::vector<char>> outgoing(static_cast<std::size_t>(comm.size()));
  for (T& item : items) {
    const int dest = destination(item);
    ensure(dest >= 0 && dest < comm.size(), "shuffle destination out of range");
    encode(item, outgoing[static_cast<std::size_t>(dest)]);
    item = T{};
  }
  items = {};
  std::vector<char> received = comm.exchange(outgoing);
  outgoing = {};
  return decode_all<T>(received);
}

// Every rank's items on every rank (only for data bounded by a size threshold).
template <class T>
std::vector<T> allgather_items(const Comm& comm, const std::vector<T>& items) {
  std::vector<char> bytes;
  for (const T& item : items) encode(item, bytes);
  std::vector<T> all;
  for (const auto& part : comm.allgather(bytes)) {
    auto decoded = decode_all<T>(part);
    all.insert(all.end(), std::make_move_iterator(decoded.begin()), std::make_move_iterator(decoded.end()));
  }
  return all;
}

template <class T>
std::vector<T> gather_items(const Comm& comm, const std::vector<T>& items, int root = 0) {
  std::vector<char> bytes;
  for (const T& item : items) encode(item, bytes);
  std::vector<T> all;
  for (const auto& part : comm.gather(bytes, root)) {
    auto decoded = decode_all<T>(part);
    all.insert(all.end(), std::make_move_iterator(decoded.begin()), std::make_move_iterator(decoded.end()));
  }
  return all;
}

}  // namespace ba::mpi
