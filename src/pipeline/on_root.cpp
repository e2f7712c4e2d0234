#include "pipeline/on_root.hpp"

#include <cstring>

namespace ba {

void share_root_outcome(const mpi::Comm& comm, std::int32_t code, const std::string& message) {
  // The code's 4 bytes, then the message.
  std::string text(sizeof code, '\0');
  std::memcpy(text.data(), &code, sizeof code);
  text += message;
  std::vector<char> status(text.begin(), text.end());
  comm.broadcast(status);
  ensure(status.size() >= sizeof code, "the root's outcome has its code");
  std::int32_t shared_code = 0;
  std::memcpy(&shared_code, status.data(), sizeof shared_code);
  if (shared_code != 0)
    throw Failure(static_cast<ExitCode>(shared_code), std::string(status.begin() + sizeof code, status.end()),
                  /*collective=*/true);
}

}  // namespace ba
