// buyer-attribution: the command line. Parses options (command line and --config file), runs the
// job on every rank, and turns any failure on any rank into one exit code for the whole job.
#include <boost/program_options.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/memory.hpp"
#include "common/version.hpp"
#include "mpi/comm.hpp"
#include "export/verify.hpp"
#include "ingest/feed_files.hpp"
#include "pipeline/job.hpp"

namespace po = boost::program_options;

namespace {

// "64M", "512K", "1G" or plain bytes, at most `largest`.
std::int64_t parse_size(const std::string& option, const std::string& text, std::int64_t largest) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (...) {
    used = 0;
  }
  std::int64_t scale = 1;
  const std::string suffix = used == 0 ? text : text.substr(used);
  if (suffix == "K" || suffix == "k") scale = 1 << 10;
  else if (suffix == "M" || suffix == "m") scale = 1 << 20;
  else if (suffix == "G" || suffix == "g") scale = 1 << 30;
  else if (!suffix.empty() || used == 0) scale = 0;
  if (scale == 0 || value <= 0)
    ba::fail(ba::ExitCode::bad_arguments, "--" + option + " '" + text + "' is not a positive size (bytes, or with K, M, G)");
  if (value > largest / scale)  // also keeps value * scale from overflowing
    ba::fail(ba::ExitCode::bad_arguments,
             "--" + option + " '" + text + "' is larger than " +
                 (largest % (std::int64_t{1} << 30) == 0 ? std::to_string(largest >> 30) + "G"
                                                          : std::to_string(largest >> 20) + "M") +
                 ", the most it may be");
  return value * scale;
}

// Stores the --config file's options one line at a time, so that an error names the file and
// its line (boost's parser names neither). Command-line options, stored before, win.
void store_config_file(const std::string& path, const po::options_description& options, po::variables_map& vm) {
  std::ifstream in(path);
  if (!in) ba::fail(ba::ExitCode::bad_arguments, "--config " + path + ": cannot open the file");
  std::map<std::string, int> first_line;  // option -> the line that set it
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string at = "--config " + path + ": line " + std::to_string(number) + ": ";
    const auto text = line.find_first_not_of(" \t");
    if (text != std::string::npos && line[text] == '[')
      ba::fail(ba::ExitCode::bad_arguments, at + "sections are not used; write name = value lines only");
    try {
      std::istringstream one(line);
      const auto parsed = po::parse_config_file(one, options);
      for (const auto& option : parsed.options) {
        // boost takes an empty switch (`quiet =`) for true; like an empty `direct-io =` or
        // `chunk-size =`, it is a mistake, not a choice.
        const auto* described = options.find_nothrow(option.string_key, false);
        if (described && described->semantic()->max_tokens() == 0 && option.value.size() == 1 && option.value[0].empty())
          ba::fail(ba::ExitCode::bad_arguments, at + option.string_key + " has no value: write " + option.string_key +
                                                    " = true or " + option.string_key + " = false");
        if (const auto [it, fresh] = first_line.emplace(option.string_key, number); !fresh)
          ba::fail(ba::ExitCode::bad_arguments,
                   at + option.string_key + " is set again (first on line " + std::to_string(it->second) + ")");
      }
      po::store(parsed, vm);
    } catch (const po::error& e) {
      ba::fail(ba::ExitCode::bad_arguments, at + e.what());
    }
  }
  // A folder opens but cannot be read: without this its options would be none, silently.
  if (in.bad()) ba::fail(ba::ExitCode::bad_arguments, "--config " + path + ": cannot read the file");
}

const char* kExitCodes =
    "Exit status:\n"
    "  0  success: deliveries, store and run record published\n"
    "  2  bad arguments or configuration file\n"
    "  3  bad input: missing feed or column, or rejects above --max-reject-fraction (nothing published)\n"
    "  4  I/O failure: cannot read, write, sync or rename (nothing published)\n"
    "  5  internal error: a broken invariant such as the run balance (nothing published)\n"
    "  6  another run of the same period holds its lock\n"
    "  7  verify: the deliveries do not match their manifests\n";

