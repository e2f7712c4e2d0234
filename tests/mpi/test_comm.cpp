// The MPI layer and the collective stages, at whatever rank count mpiexec started.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "aggregate/attribution.hpp"
#include "ingest/feed_reader.hpp"
#include "model/winners.hpp"
#include "mpi/comm.hpp"
#include "pipeline/on_root.hpp"

using namespace ba;

namespace {

struct Item {
  std::int64_t value = 0;
  std::string text;
  BA_FIELDS(value, text)
};

// A shared temp folder: rank 0 names it, everyone uses it.
std::string shared_dir(const mpi::Comm& comm, const std::string& tag) {
  std::string dir;
  if (comm.is_root()) {
    dir = (std::filesystem::temp_directory_path() / ("ba-mpi-" + tag + "-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);
  }
  comm.broadcast(dir);
  return dir;
}

}  // namespace

TEST(Comm, ReductionsAndScans) {
  mpi::Comm comm;
  const std::int64_t p = comm.size();
  EXPECT_EQ(comm.sum(comm.rank() + 1), p * (p + 1) / 2);
  EXPECT_EQ(comm.max(comm.rank()), p - 1);
  EXPECT_EQ(comm.exclusive_prefix_sum(1), comm.rank());
  EXPECT_EQ(comm.exclusive_prefix_sum(std::vector<std::int64_t>{2, 3}),
            (std::vector<std::int64_t>{2 * comm.rank(), 3 * comm.rank()}));
  EXPECT_TRUE(comm.all(true));
  EXPECT_FALSE(comm.all(comm.rank() != p - 1));
}

TEST(Comm, ShuffleInTinyRoundsGivesTheSameItems) {
  mpi::Comm big;
  mpi::Comm tiny;
  tiny.set_round_bytes(3);  // every message crosses many rounds, split inside records
  std::vector<Item> items;
  for (int i = 0; i < 200; ++i) items.push_back(Item{big.rank() * 1000 + i, std::string(static_cast<std::size_t>(i % 17), 'x')});
  const auto dest = [&](const Item& it) { return static_cast<int>(it.value % big.size()); };
  const auto a = mpi::shuffle(big, items, dest);
  const auto b = mpi::shuffle(tiny, items, dest);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].value, b[i].value);
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ(a[i].value % big.size(), big.rank());
  }
  EXPECT_EQ(big.sum(static_cast<std::int64_t>(a.size())), 200 * big.size());
}

TEST(Comm, ExchangeInOneRoundOrManyDeliversExactlyWhatWasSent) {
  // What rank `from` sends rank `to` in pass `pass`: some pairs send nothing.
  const auto message = [](int from, int to, int pass) {
    std::vector<char> bytes(static_cast<std::size_t>((from + 2 * to + pass) % 4 * 5));
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + (from * 7 + to * 3 + pass + static_cast<int>(i)) % 26);
    return bytes;
  };
  for (const std::int64_t round : {std::int64_t{64} << 20, std::int64_t{4}}) {  // one round, then many
    mpi::Comm comm;
    comm.set_round_bytes(round);
    for (int pass = 0; pass < 3; ++pass) {
      std::vector<std::vector<char>> outgoing;
      for (int to = 0; to < comm.size(); ++to) outgoing.push_back(message(comm.rank(), to, pass));
      const std::vector<char> received = comm.exchange(outgoing);
      std::vector<char> expected;
      for (int from = 0; from < comm.size(); ++from) {
        const auto bytes = message(from, comm.rank(), pass);
        expected.insert(expected.end(), bytes.begin(), bytes.end());
      }
      EXPECT_EQ(std::string(received.begin(), received.end()), std::string(expected.begin(), expected.end()))
          << "round " << round << ", pass " << pass;
    }
  }
}

