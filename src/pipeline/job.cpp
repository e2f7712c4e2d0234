#include "pipeline/job.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "aggregate/detail_tables.hpp"
#include "aggregate/partials.hpp"
#include "common/composite_key.hpp"
#include "common/file.hpp"
#include "common/group_index.hpp"
#include "common/memory.hpp"
#include "common/sha256.hpp"
#include "common/version.hpp"
#include "export/delivery.hpp"
#include "ingest/ingest.hpp"
#include "model/winners.hpp"
#include "pipeline/fact_reading.hpp"
#include "pipeline/on_root.hpp"
#include "pipeline/publication.hpp"
#include "pipeline/run_record.hpp"
#include "pipeline/sellers.hpp"
#include "store/store.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"
#include "territory/territory.hpp"

namespace ba {

namespace {

namespace fs = std::filesystem;

const FeedLayout kBilling{"billing_event", "billing_event_v1", false};
const FeedLayout kUsage{"daily_usage", "daily_usage_v1", false};
const FeedLayout kAccount{"account", "account_v1", true};
const FeedLayout kAddress{"address", "address_v1", true};
const FeedLayout kProduct{"product", "product_v1", true};
const FeedLayout kOffer{"offer", "offer_v1", true};
const FeedLayout kEnrollment{"enrollment", "enrollment", false};

}  // namespace

extern "C" void resume_from_stall(int) {}

// Tests only ("stall:WHAT@RANK"): stands still for up to two minutes, so that the test can
// signal or kill this rank from outside, or change its inputs. A signal that is handled ends the
// wait: SIGUSR2 goes on with the run (handled only here; not SIGCONT, which scancel sends before
// SIGTERM and which would end the stall early), a stop signal while publishing is noted.
void stall_if_injected(const std::string& inject, const std::string& what, int rank) {
  if (inject != "stall:" + what + "@" + std::to_string(rank)) return;
  struct sigaction resume {}, before {};
  resume.sa_handler = resume_from_stall;
  ::sigemptyset(&resume.sa_mask);
  ::sigaction(SIGUSR2, &resume, &before);
  std::fprintf(stderr, "[buyer-attribution] rank %d stalls in phase %s (pid %d)\n", rank, what.c_str(),
               static_cast<int>(::getpid()));
  std::fflush(stderr);
  ::sleep(120);
  ::sigaction(SIGUSR2, &before, nullptr);
}

namespace {

class PhaseClock {
 public:
  PhaseClock(const mpi::Comm& comm, bool progress, std::string inject_failure = {})
      : comm_(comm), progress_(progress), inject_(std::move(inject_failure)) {}
  void start(const std::string& phase) {
    const std::string here = "@" + std::to_string(comm_.rank());
    if (!inject_.empty() && (inject_ == phase || inject_ == phase + here))
      fail(ExitCode::io_failure, "injected failure in phase " + phase + " on rank " + std::to_string(comm_.rank()) +
                                     " (--inject-failure " + inject_ + ")");
    stall_if_asked(phase);
    phase_ = phase;
    t0_ = std::chrono::steady_clock::now();
    if (progress_ && comm_.is_root()) {
      std::fprintf(stderr, "[buyer-attribution] %-10s ...\n", phase.c_str());
      std::fflush(stderr);
    }
  }
  void stall_if_asked(const std::string& what) const { stall_if_injected(inject_, what, comm_.rank()); }
  // Ends the phase; `rows` is this rank's count, summed for the progress line.
  void stop(std::int64_t rows, const char* unit = "rows") {
    release_free_memory();  // the next phase starts from what this one kept, not its peak
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    timings_.emplace_back(phase_, seconds);
    const std::int64_t total = comm_.sum(rows);
    const double slowest = static_cast<double>(comm_.max(static_cast<std::int64_t>(seconds * 1e6))) / 1e6;
    // The largest peak resident size of any rank so far: where memory peaks, phase by phase.
    struct rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    const std::int64_t peak_mb = comm_.max(static_cast<std::int64_t>(usage.ru_maxrss) / 1024);
    if (progress_ && comm_.is_root()) {
      std::fprintf(stderr, "[buyer-attribution] %-10s done: %lld %s in %.2f s (%.0f %s/s), peak RSS per rank %lld MB\n",
                   phase_.c_str(), static_cast<long long>(total), unit, slowest,
                   slowest > 0 ? static_cast<double>(total) / slowest : 0.0, unit, static_cast<long long>(peak_mb));
      std::fflush(stderr);
    }
  }
  const std::vector<std::pair<std::string, double>>& timings() const { return timings_; }