// verify's arguments, in its usage line and in the job's.
const char* kVerifyArguments = "--out DIR [--cadence monthly|daily --period YYYY-MM|YYYY-MM-DD]";

const char* kVerifyExitCodes =
    "Exit status:\n"
    "  0  every file matches its manifest, or the period's run record says no seller was delivered\n"
    "  2  bad arguments: no --out folder, --cadence without --period, a misspelt cadence or period; no\n"
    "     deliveries folder (unless the period's run record says how many sellers were delivered)\n"
    "  4  I/O failure: a data file a manifest lists cannot be read (an unreadable manifest is a\n"
    "     problem: 7)\n"
    "  7  the deliveries do not match their manifests, or are gone while the run record says\n"
    "     sellers were delivered, or the sellers with a manifest are not those the run's store lists\n"
    "     (each problem on standard error)\n";

// Whether the command line asks for --help (or -h), or --version, whatever else is on it: the
// option is looked for alone, every other option let through unchecked, so that no mistake
// elsewhere on the command line, and no --config file (not read then), keeps it from answering.
// Long options are spelt in full: boost would take an unambiguous prefix (`--ou` for `--out`),
// which a script reading the same command line (slurm/lib.sh) would not see, and which an option
// added later could make ambiguous under a scheduled job.
constexpr int kCommandLineStyle = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

bool asks_for(int argc, char** argv, const char* option, const std::string& key) {
  po::options_description only;
  only.add_options()(option, "");
  try {
    const auto parsed = po::command_line_parser(argc, argv).style(kCommandLineStyle).options(only).allow_unregistered().run();
    for (const auto& o : parsed.options)
      if (o.string_key == key) return true;
  } catch (const po::error&) {
    // A word boost cannot take even as an unknown option (`--out=`, an empty variable after the
    // '='): the option is then looked for as a whole word, before any `--`. `--help=x` is not a
    // request; the full parse says what is wrong.
    const std::string names(option), long_name = "--" + key;
    const auto comma = names.find(',');
    const std::string short_name = comma == std::string::npos ? "" : "-" + names.substr(comma + 1);
    for (int i = 1; i < argc && std::string(argv[i]) != "--"; ++i)
      if (argv[i] == long_name || (!short_name.empty() && argv[i] == short_name)) return true;
  }
  return false;
}
bool asks_for_help(int argc, char** argv) { return asks_for(argc, argv, "help,h", "help"); }

// --version, for the job and for verify alike.
bool answered_version(int argc, char** argv, const ba::mpi::Comm& comm) {
  if (!asks_for(argc, argv, "version", "version")) return false;
  if (comm.is_root()) std::cout << "buyer-attribution " << ba::kJobVersion << "\n";
  return true;
}

// The command line's options; a word that is no option's value (`--period 2026-10 2026-11`) is
// an error naming it, not silently dropped.
void store_command_line(int argc, char** argv, const po::options_description& options, const std::string& help,
                        po::variables_map& vm) {
  po::options_description with_words;
  with_words.add(options).add_options()("unexpected-words", po::value<std::vector<std::string>>(), "");
  po::positional_options_description words;
  words.add("unexpected-words", -1);
  auto parsed = po::command_line_parser(argc, argv).style(kCommandLineStyle).options(with_words).positional(words).run();
  for (const auto& option : parsed.options)
    if (option.string_key == "unexpected-words" && option.position_key < 0)  // typed, not a stray word
      ba::fail(ba::ExitCode::bad_arguments, "unrecognised option '" + option.original_tokens.front() + "' (see " + help + ")");
    else if (option.string_key == "unexpected-words" && !option.value.empty())
      ba::fail(ba::ExitCode::bad_arguments, "unexpected '" + option.value.front() +
                                                "' on the command line: every value follows its option, as in "
                                                "--period 2026-10 (see " + help + ")");
  po::store(parsed, vm);  // while `with_words`, which `parsed` points to, lives
}