TEST(Comm, StreamedShuffleInTinyRoundsDeliversEveryItemOnce) {
  mpi::Comm big;
  mpi::Comm tiny;
  tiny.set_round_bytes(40);  // a few items per round; the longest items are larger than a round
  const auto make = [&] {
    std::vector<Item> items;
    for (int i = 0; i < 300; ++i)
      items.push_back(Item{big.rank() * 1000 + i, std::string(static_cast<std::size_t>(i % 7 == 0 ? 90 : i % 17), 'y')});
    if (big.rank() == 1) items.clear();  // a rank with nothing to send still receives
    return items;
  };
  const auto dest = [&](const Item& it) { return static_cast<int>((it.value / 3) % big.size()); };
  std::vector<Item> for_big = make(), for_tiny = make();
  auto a = mpi::shuffle(big, std::move(for_big), dest);
  auto b = mpi::shuffle(tiny, std::move(for_tiny), dest);
  EXPECT_TRUE(for_tiny.empty());
  const auto by_value = [](const Item& x, const Item& y) { return x.value < y.value; };
  std::sort(a.begin(), a.end(), by_value);
  std::sort(b.begin(), b.end(), by_value);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].value, b[i].value);
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ((b[i].value / 3) % big.size(), big.rank());
    EXPECT_EQ(b[i].text.size(), static_cast<std::size_t>((b[i].value % 1000) % 7 == 0 ? 90 : (b[i].value % 1000) % 17));
  }
  const std::int64_t senders = big.size() > 1 ? big.size() - 1 : 1;
  EXPECT_EQ(big.sum(static_cast<std::int64_t>(b.size())), 300 * senders);
}

TEST(Comm, GatherAndAllgatherKeepRankOrder) {
  mpi::Comm comm;
  const auto all = mpi::allgather_items(comm, std::vector<Item>{Item{comm.rank(), "r"}});
  ASSERT_EQ(static_cast<int>(all.size()), comm.size());
  for (int r = 0; r < comm.size(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)].value, r);
  const auto gathered = mpi::gather_items(comm, std::vector<Item>(static_cast<std::size_t>(comm.rank()), Item{7, "g"}));
  if (comm.is_root()) {
    EXPECT_EQ(static_cast<std::int64_t>(gathered.size()), comm.size() * (comm.size() - 1) / 2);
  } else {
    EXPECT_TRUE(gathered.empty());
  }
}

TEST(Winners, DuplicatesAcrossRanksKeepTheFirstRead) {
  mpi::Comm comm;
  // Every rank holds a copy of key "dup" at a different offset; rank 0's is the first read.
  const std::vector<std::string> keys{"dup", "own-" + std::to_string(comm.rank())};
  std::vector<RowRef> refs(2);
  refs[0].offset = 100 + comm.rank();
  refs[1].offset = 5;
  const std::vector<std::uint64_t> hashes{stable_hash(keys[0]), stable_hash(keys[1])};
  const auto wins = select_winners(comm, hashes, {0, 0}, refs, Prefer::first_read,
                                   [&](std::size_t i) { return keys[i]; });
  EXPECT_EQ(wins[0], comm.rank() == 0);
  EXPECT_TRUE(wins[1]);
}

TEST(Winners, HashCollisionsAreResolvedByTheFullKeys) {
  mpi::Comm comm;
  // Every row has the same hash; only rows with equal full keys are duplicates.
  const std::vector<std::string> keys{"k-" + std::to_string(comm.rank()), "shared"};
  std::vector<RowRef> refs(2);
  refs[0].offset = 1;
  refs[1].offset = 10 + comm.rank();
  std::int64_t asked = 0;
  const auto wins = select_winners(comm, {42, 42}, {5, 5 + comm.rank()}, refs, Prefer::latest_update, [&](std::size_t i) {
    ++asked;
    return keys[i];
  });
  EXPECT_TRUE(wins[0]);                               // distinct key: wins despite the shared hash
  EXPECT_EQ(wins[1], comm.rank() == comm.size() - 1);  // latest update of "shared" wins
  EXPECT_EQ(comm.sum(asked), 2 * comm.size());  // every row shares the hash: every key is asked for
}