 private:
  const mpi::Comm& comm_;
  bool progress_;
  std::string inject_;
  std::string phase_;
  std::chrono::steady_clock::time_point t0_;
  std::vector<std::pair<std::string, double>> timings_;
};

constexpr const char* kTerritoriesDisplay = "enrollment/territories.csv";

struct Plan {
  std::map<std::string, std::vector<FeedFile>> files;
  // The territory rules, read whole when planning (a small, hand-written file): the run uses
  // and lists in its digest exactly this text, whatever happens to the file afterwards.
  bool has_territories = false;
  std::string territories;
  std::string input_digest;
  BA_FIELDS(files, has_territories, territories, input_digest)
};

Plan plan_inputs(const mpi::Comm& comm, const JobOptions& o, const Period& period) {
  const auto bytes = on_root(comm, [&] {
    Plan plan;
    for (const auto* feed : {&kBilling, &kUsage, &kAccount, &kAddress, &kProduct, &kOffer})
      plan.files[feed->name] = list_feed_files(o.feeds, *feed, period);
    const fs::path registry = fs::path(o.feeds) / "enrollment" / "enrollment.csv";
    if (!fs::is_regular_file(registry))
      fail(ExitCode::bad_input, "missing input: the enrollment registry " + registry.string() + " does not exist");
    plan.files[kEnrollment.name] = {FeedFile{registry.string(), "enrollment/enrollment.csv", file_size(registry.string())}};
    // A month with no rows has a header-only file (feeds.md). A 0-byte file has lost its header:
    // read as "no rows" it would empty the period (an empty registry: every delivery withdrawn).
    for (auto& [feed, files] : plan.files)
      for (auto& f : files) {
        if (f.size == 0) fail(ExitCode::bad_input, "input file " + f.display + ": empty, expected a header row on line 1");
        f.modified_ns = modified_ns(f.path, f.display);  // after the size: a change between is seen
        f.edges = edges_digest(f.path, f.display, f.size);
      }
    // The digest names the inputs by path, size, modification time and edges fingerprint, as
    // planned above (not read again: a file changing meanwhile would be listed other than read):
    // cheap, and it changes whenever a daily delivery is appended to a month file.
    std::string listing;
    for (const auto& [feed, files] : plan.files)
      for (const auto& f : files)
        listing += f.display + '\t' + std::to_string(f.size) + '\t' + std::to_string(f.modified_ns) + '\t' + f.edges + '\n';
    // The territory rules decide the representative tables: an input too, when present, listed
    // by the digest of the text the run uses.
    if (const fs::path rules = fs::path(o.feeds) / kTerritoriesDisplay; fs::exists(rules)) {
      if (!fs::is_regular_file(rules)) fail(ExitCode::bad_input, std::string(kTerritoriesDisplay) + " (" + rules.string() + ") is not a file");
      plan.has_territories = true;
      plan.territories = read_file(rules.string());
      listing += std::string(kTerritoriesDisplay) + '\t' + std::to_string(plan.territories.size()) + "\tsha256:" +
                 sha256_hex(plan.territories) + '\n';
    }
    plan.input_digest = "sha256:" + sha256_hex(listing);
    std::vector<char> out;
    encode(plan, out);
    return out;
  });
  Plan plan;
  ByteReader reader(bytes.data(), bytes.size());
  reader.get(plan);
  return plan;
}

// Seller -> delivery folder for sellers enrolled for the whole period.
using EnrolledSellers = std::map<std::string, std::string, std::less<>>;  // seller -> folder

EnrolledSellers read_enrollment(const mpi::Comm& comm, const Plan& plan, const JobOptions& o,
                                                   const Period& period, Ledger& ledger) {
  const auto local = ingest_feed<EnrollmentRow>(comm, kEnrollment.name, plan.files.at(kEnrollment.name),
                                                static_cast<std::size_t>(o.chunk_bytes), ledger);
  const auto rows = mpi::allgather_items(comm, local);  // the registry is small
  const Instant last_day = period.end - kSecondsPerDay;
  const auto covers = [&](const EnrollmentRow& r) {
    return r.from <= period.begin && (r.open_ended || r.until >= last_day);
  };
  auto& counts = ledger.feed(kEnrollment.name);
  for (const auto& r : local) (covers(r) ? counts.used : counts.not_enrolled) += 1;
  EnrolledSellers enrolled;
  // A folder is one seller's: two sellers sharing one would read each other's buyers (and their
  // files would overwrite each other in staging). Either way round, the registry is wrong, and
  // whatever the periods its rows cover: a folder delivered to one seller in September and to
  // another in October holds both sellers' files.
  std::map<std::string, const EnrollmentRow*, std::less<>> seller_of_folder;
  const auto at = [](const EnrollmentRow& r) { return "enrollment/enrollment.csv: line " + std::to_string(r.ref.line); };
  for (const auto& r : rows) {
    const auto [first, fresh] = seller_of_folder.emplace(r.aws_account_id, &r);
    if (!fresh && first->second->seller != r.seller)
      fail(ExitCode::bad_input, at(r) + ": sellers " + first->second->seller + " (line " +
                                    std::to_string(first->second->ref.line) + ") and " + r.seller +
                                    " are registered with one aws_account_id, " + r.aws_account_id +
                                    ": each seller's delivery folder must be its own");
    if (!covers(r)) continue;
    const auto [it, inserted] = enrolled.emplace(r.seller, r.aws_account_id);
    if (!inserted && it->second != r.aws_account_id)
      fail(ExitCode::bad_input, at(r) + ": seller " + r.seller + " is enrolled with two aws_account_id values (" +
                                    it->second + " and " + r.aws_account_id + ")");
  }
  return enrolled;
}

// The optional territory rules beside the registry, as planned: every rank parses the same text
// (a fatal problem in it is found by rank 0 first and ends every rank together).
TerritoryRules read_territories(const mpi::Comm& comm, const Plan& plan) {
  if (!plan.has_territories) return TerritoryRules{};
  (void)on_root(comm, [&] {
    (void)parse_territories(plan.territories, kTerritoriesDisplay);  // fatal problems fail here, on rank 0
    return std::vector<char>{};
  });
  return parse_territories(plan.territories, kTerritoriesDisplay);
}

// The enrolled sellers whose territory rules are valid, who get the representative tables, and
// why the others' rules are not used. Rank 0 says so on stderr (a warning, not progress: --quiet
// keeps it), and names rules of sellers not enrolled for the period, in case the id is misspelt.
struct RepSellers {
  std::set<std::string> sellers;
  std::map<std::string, std::vector<std::string>> rule_errors;  // by seller
};

RepSellers choose_rep_sellers(const mpi::Comm& comm, const TerritoryRules& territories,
                              const EnrolledSellers& enrolled, const Period& period) {
  if (comm.is_root())
    for (const auto& [seller, rules] : territories.sellers)
      if (!enrolled.contains(seller))
        std::fprintf(stderr, "[buyer-attribution] territory rules of %s not used: not enrolled for %s\n",
                     seller.c_str(), period.name().c_str());
  RepSellers reps;
  for (const auto& [seller, folder] : enrolled) {
    if (!has_rules(territories, seller)) continue;
    const auto& errors = rule_errors(territories, seller);
    if (errors.empty()) {
      reps.sellers.insert(seller);
      continue;
    }
    reps.rule_errors[seller] = errors;
    if (comm.is_root())
      for (const auto& e : errors)
        std::fprintf(stderr, "[buyer-attribution] territory rules of %s not used: %s\n", seller.c_str(), e.c_str());
  }
  return reps;
}

// Reads a dimension, moves each key to its owner, resolves its versions there, and keeps only
// the encoded answers the owner gives (answers_of the dimension).
template <class Attrs, class AnswersOf>
LookupAnswers load_dimension(const mpi::Comm& comm, const FeedLayout& feed, const Plan& plan, const JobOptions& o,
                             Ledger& ledger, AnswersOf answers_of) {
  auto rows = ingest_feed<DimensionRow<Attrs>>(comm, feed.name, plan.files.at(feed.name),
                                               static_cast<std::size_t>(o.chunk_bytes), ledger);
  const int ranks = comm.size();
  rows = mpi::shuffle(comm, std::move(rows), [&](const DimensionRow<Attrs>& r) { return owner_of(r.key, ranks); });
  Dimension<Attrs> dimension;
  dimension.build(std::move(rows), ledger.feed(feed.name));
  return answers_of(dimension);
}

// What the one read of the fact feeds leaves on this rank: the partial groups every valid row was
// folded into, what became of each valid row (in read order), and the rows that lost their key.
struct FactsRead {
  PartialAggregates partials;
  std::vector<RowFate> billing_fates, usage_fates;
  LosingRows billing_losers, usage_losers;
};

// One read of each fact feed. Every valid row is counted and folded into this rank's partial
// groups as it is read, before the ranks agree which row wins each key (only its key's hash and
// position are kept); then the ranks agree which rows lost, for undo_losers to take out again.
// No rank ever holds the rows of a fact feed.
FactsRead read_facts(const mpi::Comm& comm, const Plan& plan, const JobOptions& o, const Period& period,
                     const StringSet& is_enrolled, Ledger& ledger) {
  const auto chunk = static_cast<std::size_t>(o.chunk_bytes);
  const auto& billing_files = plan.files.at(kBilling.name);
  const auto& usage_files = plan.files.at(kUsage.name);
  FactsRead facts;
  auto& partials = facts.partials;
  auto& billing_fates = facts.billing_fates;
  auto& usage_fates = facts.usage_fates;
  // Consecutive rows mostly share their seller (the rows of a transaction are together): the
  // last answer is kept, and the set is asked only when the seller changes.
  std::string last_seller;
  bool last_known = false, last_enrolled = false;
  const auto enrolled_seller = [&](std::string_view seller) {
    if (!last_known || seller != last_seller) {
      last_seller.assign(seller);
      last_enrolled = is_enrolled.contains(seller);
      last_known = true;
    }
    return last_enrolled;
  };
  // A valid row that wins its key is outside the period, of a seller not enrolled, or used.
  const auto fold = [&](FeedCounts& counts, Instant when, std::string_view seller, const auto& row,
                        std::vector<RowFate>& fates) {
    RowFate fate;
    if (!period.contains(when)) {
      fate.count = RowFate::outside_period;
    } else if (!enrolled_seller(seller)) {
      fate.count = RowFate::not_enrolled;
    } else {
      fate.count = RowFate::used;
      const Folded f = partials.add(row, ledger);
      fate.kind = f.kind;
      fate.index = f.index;
    }
    counts.*fate.counter() += 1;
    fates.push_back(fate);
  };
  // The groups never move to a grown array (each page of them is touched once: fresh pages are
  // slow to fault in); room that no group takes costs no memory.
  const auto reserve_for = [&](std::vector<RowFate>& fates, bool billing) {
    return [&fates, &partials, billing](std::int64_t bound) {
      const auto n = static_cast<std::size_t>(bound);
      reserve_if_granted(fates, n);
      partials.reserve(billing ? n : 0, billing ? n : 0, billing ? 0 : n);
    };
  };
  const auto billing_key = [](const BillingEvent& e, std::string& key) {
    assign_composite_key(key, e.seller, e.id);
  };
  const auto usage_key = [](const UsageRecord& r, std::string& key) {
    assign_composite_key(key, r.seller, r.feed_id);
  };
  auto& billing_counts = ledger.feed(kBilling.name);
  auto billing_keys = read_fact_feed<BillingEvent>(
      comm, kBilling.name, billing_files, chunk, ledger, o.progress, billing_key,
      [&](const BillingEvent& e) { fold(billing_counts, e.invoice, e.seller, e, billing_fates); },
      reserve_for(billing_fates, true));
  auto& usage_counts = ledger.feed(kUsage.name);
  auto usage_keys = read_fact_feed<UsageRecord>(
      comm, kUsage.name, usage_files, chunk, ledger, o.progress, usage_key,
      [&](const UsageRecord& r) {
        // A deleted latest version drops the record: the deletion supersedes every version.
        if (!r.deleted) return fold(usage_counts, r.usage_date, r.seller, r, usage_fates);
        RowFate fate;
        fate.count = RowFate::superseded;
        usage_counts.superseded += 1;
        usage_fates.push_back(fate);
      },
      reserve_for(usage_fates, false));
  facts.billing_losers =
      losing_rows<BillingEvent>(comm, billing_files, chunk, Prefer::first_read, billing_key, std::move(billing_keys));
  facts.usage_losers =
      losing_rows<UsageRecord>(comm, usage_files, chunk, Prefer::latest_update, usage_key, std::move(usage_keys));
  return facts;
}

// Takes the rows that lost their key out again (the fold phase). A billing event that loses its
// key is a duplicate, rejected; a usage record that loses is a superseded version.
void undo_losers(const mpi::Comm& comm, const Plan& plan, const JobOptions& o, FactsRead& facts, Ledger& ledger) {
  const auto chunk = static_cast<std::size_t>(o.chunk_bytes);
  auto& usage_counts = ledger.feed(kUsage.name);
  undo_losing_rows<BillingEvent>(comm, kBilling.name, plan.files.at(kBilling.name), chunk, o.progress,
                                 facts.billing_losers, facts.billing_fates, facts.partials, ledger,
                                 [&](const RowFate& fate, const RowRef& ref) {
                                   ledger.reject_late(kBilling.name, fate.counter(), reason::duplicate, ref);
                                 });
  undo_losing_rows<UsageRecord>(comm, kUsage.name, plan.files.at(kUsage.name), chunk, o.progress, facts.usage_losers,
                                facts.usage_fates, facts.partials, ledger, [&](const RowFate& fate, const RowRef&) {
                                  usage_counts.*fate.counter() -= 1;
                                  usage_counts.superseded += 1;
                                });
  facts.partials.finish_undo();
}

// Contiguous ranges of sellers (in seller order) per rank, balanced by their partial groups
// (about their rows: a seller's partial groups from several ranks become one row).
std::vector<int> assign_sellers(const mpi::Comm& comm, const std::vector<std::string>& sellers,
                                const std::vector<SalesGroup>& sales, const std::vector<DisbursementGroup>& lines,
                                const std::vector<UsageGroup>& usage) {
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < sellers.size(); ++i) index[sellers[i]] = i;
  std::vector<std::int64_t> weight(sellers.size(), 1);  // every seller gets its (maybe empty) files
  const auto count = [&](const auto& groups) {
    for (const auto& g : groups) weight[index.at(g.seller)] += 1;
  };
  count(sales);
  count(lines);
  count(usage);
  return assign_by_weight(comm.size(), comm.sum(weight));
}

// The raw text of a row, re-read from its file (late rejects only: rare).
std::string raw_text(const FeedFile& file, const RowRef& ref) {
  InputFile in(file.path);
  std::string text(static_cast<std::size_t>(ref.length), '\0');
  text.resize(in.read_at(ref.offset, text.data(), text.size()));
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return printable_raw_text(text);
}

// The control totals' "out": what the delivered detail tables hold, per seller and currency.
void count_amounts_out(const std::vector<LocalTable>& tables, Ledger& ledger) {
  static const std::array<const char*, 3> kAmount{"net_revenue", "net_amount", "estimated_revenue"};
  for (std::size_t t = 0; t < 3; ++t) {
    const std::size_t amount = column_index(*tables[t].schema, kAmount[t]);
    const std::size_t currency = column_index(*tables[t].schema, "currency");
    const auto& rows = tables[t].rows;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      TableRow::prefetch_ahead(rows.data(), r, rows.size());
      const TableRow& row = rows[r];
      ledger.amount_out(static_cast<std::int8_t>(t + 1), row.seller, row.text(currency), row.number(amount));
    }
  }
}

