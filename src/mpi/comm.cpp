#include "mpi/comm.hpp"

#include <algorithm>
#include <climits>

namespace ba::mpi {

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  fail(ExitCode::internal, std::string("MPI call ") + call + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

Environment::Environment(int& argc, char**& argv) {
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  // Errors come back as codes so that check() turns them into Failures with a message.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

void finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Environment::~Environment() { finalize(); }

Comm::Comm(MPI_Comm comm) : comm_(comm) {
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  set_round_bytes(round_bytes_);
}

void Comm::set_round_bytes(std::int64_t bytes) {
  // Displacements of one round add up to size() * round_bytes: keep that below INT_MAX.
  const std::int64_t cap = (INT_MAX - 1) / std::max(size_, 1);
  round_bytes_ = std::clamp<std::int64_t>(bytes, 1, cap);
}

void Comm::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

namespace {
std::int64_t reduce_one(MPI_Comm comm, std::int64_t value, MPI_Op op) {
  std::int64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_INT64_T, op, comm), "MPI_Allreduce");
  return out;
}
}  // namespace

std::int64_t Comm::sum(std::int64_t value) const { return reduce_one(comm_, value, MPI_SUM); }
std::int64_t Comm::max(std::int64_t value) const { return reduce_one(comm_, value, MPI_MAX); }
std::int64_t Comm::min(std::int64_t value) const { return reduce_one(comm_, value, MPI_MIN); }
bool Comm::all(bool flag) const { return min(flag ? 1 : 0) == 1; }

std::vector<std::int64_t> Comm::sum(const std::vector<std::int64_t>& values) const {
  std::vector<std::int64_t> out(values.size());
  ensure(values.size() <= INT_MAX, "allreduce count fits an int");
  check(MPI_Allreduce(values.data(), out.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_SUM, comm_),
        "MPI_Allreduce");
  return out;
}

std::int64_t Comm::exclusive_prefix_sum(std::int64_t value) const {
  return exclusive_prefix_sum(std::vector<std::int64_t>{value})[0];
}

std::vector<std::int64_t> Comm::exclusive_prefix_sum(const std::vector<std::int64_t>& values) const {
  std::vector<std::int64_t> out(values.size(), 0);
  ensure(values.size() <= INT_MAX, "exscan count fits an int");
  check(MPI_Exscan(values.data(), out.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_SUM, comm_),
        "MPI_Exscan");
  if (rank_ == 0) std::fill(out.begin(), out.end(), 0);  // MPI leaves rank 0's result undefined
  return out;
}

std::vector<std::int64_t> Comm::allgather(std::int64_t value) const {
  std::vector<std::int64_t> out(static_cast<std::size_t>(size_));
  check(MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, comm_), "MPI_Allgather");
  return out;
}

void Comm::broadcast(std::vector<char>& bytes, int root) const {
  std::int64_t n = static_cast<std::int64_t>(bytes.size());
  check(MPI_Bcast(&n, 1, MPI_INT64_T, root, comm_), "MPI_Bcast");
  bytes.resize(static_cast<std::size_t>(n));
  for (std::int64_t done = 0; done < n;) {  // bounded pieces: counts stay ints
    const std::int64_t piece = std::min<std::int64_t>(n - done, round_bytes_);
    check(MPI_Bcast(bytes.data() + done, static_cast<int>(piece), MPI_BYTE, root, comm_), "MPI_Bcast");
    done += piece;
  }
}

void Comm::broadcast(std::string& text, int root) const {
  std::vector<char> bytes(text.begin(), text.end());
  broadcast(bytes, root);
  text.assign(bytes.begin(), bytes.end());
}

std::vector<std::vector<char>> Comm::allgather(const std::vector<char>& bytes) const {
  const auto sizes = allgather(static_cast<std::int64_t>(bytes.size()));
  std::vector<std::vector<char>> out(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    auto& part = out[static_cast<std::size_t>(r)];
    part = r == rank_ ? bytes : std::vector<char>(static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)]));
    broadcast(part, r);
  }
  return out;
}

std::vector<std::vector<char>> Comm::gather(const std::vector<char>& bytes, int root) const {
  // Point-to-point in rank order: simple, bounded by the caller's promise of small metadata.
  std::vector<std::vector<char>> out;
  const auto sizes = allgather(static_cast<std::int64_t>(bytes.size()));
  if (rank_ != root) {
    for (std::int64_t done = 0; done < static_cast<std::int64_t>(bytes.size());) {
      const std::int64_t piece = std::min<std::int64_t>(static_cast<std::int64_t>(bytes.size()) - done, round_bytes_);
      check(MPI_Send(bytes.data() + done, static_cast<int>(piece), MPI_BYTE, root, 7, comm_), "MPI_Send");
      done += piece;
    }
    return out;
  }
  out.resize(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    auto& part = out[static_cast<std::size_t>(r)];
    if (r == rank_) {
      part = bytes;
      continue;
    }
    part.resize(static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)]));
    for (std::int64_t done = 0; done < static_cast<std::int64_t>(part.size());) {
      const std::int64_t piece = std::min<std::int64_t>(static_cast<std::int64_t>(part.size()) - done, round_bytes_);
      check(MPI_Recv(part.data() + done, static_cast<int>(piece), MPI_BYTE, r, 7, comm_, MPI_STATUS_IGNORE), "MPI_Recv");
      done += piece;
    }
  }
  return out;
}