// Thousands of rows per rank over a few hundred keys, with hashes cut down so that distinct keys
// collide in every 16-bit digit the hashes are sorted by: the flags are those pick_winners gives
// to all rows of all ranks at once (the serial answer), for both preferences.
TEST(Winners, ManyRowsAndCollisionsGiveTheSerialAnswer) {
  mpi::Comm comm;
  std::mt19937_64 random(1234 + static_cast<std::uint64_t>(comm.rank()));
  const std::size_t rows = 3000 + 500 * static_cast<std::size_t>(comm.rank());
  std::vector<std::string> keys(rows);
  std::vector<std::uint64_t> hashes(rows);
  std::vector<std::int64_t> updated(rows);
  std::vector<RowRef> refs(rows);
  std::vector<Candidate> mine(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    keys[i] = "key-" + std::to_string(random() % 400);
    hashes[i] = stable_hash(keys[i]) & 0x8001'0003'0100'F000ULL;  // 5 bits: 32 hashes for 400 keys
    updated[i] = static_cast<std::int64_t>(random() % 50);
    refs[i].file = static_cast<std::int32_t>(random() % 3);
    refs[i].offset = static_cast<std::int64_t>(i) * comm.size() + comm.rank();  // unique across ranks
    mine[i] = Candidate{hashes[i], keys[i], updated[i], RowRef{refs[i].file, refs[i].offset, 0, 0}, comm.rank(),
                        static_cast<std::int64_t>(i)};
  }
  const auto all = mpi::allgather_items(comm, mine);
  for (const Prefer prefer : {Prefer::first_read, Prefer::latest_update}) {
    const auto serial = pick_winners(all, prefer);
    std::vector<bool> expected;
    for (std::size_t k = 0; k < all.size(); ++k)
      if (all[k].origin == comm.rank()) expected.push_back(serial[k]);
    const auto wins = select_winners(comm, hashes, updated, refs, prefer, [&](std::size_t i) { return keys[i]; });
    EXPECT_EQ(wins, expected) << "prefer " << static_cast<int>(prefer);
    EXPECT_LT(std::count(wins.begin(), wins.end(), true), static_cast<std::ptrdiff_t>(rows));  // duplicates lost
  }
}

TEST(FeedReader, EveryChunkSizeReadsTheSerialRecords) {
  mpi::Comm comm;
  const std::string dir = shared_dir(comm, "reader");
  std::vector<FeedFile> files;
  if (comm.is_root()) {
    for (int f = 0; f < 3; ++f) {
      std::string content = "id,\"name\"\r\n";
      for (int i = 0; i < 40 * (f + 1); ++i)
        content += std::to_string(f * 1000 + i) + (i % 3 == 0 ? ",\"multi\nline, \"\"quoted\"\"\"\r\n" : ",plain\n");
      if (f == 1) content = "id,name\n";  // a header-only file in the middle
      const std::string path = dir + "/f" + std::to_string(f) + ".csv";
      std::ofstream(path, std::ios::binary) << content;
      files.push_back(FeedFile{path, "f" + std::to_string(f) + ".csv", static_cast<std::int64_t>(content.size())});
    }
  }
  std::vector<char> bytes;
  for (const auto& f : files) encode(f, bytes);
  comm.broadcast(bytes);
  files = decode_all<FeedFile>(bytes);

  std::int64_t reference = -1;
  for (std::size_t chunk : {1u, 5u, 64u, 1u << 20}) {
    std::vector<std::int64_t> ids;
    std::int64_t bad = 0;
    read_feed(
        comm, files, chunk, [](std::size_t, const Header& h) { EXPECT_EQ(h.names.size(), 2u); },
        [&](const RawRecord& raw) {
          if (raw.status != csv::FieldStatus::ok || raw.fields->size() != 2) ++bad;
          ids.push_back(std::stoll(std::string((*raw.fields)[0])));
        });
    EXPECT_EQ(bad, 0);
    // Every id exactly once across ranks: count and checksum.
    std::int64_t sum = 0;
    for (auto id : ids) sum += id;
    const std::int64_t total = comm.sum(static_cast<std::int64_t>(ids.size()));
    EXPECT_EQ(total, 40 + 120) << "chunk " << chunk;
    const std::int64_t checksum = comm.sum(sum);
    if (reference < 0) reference = checksum;
    EXPECT_EQ(checksum, reference) << "chunk " << chunk;
  }
  comm.barrier();
  if (comm.is_root()) std::filesystem::remove_all(dir);
}