// This rank's part of a table: `rows` (all of sellers held here) sorted in delivery order and
// indexed by `sellers` (the global list in order, filtered to those this table has).
LocalTable local_table(const TableSchema& schema, const std::vector<SellerEntry>& sellers,
                       const std::vector<int>& owner, const std::set<std::string>* only, int rank,
                       std::vector<TableRow> rows) {
  sort_rows(schema, rows);
  // Sorted rows come in runs of one seller: one map entry per run, not a lookup per row.
  std::unordered_map<std::string_view, std::int64_t> count;
  for (std::size_t begin = 0, end = 0; begin < rows.size(); begin = end) {
    while (end < rows.size() && rows[end].seller == rows[begin].seller) ++end;
    count[rows[begin].seller] += static_cast<std::int64_t>(end - begin);
  }
  LocalTable table;
  table.schema = &schema;
  std::int64_t indexed = 0;
  for (std::size_t i = 0; i < sellers.size(); ++i) {
    if (owner[i] != rank || (only && !only->count(sellers[i].seller))) continue;
    SellerEntry entry = sellers[i];
    const auto it = count.find(entry.seller);
    entry.rows = it == count.end() ? 0 : it->second;
    indexed += entry.rows;
    table.sellers.push_back(entry);
  }
  ensure(indexed == static_cast<std::int64_t>(rows.size()), "every row of " + schema.name + " belongs to a seller held here");
  table.rows = std::move(rows);
  return table;
}