// "1 file", "2 files".
std::string counted(std::int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// Where the deliveries went: none when no seller was enrolled for the whole period (the run
// then makes no deliveries folder, and naming one would send the operator to look for it).
std::string deliveries_line(const ba::JobResult& result, const std::string& also = "") {
  if (result.sellers_delivered == 0) return "deliveries: none (no seller enrolled for the whole period" + also + ")\n";
  return "deliveries: " + result.deliveries_root + " (" + counted(result.sellers_delivered, "seller") + also + ")\n";
}

// buyer-attribution verify --out DIR [--cadence monthly|daily --period YYYY-MM|YYYY-MM-DD]
int verify(int argc, char** argv, const ba::mpi::Comm& comm) {
  std::string out, cadence, period;
  po::options_description opts(
      "verify: re-checks each manifest against its folder and file name (seller, cadence, period, the four tables at\n"
      "their delivery paths, job version, confidentiality notice), every file it lists (size, SHA-256, rows,\n"
      "control totals), that a manifest lists every data file of the period (of any period, without --period),\n"
      "and that the sellers with a manifest are those the run's store (OUT/store/<cadence>-<period>.h5) lists");
  opts.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the job version and exit")
      ("out", po::value(&out)->value_name("DIR"), "the job's output root")
      ("cadence", po::value(&cadence)->value_name("monthly|daily"), "only the manifests of this cadence and --period")
      ("period", po::value(&period)->value_name("YYYY-MM|YYYY-MM-DD"), "the period to check: a month for monthly, a day for daily (with --cadence)");
  if (asks_for_help(argc, argv)) {
    if (comm.is_root()) std::cout << "Usage: buyer-attribution verify " << kVerifyArguments << "\n\n" << opts << "\n" << kVerifyExitCodes;
    return 0;
  }
  if (answered_version(argc, argv, comm)) return 0;
  po::variables_map vm;
  try {
    store_command_line(argc, argv, opts, "verify --help", vm);
    po::notify(vm);
  } catch (const po::error& e) {
    ba::fail(ba::ExitCode::bad_arguments, std::string(e.what()) + " (see verify --help)");
  }
  if (out.empty()) ba::fail(ba::ExitCode::bad_arguments, "verify needs --out DIR");
  if (cadence.empty() != period.empty()) ba::fail(ba::ExitCode::bad_arguments, "verify: give --cadence and --period together");
  // A misspelt period is a bad argument, not a delivery without a manifest.
  std::optional<ba::Period> only;
  if (!cadence.empty()) only = ba::make_period(cadence, period);
  if (!comm.is_root()) return 0;  // a file check: rank 0 does it
  const auto report = ba::verify_deliveries(out, only);
  for (const auto& p : report.problems) std::cerr << "verify: " << p << "\n";
  if (report.problems.empty() && !report.nothing_to_check.empty())
    std::cout << "verify: nothing to check: " << report.nothing_to_check << "\n";
  else
    std::cout << "verify: " << counted(report.manifests, "manifest") << ", " << counted(report.files, "file") << ", "
              << counted(static_cast<std::int64_t>(report.problems.size()), "problem") << "\n";
  return report.problems.empty() ? 0 : static_cast<int>(ba::ExitCode::verify_mismatch);
}

// After a successful run: ends MPI and the process without freeing the job's tables one by one
// (millions of allocations: most of a second); the system takes the memory back at once. Every
// file the job wrote is closed and synced by then, and its lock released.
[[noreturn]] void exit_without_freeing() {
  std::cout.flush();
  std::fflush(nullptr);
  ba::mpi::finalize();
  std::_Exit(0);
}

// --inject-failure is for tests only, but a misspelt phase would let a test pass without
// failing anything: only the phases and forms of the stage that runs are taken (a re-export has
// no `read` phase, a run from the feeds no `read-store`).
void check_injection(const std::string& inject, const std::string& stage) {
  if (inject.empty()) return;
  static const std::regex kInjection(
      "(stall:)?(plan|read|fold|aggregate|by-seller|store|export|record|publish|publishing|exit|read-store)(@[0-9]+)?");
  std::smatch parts;
  if (inject != "lose-row" &&
      (!std::regex_match(inject, parts, kInjection) || (parts[1].matched && !parts[3].matched) ||
       ((parts[2] == "publishing" || parts[2] == "exit") && !parts[1].matched)))
    ba::fail(ba::ExitCode::bad_arguments,
             "--inject-failure '" + inject + "' is not PHASE, PHASE@RANK, stall:PHASE@RANK, stall:publishing@RANK, stall:exit@RANK or lose-row");
  // The phases both stages have; `read-store` is the re-export's alone, the others the full run's.
  const std::string phase = inject == "lose-row" ? inject : parts[2].str();
  static const std::regex kEitherStage("by-seller|export|publish|publishing|exit");
  const bool reexport_only = phase == "read-store";
  if (!std::regex_match(phase, kEitherStage) && reexport_only != (stage == "export"))
    ba::fail(ba::ExitCode::bad_arguments,
             "--inject-failure '" + inject + "': --stage " + stage + " has no " + phase + " to fail");
}

int run(int argc, char** argv, const ba::mpi::Comm& comm) {
  if (argc > 1 && std::string(argv[1]) == "verify") return verify(argc - 1, argv + 1, comm);
  std::string chunk = "8M", round = "64M", config, stage = "all", store, direct_io = "on";
  ba::JobOptions options;
  po::options_description job("Job options (every one may also be set in the --config file as name = value)");
  job.add_options()
      ("feeds", po::value(&options.feeds)->value_name("DIR"), "FEEDS_ROOT: the marketplace feeds (billing_event_v1/, daily_usage_v1/, account_v1/, address_v1/, product_v1/, offer_v1/, enrollment/)")
      ("out", po::value(&options.out)->value_name("DIR"), "output root: store/, deliveries/, runs/ are written under it")
      ("cadence", po::value(&options.cadence)->value_name("monthly|daily")->default_value("monthly"), "monthly (a calendar month) or daily (one UTC day)")
      ("period", po::value(&options.period)->value_name("YYYY-MM|YYYY-MM-DD"), "the period to process: a month for monthly, a day for daily")
      ("max-reject-fraction", po::value(&options.max_reject_fraction)->value_name("F")->default_value(0.01, "0.01"), "fail (and publish nothing) when more than this fraction of the input rows is rejected")
      ("chunk-size", po::value(&chunk)->value_name("N")->default_value("8M"), "bytes each rank reads at a time (K, M, G suffixes; at most 1G)")
      ("round-size", po::value(&round)->value_name("N")->default_value("64M"), "largest message between two ranks in one shuffle round (K, M, G suffixes; at most 1G)")
      ("direct-io", po::value(&direct_io)->value_name("on|off")->default_value("on"), "on: the store's rows and delivery files of 256 KiB and more bypass the page cache (O_DIRECT) where the file system allows it; off: everything goes through the page cache")
      ("stage", po::value(&stage)->value_name("all|export")->default_value("all"), "all: read the feeds and publish everything; export: write the deliveries of --store again (no feeds read)")
      ("store", po::value(&store)->value_name("FILE"), "the store to export from (with --stage export)")
      ("allow-open-period", po::bool_switch(&options.allow_open_period), "run a period that has not ended yet (refused otherwise: its feeds cannot be complete); for previews and tests")
      ("quiet", po::bool_switch(), "no progress lines on standard error")
      ("inject-failure", po::value(&options.inject_failure)->value_name("PHASE[@RANK]"), "tests only: fail on purpose when PHASE starts (on RANK, or on every rank)");
  po::options_description generic("General");
  generic.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the job version and exit")
      ("config", po::value(&config)->value_name("FILE"), "read options from an INI-style file (command-line options win)");
  po::options_description all;
  all.add(job).add(generic);

  if (asks_for_help(argc, argv)) {
    if (comm.is_root())
      std::cout << "Usage: mpirun -np N buyer-attribution --feeds DIR --out DIR --cadence monthly --period YYYY-MM\n\n"
                   "Turns a period of marketplace billing events and usage records into per-seller buyer\n"
                   "attribution tables (one HDF5 store) and delivery files for every enrolled seller.\n\n"
                   "       buyer-attribution --stage export --store OUT/store/monthly-2026-10.h5 --out DIR\n"
                   "       buyer-attribution verify "
                << kVerifyArguments << "\n\n"
                << all << "\n" << kExitCodes;
    return 0;
  }
  if (answered_version(argc, argv, comm)) return 0;
  po::variables_map vm;
  try {
    store_command_line(argc, argv, all, "--help", vm);
    if (vm.count("config")) store_config_file(vm["config"].as<std::string>(), job, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    ba::fail(ba::ExitCode::bad_arguments, std::string(e.what()) + " (see --help)");
  }
  if (options.out.empty()) ba::fail(ba::ExitCode::bad_arguments, "--out DIR is required (see --help)");
  if (stage != "all" && stage != "export")
    ba::fail(ba::ExitCode::bad_arguments, "--stage '" + stage + "' is not one of: all, export");
  if (direct_io != "on" && direct_io != "off")
    ba::fail(ba::ExitCode::bad_arguments, "--direct-io '" + direct_io + "' is not one of: on, off");
  ba::allow_direct_io(direct_io == "on");
  check_injection(options.inject_failure, stage);
  if (stage == "export") {
    if (store.empty()) ba::fail(ba::ExitCode::bad_arguments, "--stage export needs --store FILE");
    options.progress = !vm["quiet"].as<bool>();
    ba::mpi::Comm job_comm;
    const auto result = ba::run_reexport(job_comm, options, store);
    if (comm.is_root())
      std::cout << deliveries_line(result, ", from " + store);
    ba::stall_if_injected(options.inject_failure, "exit", comm.rank());
    exit_without_freeing();
  }
  if (options.feeds.empty()) ba::fail(ba::ExitCode::bad_arguments, "--feeds DIR is required (see --help)");
  if (options.period.empty()) ba::fail(ba::ExitCode::bad_arguments, "--period is required (see --help)");
  if (!(options.max_reject_fraction >= 0.0 && options.max_reject_fraction <= 1.0))
    ba::fail(ba::ExitCode::bad_arguments,
             "--max-reject-fraction " + ba::fraction_text(options.max_reject_fraction) + " is not between 0 and 1");
  options.chunk_bytes = parse_size("chunk-size", chunk, std::int64_t{1} << 30);
  options.round_bytes = parse_size("round-size", round, std::int64_t{1} << 30);
  options.progress = !vm["quiet"].as<bool>();

  ba::mpi::Comm job_comm;
  job_comm.set_round_bytes(options.round_bytes);
  const auto result = ba::run_job(job_comm, options);
  if (comm.is_root())
    std::cout << deliveries_line(result) << "store:      " << result.store_path << "\n"
              << "run record: " << result.report_path << "\n";
  ba::stall_if_injected(options.inject_failure, "exit", comm.rank());
  exit_without_freeing();
}

}  // namespace

int main(int argc, char** argv) {
  ba::start_again_with_huge_page_heap(argv);  // returns only when it does not start again
  ba::keep_freed_memory_for_reuse();  // before MPI allocates anything
  ba::mpi::Environment environment(argc, argv);
  ba::mpi::Comm comm;
  try {
    return run(argc, argv, comm);
  } catch (const ba::Failure& f) {
    // Argument errors and root-agreed failures happen on every rank at once: report once, exit.
    const bool collective = f.collective() || f.code() == ba::ExitCode::bad_arguments;
    if (!collective || comm.is_root()) {
      std::fprintf(stderr, "buyer-attribution: error: %s\n", f.what());
      std::fflush(stderr);
    }
    // Otherwise other ranks may be waiting in a collective: end them all with this code.
    if (!collective && comm.size() > 1) MPI_Abort(MPI_COMM_WORLD, static_cast<int>(f.code()));
    return static_cast<int>(f.code());
  } catch (const std::filesystem::filesystem_error& e) {
    // A file system call that throws (a folder that cannot be listed) is an I/O failure, not a
    // broken invariant; on one rank only, so the others are ended as for any one-rank failure.
    std::fprintf(stderr, "buyer-attribution: error: %s\n", e.what());
    std::fflush(stderr);
    if (comm.size() > 1) MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ba::ExitCode::io_failure));
    return static_cast<int>(ba::ExitCode::io_failure);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "buyer-attribution: error: internal error: %s\n", e.what());
    std::fflush(stderr);
    if (comm.size() > 1) MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ba::ExitCode::internal));
    return static_cast<int>(ba::ExitCode::internal);
  }
}