TEST(Attribution, LookupJoinsResolveAsOfTheInstantAndCheckTheAddressOwner) {
  mpi::Comm comm;
  // Every rank builds the dimensions from the same rows and keeps the keys it owns.
  const auto at = [](const char* t) { return parse_instant(t).value(); };
  FeedCounts counts;
  Dimensions dims;
  Dimension<AccountAttrs> account_dimension;
  Dimension<AddressAttrs> address_dimension;
  std::vector<AccountRow> accounts;
  for (const auto& [key, from, aws, mailing] :
       std::vector<std::tuple<std::string, const char*, std::string, std::string>>{
           {"payer", "2026-01-01T00:00:00Z", "000000000001", "addr-old"},
           {"payer", "2026-10-16T00:00:00Z", "000000000001", "addr-new"},
           {"user", "2026-10-20T00:00:00Z", "000000000009", ""}}) {
    AccountRow r;
    r.key = key;
    r.version = Version{at(from), at(from), false};
    r.attrs = AccountAttrs{aws, mailing};
    if (owner_of(r.key, comm.size()) == comm.rank()) accounts.push_back(r);
  }
  account_dimension.build(accounts, counts);
  dims.accounts = account_answers(account_dimension);
  std::vector<AddressRow> addresses;
  for (const auto& [key, aws, company] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"addr-old", "000000000001", "Old Co"}, {"addr-new", "000000000001", "New Co"},
           {"addr-foreign", "000000000002", "Foreign"}}) {
    AddressRow r;
    r.key = key;
    r.version = Version{at("2020-01-01T00:00:00Z"), at("2020-01-01T00:00:00Z"), false};
    r.attrs.aws_account_id = aws;
    r.attrs.company_name = company;
    if (owner_of(r.key, comm.size()) == comm.rank()) addresses.push_back(r);
  }
  address_dimension.build(addresses, counts);
  dims.addresses = address_answers(address_dimension);

  // Each rank asks about the same items: the answers must not depend on who owns what.
  std::vector<Attribution> items(4);
  items[0] = Attribution{"payer", "user", "", "", "", at("2026-10-10T00:00:00Z")};              // old mailing address
  items[1] = Attribution{"payer", "user", "", "", "", at("2026-10-20T00:00:00Z")};              // new one, user resolved
  items[2] = Attribution{"payer", "", "", "", "addr-foreign", at("2026-10-20T00:00:00Z")};     // another account's address
  items[3] = Attribution{"AWS", "", "", "", "", at("2026-10-20T00:00:00Z")};                    // no payer
  std::vector<const Attribution*> pointers;
  for (const auto& a : items) pointers.push_back(&a);
  const Attributed attributed = attribute_items(comm, pointers, dims, false);
  const auto& r = attributed.items;
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].buyer.company_name, "Old Co");
  EXPECT_EQ(r[0].end_customer_aws_account_id, "");  // user's first version starts 10 days later
  EXPECT_EQ(r[1].buyer.company_name, "New Co");
  EXPECT_EQ(r[1].end_customer_aws_account_id, "000000000009");
  EXPECT_EQ(r[2].buyer.customer_aws_account_id, "000000000001");
  EXPECT_EQ(r[2].buyer.company_name, "");
  EXPECT_EQ(r[3].buyer.customer_aws_account_id, "");
}

TEST(OnRoot, TheRootsPayloadOrFailureReachesEveryRank) {
  mpi::Comm comm;
  // Success: the payload is the root's, on every rank; fn runs on the root only.
  int calls = 0;
  const auto payload = on_root(comm, [&] {
    ++calls;
    return std::vector<char>{'o', 'k', '\0', 'x'};
  });
  EXPECT_EQ(payload, (std::vector<char>{'o', 'k', '\0', 'x'}));
  EXPECT_EQ(calls, comm.is_root() ? 1 : 0);

  // A failure on the root is the same collective Failure everywhere, whatever its bytes.
  const std::vector<std::string> messages = {"", "cannot publish /x: a folder is in its place", "\xc3\xa9t\xe9 \xff",
                                             std::string(100000, 'm')};
  for (const auto& message : messages)
    for (const auto code : {ExitCode::bad_input, ExitCode::io_failure, ExitCode::internal}) {
      try {
        on_root(comm, [&]() -> std::vector<char> { fail(code, message); });
        ADD_FAILURE() << "no failure on rank " << comm.rank();
      } catch (const Failure& f) {
        EXPECT_EQ(f.code(), code);
        EXPECT_EQ(std::string(f.what()), message);
        EXPECT_TRUE(f.collective());
      }
    }

  // A file system error on the root (a folder that cannot be listed) is an I/O failure.
  try {
    on_root(comm, []() -> std::vector<char> {
      throw std::filesystem::filesystem_error("cannot list", std::make_error_code(std::errc::permission_denied));
    });
    ADD_FAILURE() << "no failure on rank " << comm.rank();
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::io_failure);
    EXPECT_NE(std::string(f.what()).find("cannot list"), std::string::npos) << f.what();
    EXPECT_TRUE(f.collective());
  }
}