// Moves rows to the rank that owns their seller (when `shuffle[t]`), sorts them in delivery
// order and indexes this rank's sellers. `sellers` is the global seller list in order; `only[t]`,
// when set, limits table t to those sellers.
std::vector<LocalTable> arrange_by_seller(const mpi::Comm& comm, const std::vector<SellerEntry>& sellers,
                                          const std::vector<int>& owner, std::vector<std::vector<TableRow>> rows,
                                          const std::vector<bool>& shuffle,
                                          const std::vector<const std::set<std::string>*>& only) {
  std::unordered_map<std::string, int> owner_of_seller;
  for (std::size_t i = 0; i < sellers.size(); ++i) owner_of_seller[sellers[i].seller] = owner[i];
  const auto& schemas = deliverable_schemas();
  std::vector<LocalTable> tables;
  for (std::size_t t = 0; t < rows.size(); ++t) {
    if (shuffle[t])
      rows[t] = mpi::shuffle(comm, std::move(rows[t]), [&](const TableRow& r) { return owner_of_seller.at(r.seller); });
    tables.push_back(local_table(*schemas[t], sellers, owner, t < only.size() ? only[t] : nullptr, comm.rank(),
                                 std::move(rows[t])));
  }
  return tables;
}

// Groups with two currencies are rejected whole (semantics.md): every rank names its rows of
// them. Rare, so the keys go everywhere, and the billing feed is read once more only when there
// are any. `used_event` says whether an event was folded into a group.
template <class UsedEvent>
void reject_mixed_currency_rows(const mpi::Comm& comm, const std::vector<FeedFile>& billing_files, std::size_t chunk,
                                const std::vector<std::string>& mixed_sales,
                                const std::vector<std::string>& mixed_lines, UsedEvent used_event, Ledger& ledger) {
  const auto all_mixed_sales = mpi::allgather_items(comm, mixed_sales);
  const auto all_mixed_lines = mpi::allgather_items(comm, mixed_lines);
  if (all_mixed_sales.empty() && all_mixed_lines.empty()) return;
  const std::unordered_set<std::string> sales_keys(all_mixed_sales.begin(), all_mixed_sales.end());
  const std::unordered_set<std::string> line_keys(all_mixed_lines.begin(), all_mixed_lines.end());
  scan_feed<BillingEvent>(comm, kBilling.name, billing_files, chunk, nullptr, false, [&](const BillingEvent& e) {
    if (!used_event(e)) return;
    const bool bucketed = bucket_of(e.type) >= 0;
    if (feeds_sales_compensation(e) && sales_keys.count(sales_key(e))) {
      ledger.reject_late(kBilling.name, &FeedCounts::used, reason::mixed_currency, e.ref);
      if (bucketed) ledger.amount_excluded(1, e.seller, e.currency, e.amount);
    } else if (is_disbursement_line(e) && line_keys.count(line_key(e))) {
      ledger.reject_late(kBilling.name, &FeedCounts::used, reason::mixed_currency, e.ref);
      if (bucketed) ledger.amount_excluded(2, e.seller, e.currency, -e.amount);
    }
  });
}