std::vector<std::int64_t> Comm::alltoall(const std::vector<std::int64_t>& values) const {
  ensure(values.size() == static_cast<std::size_t>(size_), "alltoall needs one value per rank");
  std::vector<std::int64_t> out(values.size());
  check(MPI_Alltoall(values.data(), 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, comm_), "MPI_Alltoall");
  return out;
}

void Comm::exchange_round(const std::vector<char>& send, const std::vector<int>& counts, std::vector<char>& received,
                          std::vector<int>& received_counts) const {
  const auto p = static_cast<std::size_t>(size_);
  ensure(counts.size() == p, "exchange_round needs one count per rank");
  received_counts.resize(p);
  check(MPI_Alltoall(counts.data(), 1, MPI_INT, received_counts.data(), 1, MPI_INT, comm_), "MPI_Alltoall");
  std::vector<int> sdispl(p), rdispl(p);
  std::int64_t soff = 0, roff = 0;
  for (std::size_t d = 0; d < p; ++d) {
    ensure(soff <= INT_MAX && roff <= INT_MAX, "round displacements fit an int");
    sdispl[d] = static_cast<int>(soff);
    rdispl[d] = static_cast<int>(roff);
    soff += counts[d];
    roff += received_counts[d];
  }
  ensure(soff == static_cast<std::int64_t>(send.size()), "round counts add up to the send buffer");
  received.resize(static_cast<std::size_t>(roff));
  const char nothing_to_send = 0;  // valid addresses for empty buffers
  char nothing_received = 0;
  check(MPI_Alltoallv(send.empty() ? &nothing_to_send : send.data(), counts.data(), sdispl.data(), MPI_BYTE,
                      received.empty() ? &nothing_received : received.data(), received_counts.data(),
                      rdispl.data(), MPI_BYTE, comm_),
        "MPI_Alltoallv");
}

std::vector<char> Comm::exchange(const std::vector<std::vector<char>>& outgoing) const {
  const auto p = static_cast<std::size_t>(size_);
  ensure(outgoing.size() == p, "exchange needs one buffer per rank");
  std::vector<std::int64_t> send_total(p);
  for (std::size_t d = 0; d < p; ++d) send_total[d] = static_cast<std::int64_t>(outgoing[d].size());
  const std::vector<std::int64_t> recv_total = alltoall(send_total);

  std::int64_t my_rounds = 0;
  for (std::size_t d = 0; d < p; ++d) {
    my_rounds = std::max(my_rounds, (send_total[d] + round_bytes_ - 1) / round_bytes_);
    my_rounds = std::max(my_rounds, (recv_total[d] + round_bytes_ - 1) / round_bytes_);
  }
  const std::int64_t rounds = max(my_rounds);

  // Received bytes land in source-rank order: offsets of each source's block in the result.
  std::vector<std::int64_t> recv_base(p, 0);
  std::int64_t total = 0;
  for (std::size_t s = 0; s < p; ++s) {
    recv_base[s] = total;
    total += recv_total[s];
  }
  std::vector<char> received(static_cast<std::size_t>(total));
  std::vector<char> send_buf, recv_buf;
  std::vector<int> scount(p), rcount(p);
  for (std::int64_t round = 0; round < rounds; ++round) {
    const std::int64_t begin = round * round_bytes_;
    send_buf.clear();
    for (std::size_t d = 0; d < p; ++d) {
      const std::int64_t n = std::clamp<std::int64_t>(send_total[d] - begin, 0, round_bytes_);
      ensure(n <= INT_MAX, "round counts fit an int");
      scount[d] = static_cast<int>(n);
      if (n > 0) send_buf.insert(send_buf.end(), outgoing[d].begin() + begin, outgoing[d].begin() + begin + n);
    }
    exchange_round(send_buf, scount, recv_buf, rcount);
    std::size_t at = 0;
    for (std::size_t s = 0; s < p; ++s) {
      ensure(rcount[s] == std::clamp<std::int64_t>(recv_total[s] - begin, 0, round_bytes_), "round sizes agree");
      std::copy_n(recv_buf.begin() + static_cast<std::ptrdiff_t>(at), rcount[s], received.begin() + recv_base[s] + begin);
      at += static_cast<std::size_t>(rcount[s]);
    }
  }
  return received;
}

}  // namespace ba::mpi
