#pragma once
// Progress of a long phase on rank 0: done / total, rate and an estimate of the time left,
// printed at most every few seconds so that a batch log stays readable.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ba {

class Progress {
 public:
  Progress(std::string label, std::int64_t total, const char* unit, bool enabled)
      : label_(std::move(label)), total_(total), unit_(unit), enabled_(enabled), t0_(clock::now()), last_(t0_) {}

  // Called per record (millions): the clock is read every 1024th call only (reading it every
  // time was 1% of the read phase on rank 0, the rank the others wait for).
  void advance(std::int64_t amount) {
    done_ += amount;
    if (!enabled_ || (++calls_ & 1023) != 0) return;
    const auto now = clock::now();
    if (now - last_ < std::chrono::seconds(3)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - t0_).count();
    const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
    const double left = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
    std::fprintf(stderr, "[buyer-attribution]   %s: %.0f%% (%.1f of %.1f M%s on rank 0), %.1f M%s/s, about %.0f s left\n",
                 label_.c_str(), total_ > 0 ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0,
                 static_cast<double>(done_) / 1e6, static_cast<double>(total_) / 1e6, unit_, rate / 1e6, unit_, left);
    std::fflush(stderr);
  }

 private:
  using clock = std::chrono::steady_clock;
  std::string label_;
  std::int64_t total_ = 0, done_ = 0;
  std::uint32_t calls_ = 0;
  const char* unit_;
  bool enabled_;
  clock::time_point t0_, last_;
};

}  // namespace ba
