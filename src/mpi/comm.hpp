#pragma once
// The thin MPI layer: an RAII environment, a communicator with checked collectives, and the
// bounded-round all-to-all every shuffle goes through. Nothing else in the job calls MPI.
#include <mpi.h>

#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/error.hpp"

namespace ba::mpi {

// Throws ba::Failure(internal) naming the call when an MPI call does not return MPI_SUCCESS.
void check(int rc, const char* call);

// Ends MPI (once; later calls do nothing). Environment does it when it goes out of scope.
void finalize();

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
  // One round of a streamed exchange: `send` holds each destination's bytes in rank order,
  // counts[d] of them. Fills `received` with what arrived, in source-rank order, and
  // received_counts with each source's share. Both vectors keep their capacity between rounds.
  void exchange_round(const std::vector<char>& send, const std::vector<int>& counts, std::vector<char>& received,
                      std::vector<int>& received_counts) const;
  // values[d] goes to rank d; returns what each rank sent here, in rank order.
  std::vector<std::int64_t> alltoall(const std::vector<std::int64_t>& values) const;

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

// The same, consuming `items`, streamed: each round encodes up to round_bytes() per destination
// (at least one item, so one larger item goes alone), exchanges them and decodes what arrived,
// until no rank has items left. Items are freed as they are encoded and no copy of the whole
// data ever exists in bytes, so the peak is the items plus one round's buffers, which are
// reused: a fresh page costs more than its copy on the VMs this runs on. Arrival order: round by
// round, each round in source-rank order (callers must not depend on it).
template <class T, class Destination>
std::vector<T> shuffle(const Comm& comm, std::vector<T>&& items, Destination destination) {
  const auto p = static_cast<std::size_t>(comm.size());
  std::vector<std::vector<std::size_t>> queued(p);  // item indices per destination, in order
  for (std::size_t i = 0; i < items.size(); ++i) {
    const int dest = destination(items[i]);
    ensure(dest >= 0 && dest < comm.size(), "shuffle destination out of range");
    queued[static_cast<std::size_t>(dest)].push_back(i);
  }
  std::vector<std::int64_t> leaving(p);
  for (std::size_t d = 0; d < p; ++d) leaving[d] = static_cast<std::int64_t>(queued[d].size());
  std::int64_t arriving = 0;
  for (const std::int64_t n : comm.alltoall(leaving)) arriving += n;
  std::vector<T> result;
  result.reserve(static_cast<std::size_t>(arriving));

  const auto limit = static_cast<std::size_t>(comm.round_bytes());
  std::vector<std::size_t> next(p, 0);
  std::vector<char> send, received;
  std::vector<int> send_counts(p), received_counts(p);
  for (;;) {
    send.clear();
    bool left = false;
    for (std::size_t d = 0; d < p; ++d) {
      const std::size_t start = send.size();
      std::size_t& n = next[d];
      while (n < queued[d].size()) {
        const std::size_t before = send.size();
        T& item = items[queued[d][n]];
        encode(item, send);
        if (send.size() - start > limit && before > start) {  // over the limit: next round
          send.resize(before);
          break;
        }
        item = T{};
        ++n;
      }
      ensure(send.size() - start <= static_cast<std::size_t>(INT_MAX), "a round's count fits an int");
      send_counts[d] = static_cast<int>(send.size() - start);
      left = left || n < queued[d].size();
    }
    comm.exchange_round(send, send_counts, received, received_counts);
    ByteReader reader(received.data(), received.size());
    // Decoded in place (`result` has room for every arriving item): a group is a dozen strings,
    // and decoding into a temporary then moving it cost a copy of every item.
    while (!reader.done()) reader.get(result.emplace_back());
    if (comm.all(!left)) break;
  }
  // Clears the items; their buffer goes with the caller's vector. (Freeing it here, free_now,
  // raised the peak per rank at 4 ranks from 1642 to 1880 MB on the 10M month: see decisions.md.)
  items.clear();
  ensure(result.size() == static_cast<std::size_t>(arriving), "every shuffled item arrived");
  return result;
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
