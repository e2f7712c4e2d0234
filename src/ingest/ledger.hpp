#pragma once
// The run's accounting of input rows: every row read lands in exactly one category, and every
// reject keeps its feed, file, line, reason and raw text for rejects.csv.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <tuple>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/group_index.hpp"
#include "common/money.hpp"
#include "ingest/feed_files.hpp"
#include "ingest/rows.hpp"

namespace ba {

struct FeedCounts {
  std::int64_t read = 0;
  std::int64_t used = 0;
  std::int64_t outside_period = 0;
  std::int64_t not_enrolled = 0;
  std::int64_t superseded = 0;
  std::map<std::string, std::int64_t> rejected;  // by reason
  std::int64_t rejected_total() const;
  bool balances() const { return read == used + rejected_total() + outside_period + not_enrolled + superseded; }
  BA_FIELDS(read, used, outside_period, not_enrolled, superseded, rejected)
};

struct Reject {
  std::string feed, file, reason, text;
  std::int64_t line = 0;
  BA_FIELDS(feed, file, reason, text, line)
};

// A reject found after parsing (duplicate, mixed currency): its raw text is re-read from the file.
struct LateReject {
  std::string feed, reason;
  RowRef ref;
  BA_FIELDS(feed, reason, ref)
};

// Amount control totals of one (table, seller, currency): what entered the table's computation,
// what it left out on purpose (rejected groups, lines of payouts not kept) and what it delivered.
// The run balances when in == excluded + out for every key.
struct AmountBalance {
  std::int8_t table = 0;  // 1 sales_compensation, 2 disbursements, 3 usage
  std::string seller, currency;
  Micros in = 0, excluded = 0, out = 0;
  BA_FIELDS(table, seller, currency, in, excluded, out)
};

class Ledger {
 public:
  Ledger() = default;
  Ledger(const Ledger&) = delete;  // it keeps pointers into itself (the last balances asked)
  Ledger& operator=(const Ledger&) = delete;

  void amount_in(std::int8_t table, std::string_view seller, std::string_view currency, Micros v) {
    auto& e = amount(table, seller, currency);
    e.balance.in = add_checked(e.balance.in, v);
    e.rows_in += 1;
  }
  // Takes back an amount_in of a row that turned out not to be used (it lost its key to another
  // row after it was counted): a key that only such rows entered disappears from amounts().
  void amount_withdrawn(std::int8_t table, std::string_view seller, std::string_view currency, Micros v) {
    auto& e = amount(table, seller, currency);
    e.balance.in = add_checked(e.balance.in, -v);
    e.rows_in -= 1;
  }
  void amount_excluded(std::int8_t table, std::string_view seller, std::string_view currency, Micros v) {
    auto& e = amount(table, seller, currency);
    e.balance.excluded = add_checked(e.balance.excluded, v);
    e.other = true;
  }
  void amount_out(std::int8_t table, std::string_view seller, std::string_view currency, Micros v) {
    auto& e = amount(table, seller, currency);
    e.balance.out = add_checked(e.balance.out, v);
    e.other = true;
  }
  std::vector<AmountBalance> amounts() const {
    std::vector<AmountBalance> all;
    for (const auto& e : amounts_)
      if (e.rows_in > 0 || e.other) all.push_back(e.balance);
    return all;
  }

  FeedCounts& feed(const std::string& name) { return feeds_[name]; }
  const std::map<std::string, FeedCounts>& feeds() const { return feeds_; }

  void reject(const std::string& feed, const std::string& file, std::int64_t line, std::string_view reason,
              std::string_view text);
  // Moves a row counted in `from` (a counter of the feed, or nullptr when the row was not counted
  // yet) to the rejects; its raw text is re-read from the file when the rejects are written.
  void reject_late(const std::string& feed, std::int64_t FeedCounts::*from, std::string_view reason, const RowRef& ref);

  const std::vector<Reject>& rejects() const { return rejects_; }
  const std::vector<LateReject>& late_rejects() const { return late_; }

  // Registers the files of a feed so late rejects can name them.
  void set_files(const std::string& feed, const std::vector<FeedFile>& files) { files_[feed] = files; }
  const std::vector<FeedFile>& files(const std::string& feed) const;

 private:
  // Called for every used fact row and every delivered row: consecutive rows mostly share their
  // seller (rows come in runs of one), though billing events alternate between tables, so the
  // last few balances are tried first; otherwise one lookup in a flat index hashed from the key's
  // parts (no key string built, no node chased: the node map's lookups were 6% of read), and no
  // allocation once the key exists. Balances never move (a deque).
  struct AmountEntry {
    AmountBalance balance;
    std::int64_t rows_in = 0;  // amount_in minus amount_withdrawn calls
    bool other = false;        // amount_excluded or amount_out was called
  };
  static bool is_key(const AmountEntry& e, std::int8_t table, std::string_view seller, std::string_view currency) {
    return e.balance.table == table && e.balance.seller == seller && e.balance.currency == currency;
  }
  AmountEntry& amount(std::int8_t table, std::string_view seller, std::string_view currency) {
    for (AmountEntry* e : recent_)
      if (e && is_key(*e, table, seller, currency)) return *e;
    // Each part mixed in turn: the table reaches the slot bits, and (seller, currency) is not
    // (currency, seller), nor zero when the two are equal.
    std::uint64_t h = static_cast<std::uint64_t>(table);
    for (const std::string_view part : {seller, currency}) {
      h = (h ^ std::hash<std::string_view>{}(part)) * 0x9e3779b97f4a7c15ULL;
      h ^= h >> 32;
    }
    const std::size_t at = amount_at_.find_or_add(
        h, amounts_.size(), [&](std::size_t i) { return is_key(amounts_[i], table, seller, currency); });
    if (at == amounts_.size())
      amounts_.push_back(AmountEntry{AmountBalance{table, std::string(seller), std::string(currency), 0, 0, 0}});
    AmountEntry& e = amounts_[at];
    recent_[next_recent_] = &e;
    next_recent_ = (next_recent_ + 1) % recent_.size();
    return e;
  }
  std::array<AmountEntry*, 4> recent_{};
  std::size_t next_recent_ = 0;
  std::deque<AmountEntry> amounts_;
  GroupIndex amount_at_;
  std::map<std::string, FeedCounts> feeds_;
  std::vector<Reject> rejects_;
  std::vector<LateReject> late_;
  std::map<std::string, std::vector<FeedFile>> files_;
};

// Sums counts over ranks (collective helpers live in the pipeline; this is the plain merge).
void merge_counts(FeedCounts& into, const FeedCounts& from);

}  // namespace ba