// Appends the representative tables (rep_attribution, rep_statements) of the sellers held here
// whose territory rules are valid, made from their buyers rows (tables[3]).
void add_rep_tables(std::vector<LocalTable>& tables, const TerritoryRules& territories,
                    const std::set<std::string>& rep_sellers, const std::vector<SellerEntry>& seller_entries,
                    const std::vector<int>& owner, int rank) {
  std::vector<TableRow> attribution, statements;
  std::size_t cursor = 0;
  for (const auto& entry : tables[3].sellers) {
    const auto begin = tables[3].rows.begin() + static_cast<std::ptrdiff_t>(cursor);
    cursor += static_cast<std::size_t>(entry.rows);
    if (!rep_sellers.count(entry.seller)) continue;  // copy only the buyers of sellers with rules
    const std::vector<TableRow> buyers(begin, begin + static_cast<std::ptrdiff_t>(entry.rows));
    attribute_to_reps(territories, entry.seller, buyers, attribution, statements);
  }
  tables.push_back(local_table(rep_attribution_schema(), seller_entries, owner, &rep_sellers, rank, std::move(attribution)));
  tables.push_back(local_table(rep_statements_schema(), seller_entries, owner, &rep_sellers, rank, std::move(statements)));
}

// Renders every seller this rank holds into staging/deliveries and syncs what it wrote; returns
// the files, manifests after the data files of their seller.
std::vector<StagedFile> export_tables(const std::string& staging, const Period& period,
                                      const std::vector<LocalTable>& tables, const std::string& job_version) {
  std::vector<StagedFile> written;
  std::vector<std::size_t> cursor(tables.size(), 0), entry(tables.size(), 0);
  for (std::size_t s = 0; s < tables[0].sellers.size(); ++s) {
    SellerTables st;
    st.seller = &tables[0].sellers[s];
    for (std::size_t t = 0; t < tables.size(); ++t) {
      // Tables after the first may hold a subset of the sellers, in the same order.
      if (entry[t] >= tables[t].sellers.size() || tables[t].sellers[entry[t]].seller != st.seller->seller) {
        ensure(t >= kBuyersTables, "every seller has the four tables of semantics.md");
        continue;
      }
      const auto rows = tables[t].sellers[entry[t]++].rows;
      st.schemas.push_back(tables[t].schema);
      st.begin.push_back(tables[t].rows.data() + cursor[t]);
      st.rows.push_back(rows);
      cursor[t] += static_cast<std::size_t>(rows);
    }
    auto files = write_seller_delivery(staging + "/deliveries", period, st, job_version);
    written.insert(written.end(), std::make_move_iterator(files.begin()), std::make_move_iterator(files.end()));
  }
  for (std::size_t t = 0; t < tables.size(); ++t) ensure(entry[t] == tables[t].sellers.size(), "every seller exported");
  // Written with their writeback started (or straight to the device), synced now, all at once:
  // one syncfs instead of an fsync, and a device cache flush, per file (0.6 s of 17,870 files).
  if (!written.empty()) sync_file_system(staging + "/deliveries");
  return written;
}

}  // namespace

std::string fraction_text(double fraction) {
  std::ostringstream text;
  text << fraction;
  return text.str();
}

