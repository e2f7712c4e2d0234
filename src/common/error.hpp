#pragma once
// One error style for the whole job: every failure is a ba::Failure carrying the exit-code class
// it maps to. Code throws; main() catches once, reports, and ends all ranks with that code.
#include <stdexcept>
#include <string>

namespace ba {

// Documented exit codes (README "Exit status").
enum class ExitCode : int {
  ok = 0,
  bad_arguments = 2,  // command line or configuration file
  bad_input = 3,      // fatal input error: missing feed, missing column, reject limit exceeded
  io_failure = 4,     // cannot read, write, sync or rename
  internal = 5,       // a broken invariant (balance check, bug)
  concurrent_run = 6, // another run of the same period holds the lock
  verify_mismatch = 7, // verify: the deliveries do not match their manifests
};

class Failure : public std::runtime_error {
 public:
  Failure(ExitCode code, const std::string& message, bool collective = false)
      : std::runtime_error(message), code_(code), collective_(collective) {}
  ExitCode code() const { return code_; }
  // True when every rank raised this same failure at the same point (no rank is left waiting).
  bool collective() const { return collective_; }

 private:
  ExitCode code_;
  bool collective_;
};

[[noreturn]] inline void fail(ExitCode code, const std::string& message) { throw Failure(code, message); }

[[noreturn]] [[gnu::cold]] [[gnu::noinline]] inline void fail_internal(const std::string& what) {
  fail(ExitCode::internal, "internal error: " + what);
}

// Checks an invariant that only a bug can break. Hot paths call it per cell and per record: a
// literal stays a pointer until the check fails (a std::string parameter allocated one on every
// call for texts over 15 characters).
inline void ensure(bool condition, const char* what) {
  if (!condition) [[unlikely]] fail_internal(what);
}
inline void ensure(bool condition, const std::string& what) {
  if (!condition) [[unlikely]] fail_internal(what);
}

}  // namespace ba
