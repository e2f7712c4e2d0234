#pragma once
// The one way a step that only rank 0 does (listing inputs, writing the run record, renaming the
// store) fails: collectively, with the same error on every rank.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "mpi/comm.hpp"

namespace ba {

// Gives every rank the root's outcome (code 0: success); throws it on every rank as a collective
// Failure when it is one.
void share_root_outcome(const mpi::Comm& comm, std::int32_t code, const std::string& message);

// Runs fn on the root only and makes its outcome collective: a failure there becomes the same
// Failure on every rank, so nobody waits in a collective for a rank that gave up.
template <class Fn>
std::vector<char> on_root(const mpi::Comm& comm, Fn fn) {
  std::vector<char> payload;
  std::int32_t code = 0;
  std::string message;
  if (comm.is_root()) {
    try {
      payload = fn();
    } catch (const Failure& f) {
      code = static_cast<std::int32_t>(f.code());
      message = f.what();
    } catch (const std::filesystem::filesystem_error& e) {  // a folder that cannot be listed, a symlink loop
      code = static_cast<std::int32_t>(ExitCode::io_failure);
      message = e.what();
    }
  }
  share_root_outcome(comm, code, message);
  comm.broadcast(payload);
  return payload;
}

}  // namespace ba