JobResult run_job(const mpi::Comm& comm, const JobOptions& o) {
  const Period period = make_period(o.cadence, o.period);
  if (o.feeds.empty()) fail(ExitCode::bad_arguments, "--feeds is required");
  if (o.out.empty()) fail(ExitCode::bad_arguments, "--out is required");
  // A period that has not ended cannot have all its rows yet (each day's delivery is appended as
  // it arrives): published, part of a period would pass for the whole (decisions.md). Rank 0's
  // clock decides for every rank.
  if (!o.allow_open_period)
    on_root(comm, [&] {
      if (period.end > static_cast<Instant>(std::time(nullptr)))
        fail(ExitCode::bad_arguments, "--period " + o.period + " has not ended yet (it ends at " +
                                          format_date(period.end) +
                                          "T00:00:00Z): its feeds cannot be complete, so nothing was run; "
                                          "--allow-open-period runs it anyway (a preview)");
      return std::vector<char>{};
    });
  const auto chunk = static_cast<std::size_t>(o.chunk_bytes);
  PhaseClock clock(comm, o.progress, o.inject_failure);
  Ledger ledger;

  // ---- plan: rank 0 lists the inputs and takes the period's lock -----------------------------
  clock.start("plan");
  // A mistyped --feeds is said before anything is made under --out (the lock, the staging folder,
  // and any missing parent folder of OUT, such as /data of a job file run on a workstation).
  on_root(comm, [&] {
    if (!fs::is_directory(o.feeds)) fail(ExitCode::bad_input, "--feeds " + o.feeds + " is not a folder");
    return std::vector<char>{};
  });
  const std::string run_name = period.name();
  std::unique_ptr<PeriodLock> lock;
  const std::string staging = open_staging(comm, o.out, run_name, lock);
  const Plan plan = plan_inputs(comm, o, period);
  clock.stop(static_cast<std::int64_t>(comm.is_root() ? plan.files.size() : 0), "feeds");

  // ---- read: every rank parses its byte ranges --------------------------------------------------
  clock.start("read");
  const auto enrolled = read_enrollment(comm, plan, o, period, ledger);
  // Asked once per fact row: a flat hash set, not the ordered map's dozen string compares.
  const StringSet is_enrolled = [&] {
    StringSet set;
    for (const auto& [seller, folder] : enrolled) set.insert(seller);
    return set;
  }();
  const TerritoryRules territories = read_territories(comm, plan);
  const RepSellers reps = choose_rep_sellers(comm, territories, enrolled, period);
  Dimensions dims;
  dims.accounts = load_dimension<AccountAttrs>(comm, kAccount, plan, o, ledger, account_answers);
  dims.addresses = load_dimension<AddressAttrs>(comm, kAddress, plan, o, ledger, address_answers);
  dims.products = load_dimension<ProductAttrs>(comm, kProduct, plan, o, ledger, product_answers);
  dims.offers = load_dimension<OfferAttrs>(comm, kOffer, plan, o, ledger, offer_answers);

  FactsRead facts = read_facts(comm, plan, o, period, is_enrolled, ledger);
  std::int64_t read_rows = 0;
  for (const auto* feed : {&kBilling, &kUsage}) read_rows += ledger.feed(feed->name).read;
  clock.stop(read_rows);

  clock.start("fold");
  undo_losers(comm, plan, o, facts, ledger);
  const auto used_event = [&](const BillingEvent& e) {
    return !facts.billing_losers.contains(e.ref) && period.contains(e.invoice) && is_enrolled.contains(e.seller);
  };
  clock.stop(ledger.feed(kBilling.name).used + ledger.feed(kUsage.name).used);

  // ---- aggregate: the detail tables, grouped and attributed across ranks -----------------------
  clock.start("aggregate");
  // Each seller is delivered by one rank, chosen now: its groups go there to become rows, so
  // finished rows never move again.
  std::vector<std::string> sellers;
  for (const auto& [seller, folder] : enrolled) sellers.push_back(seller);  // std::map: sorted
  auto sales_parts = facts.partials.take_sales();
  auto line_parts = facts.partials.take_lines();
  auto usage_parts = facts.partials.take_usage();
  const auto owner = assign_sellers(comm, sellers, sales_parts, line_parts, usage_parts);
  SellerRanks seller_ranks;
  for (std::size_t i = 0; i < sellers.size(); ++i) seller_ranks.emplace(sellers[i], owner[i]);
  std::vector<std::string> mixed_sales, mixed_lines;
  auto sales = build_sales_compensation(comm, std::move(sales_parts), dims, seller_ranks, mixed_sales);
  auto disbursed = build_disbursements(comm, std::move(line_parts), facts.partials.take_notes(), dims, seller_ranks, ledger,
                                       mixed_lines);
  auto used = build_usage(comm, std::move(usage_parts), dims, seller_ranks);
  const std::vector<TableUnresolved> unresolved{
      {1, sales.unresolved}, {2, disbursed.unresolved}, {3, used.unresolved}};  // tables as in the ledger
  dims = Dimensions{};
  reject_mixed_currency_rows(comm, plan.files.at(kBilling.name), chunk, mixed_sales, mixed_lines, used_event, ledger);
  clock.stop(static_cast<std::int64_t>(sales.rows.size() + disbursed.rows.size() + used.rows.size()));

  // ---- redistribute by seller: whole sellers per rank, in seller order -------------------------
  clock.start("by-seller");
  // The detail rows are on their seller's rank already (built there).
  std::vector<std::vector<TableRow>> rows(4);
  rows[0] = std::move(sales.rows);
  rows[1] = std::move(disbursed.rows);
  rows[2] = std::move(used.rows);
  sales = {};
  disbursed = {};
  used = {};
  std::vector<SellerEntry> seller_entries;
  for (const auto& s : sellers) seller_entries.push_back(SellerEntry{s, enrolled.at(s), 0});
  // Every detail row of a seller is here now: its buyers table is computed locally.
  rows[3] = build_buyers(rows[0], rows[1], rows[2]);
  std::vector<LocalTable> tables =
      arrange_by_seller(comm, seller_entries, owner, std::move(rows), /*shuffle=*/{false, false, false, false}, {});
  add_rep_tables(tables, territories, reps.sellers, seller_entries, owner, comm.rank());
  std::int64_t local_rows = 0;
  for (const auto& t : tables) local_rows += static_cast<std::int64_t>(t.rows.size());
  if (o.inject_failure == "lose-row" && !tables[0].rows.empty()) {
    // Tests only: lose one delivered row on every rank that has one; the balance must catch it.
    const std::string seller = tables[0].rows.back().seller;
    tables[0].rows.pop_back();
    for (auto& entry : tables[0].sellers) entry.rows -= entry.seller == seller ? 1 : 0;
  }
  count_amounts_out(tables, ledger);
  clock.stop(local_rows);

  // ---- store: all ranks write one HDF5 file together -------------------------------------------
  clock.start("store");
  const std::string store_name = run_name + ".h5";
  StoreAttributes attrs;
  attrs.cadence = period.cadence;
  attrs.period = period.label;
  attrs.job_version = kJobVersion;
  attrs.input_digest = plan.input_digest;
  attrs.schema_version = kSchemaVersion;
  write_store(comm, staging + "/store/" + store_name, attrs, tables);
  // The store reaches the disk while the deliveries render; it is synced before publication.
  if (comm.is_root()) start_writeback(staging + "/store/" + store_name);
  clock.stop(local_rows);

  // ---- export: each rank renders the deliveries of its sellers --------------------------------
  clock.start("export");
  const auto written = export_tables(staging, period, tables, kJobVersion);
  if (comm.is_root()) sync_file(staging + "/store/" + store_name);  // synced before anything is published
  clock.stop(static_cast<std::int64_t>(tables[0].sellers.size()), "sellers");

  // ---- record: rejects, counters, balance ------------------------------------------------------
  clock.start("record");
  std::vector<Reject> rejects = ledger.rejects();
  for (const auto& late : ledger.late_rejects()) {
    const auto& file = ledger.files(late.feed).at(static_cast<std::size_t>(late.ref.file));
    rejects.push_back(Reject{late.feed, file.display, late.reason, raw_text(file, late.ref), late.ref.line});
  }
  RunFacts run_facts;
  run_facts.job_version = kJobVersion;
  run_facts.cadence = period.cadence;
  run_facts.period = period.label;
  run_facts.input_digest = plan.input_digest;
  run_facts.ranks = comm.size();
  run_facts.sellers_with_rep_tables = reps.sellers.size();
  run_facts.rule_errors = reps.rule_errors;
  run_facts.rejects = mpi::gather_items(comm, rejects);
  std::vector<NamedCounts> named;
  for (const auto& [feed, c] : ledger.feeds()) named.push_back(NamedCounts{feed, c});
  run_facts.counts = mpi::gather_items(comm, named);
  RankTimings mine{comm.rank(), {}, {}};
  for (const auto& [phase, s] : clock.timings()) {
    mine.phases.push_back(phase);
    mine.seconds.push_back(s);
  }
  run_facts.timings = mpi::gather_items(comm, std::vector<RankTimings>{mine});
  run_facts.amounts = mpi::gather_items(comm, ledger.amounts());
  run_facts.unresolved = mpi::gather_items(comm, unresolved);
  const std::int64_t delivered = comm.sum(static_cast<std::int64_t>(tables[0].sellers.size()));
  run_facts.sellers_delivered = delivered;
  const auto rejected = static_cast<std::int64_t>(run_facts.rejects.size());
  on_root(comm, [&] {
    const RunRecord record = make_run_record(std::move(run_facts));
    write_file(staging + "/run/rejects.csv", record.rejects_csv);
    write_file(staging + "/run/report.json", record.report_json);
    // The reject limit: above it the run fails and publishes nothing.
    if (record.rows_read > 0 &&
        static_cast<double>(record.rows_rejected) > o.max_reject_fraction * static_cast<double>(record.rows_read)) {
      fail(ExitCode::bad_input, std::to_string(record.rows_rejected) + " of " + std::to_string(record.rows_read) +
                                    " input rows were rejected, above --max-reject-fraction " +
                                    fraction_text(o.max_reject_fraction) +
                                    "; nothing was published (rejects: " + staging + "/run/rejects.csv)");
    }
    if (!record.balanced)
      fail(ExitCode::internal, "the run does not balance (rows read != used + rejected + outside the period + not "
                               "enrolled + superseded, or amounts in != excluded + delivered); see " + staging +
                               "/run/report.json");
    return std::vector<char>{};
  });
  clock.stop(rejected, "rejects");

  // ---- publish: only once every rank has succeeded ---------------------------------------------
  const std::string deliveries = o.out + "/deliveries";
  const std::string run_dir = o.out + "/runs/" + run_name;
  const std::string store_path = o.out + "/store/" + store_name;
  clock.start("publish");
  const HoldStopSignalsToExit hold_stop_signals;
  clock.stall_if_asked("publishing");
  // What could stop the store and the run record from moving in is done or checked before the
  // first delivery moves: a failed run publishes nothing.
  on_root(comm, [&] {
    make_dirs(o.out + "/store");
    make_dirs(run_dir);
    // HDF5 creates the file with the process umask: the store is as confidential as a delivery.
    if (::chmod((staging + "/store/" + store_name).c_str(), 0640) != 0)
      fail(ExitCode::io_failure, "cannot set the mode of " + staging + "/store/" + store_name);
    for (const auto& target : {store_path, run_dir + "/rejects.csv", run_dir + "/report.json"})
      if (fs::is_directory(target))
        fail(ExitCode::io_failure, "cannot publish " + target + ": a folder is in its place; nothing was published");
    // The deliveries move in first: a store or run record that could not follow them (their
    // folder on another file system, or not writable) must fail the run now, not after.
    check_rename_target(staging + "/store", o.out + "/store");
    check_rename_target(staging + "/run", run_dir);
    // Every rank has read all it reads (the record's gathers came after the last re-read).
    for (const auto& [feed, files] : plan.files)
      for (const auto& f : files)
        if (const auto grew = changed_since_plan(f, chunk))  // a warning, not progress: --quiet keeps it
          std::fprintf(stderr, "[buyer-attribution] %s\n", grew->c_str());
    return std::vector<char>{};
  });
  publish_deliveries(comm, o.out, period, written);
  on_root(comm, [&] {
    rename_path(staging + "/store/" + store_name, store_path);
    rename_path(staging + "/run/rejects.csv", run_dir + "/rejects.csv");
    rename_path(staging + "/run/report.json", run_dir + "/report.json");
    fsync_dir(run_dir);
    fsync_dir(o.out + "/store");
    remove_tree(staging);
    return std::vector<char>{};
  });
  clock.stop(static_cast<std::int64_t>(written.size()), "files");
  return JobResult{store_path, deliveries, run_dir + "/report.json", delivered,
                   std::make_shared<const std::vector<LocalTable>>(std::move(tables))};
}


JobResult run_reexport(const mpi::Comm& comm, const JobOptions& o, const std::string& store_path) {
  if (o.out.empty()) fail(ExitCode::bad_arguments, "--out is required");
  on_root(comm, [&] {
    if (!fs::is_regular_file(store_path)) fail(ExitCode::bad_arguments, "--store " + store_path + " is not a file");
    return std::vector<char>{};
  });
  PhaseClock clock(comm, o.progress, o.inject_failure);
  clock.start("read-store");
  auto contents = read_store(comm, store_path, deliverable_schemas());
  std::vector<std::vector<SellerEntry>> indexes;  // whole on every rank
  for (const auto& t : contents.tables) indexes.push_back(mpi::allgather_items(comm, t.sellers));
  // The store is an input here: what this build cannot read as it wrote it is bad input, and a
  // seller's folder name must be a 12-digit account, as when it came from the registry. Every
  // rank checks the same attributes and gathered indexes and decides alike: a failure is
  // collective (reported once, no rank aborted).
  Period period;
  try {
    if (contents.attrs.schema_version < kOldestReadableSchemaVersion || contents.attrs.schema_version > kSchemaVersion ||
        contents.attrs.amount_scale != kMicrosPerUnit)
      fail(ExitCode::bad_input, "--store " + store_path + " has schema_version " +
                                    std::to_string(contents.attrs.schema_version) + " and amount_scale " +
                                    std::to_string(contents.attrs.amount_scale) + "; this job reads schema_version " +
                                    std::to_string(kOldestReadableSchemaVersion) + " to " +
                                    std::to_string(kSchemaVersion) + " with amount_scale " + std::to_string(kMicrosPerUnit));
    check_store_sellers(store_path, indexes);
    try {
      period = make_period(contents.attrs.cadence, contents.attrs.period);
    } catch (const Failure& f) {
      fail(ExitCode::bad_input, "--store " + store_path + " has cadence '" + contents.attrs.cadence +
                                    "' and period '" + contents.attrs.period + "': " + f.what());
    }
    // A --period given with --stage export says which period the operator means: a store of
    // another one is a slip (a path of the wrong run), not a period to re-publish in its place.
    if (!o.period.empty() && (o.period != period.label || o.cadence != period.cadence))
      fail(ExitCode::bad_arguments, "--store " + store_path + " holds " + period.cadence + " " + period.label +
                                        ", not the --cadence " + o.cadence + " --period " + o.period + " given");
  } catch (const Failure& f) {
    throw Failure(f.code(), f.what(), /*collective=*/true);
  }
  std::int64_t read_rows = 0;
  for (const auto& t : contents.tables) read_rows += static_cast<std::int64_t>(t.rows.size());
  clock.stop(read_rows);

  clock.start("by-seller");
  // The index of the first table lists every seller of the run, with or without rows.
  const auto& sellers = indexes[0];
  std::vector<std::int64_t> weight(sellers.size(), 1);
  {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < sellers.size(); ++i) index[sellers[i].seller] = i;
    for (const auto& t : contents.tables)
      for (const auto& r : t.rows) weight[index.at(r.seller)] += 1;
    weight = comm.sum(weight);
  }
  std::vector<std::string> names;
  for (const auto& s : sellers) names.push_back(s.seller);
  const auto owner = assign_by_weight(comm.size(), weight);
  std::vector<std::vector<TableRow>> rows;
  for (auto& t : contents.tables) rows.push_back(std::move(t.rows));
  std::set<std::string> rep_sellers;  // the sellers the store has representative tables for
  for (const auto& entry : indexes[kBuyersTables]) rep_sellers.insert(entry.seller);
  const std::vector<bool> shuffle(rows.size(), true);
  auto tables = arrange_by_seller(comm, sellers, owner, std::move(rows), shuffle,
                                        {nullptr, nullptr, nullptr, nullptr, &rep_sellers, &rep_sellers});
  clock.stop(read_rows);

  const std::string run_name = period.name();
  std::unique_ptr<PeriodLock> lock;
  const std::string staging = open_staging(comm, o.out, run_name, lock);
  clock.start("export");
  const auto written = export_tables(staging, period, tables, contents.attrs.job_version);
  clock.stop(static_cast<std::int64_t>(tables[0].sellers.size()), "sellers");
  // As in run_job: the progress line tells an operator when stop signals are held back.
  clock.start("publish");
  const HoldStopSignalsToExit hold_stop_signals;
  clock.stall_if_asked("publishing");
  publish_deliveries(comm, o.out, period, written);
  on_root(comm, [&] {
    remove_tree(staging);
    return std::vector<char>{};
  });
  clock.stop(static_cast<std::int64_t>(written.size()), "files");
  const std::int64_t delivered = comm.sum(static_cast<std::int64_t>(tables[0].sellers.size()));
  return JobResult{store_path, o.out + "/deliveries", "", delivered,
                   std::make_shared<const std::vector<LocalTable>>(std::move(tables))};
}

}  // namespace ba
