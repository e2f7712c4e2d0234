#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

#include "aggregate/attribution.hpp"
#include "aggregate/detail_tables.hpp"
#include "model/dimension.hpp"
#include "model/winners.hpp"
#include "tables/schemas.hpp"

using namespace ba;

namespace {
Instant at(const char* text) { return parse_instant(text).value(); }

AccountRow account(std::string key, const char* valid_from, const char* updated, std::string aws, bool deleted = false,
                   std::int64_t line = 0) {
  AccountRow r;
  r.key = std::move(key);
  r.version = Version{at(valid_from), at(updated), deleted};
  r.attrs.aws_account_id = std::move(aws);
  r.ref.line = line;
  r.ref.offset = line;
  return r;
}

// `count` keys "<prefix><i>" that rank 1 of 2 owns (every stable_hash odd: the pattern that
// crowds an index keyed by the low bits of the hash), and the keys skipped on the way.
struct KeysOfOneRank {
  std::vector<std::string> held, absent;
};
KeysOfOneRank keys_of_rank_one(const std::string& prefix, std::size_t count) {
  KeysOfOneRank keys;
  for (int i = 0; keys.held.size() < count; ++i) {
    std::string key = prefix + std::to_string(i);
    (owner_of(key, 2) == 1 ? keys.held : keys.absent).push_back(std::move(key));
  }
  return keys;
}
}  // namespace

TEST(Dimension, AsOfFollowsVersionsAndTheFirstVersionGrace) {
  Dimension<AccountAttrs> d;
  FeedCounts c;
  d.build({account("a", "2026-10-10T00:00:00Z", "2026-10-10T00:00:00Z", "000000000001"),
           account("a", "2026-10-20T00:00:00Z", "2026-10-20T00:00:00Z", "000000000002")},
          c);
  EXPECT_EQ(d.as_of("a", at("2026-10-09T00:00:00Z"))->aws_account_id, "000000000001");  // 24 h grace
  EXPECT_EQ(d.as_of("a", at("2026-10-08T23:59:59Z")), nullptr);                         // before the grace
  EXPECT_EQ(d.as_of("a", at("2026-10-19T23:59:59Z"))->aws_account_id, "000000000001");
  EXPECT_EQ(d.as_of("a", at("2026-10-20T00:00:00Z"))->aws_account_id, "000000000002");
  EXPECT_EQ(d.as_of("b", at("2026-10-20T00:00:00Z")), nullptr);
  EXPECT_EQ(d.latest("a")->aws_account_id, "000000000002");
  EXPECT_EQ(c.used, 2);
}

TEST(Dimension, CorrectionsReplaceAndDeletionsRemoveAVersion) {
  Dimension<AccountAttrs> d;
  FeedCounts c;
  d.build({account("a", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z", "000000000001"),
           account("a", "2026-10-01T00:00:00Z", "2026-10-05T00:00:00Z", "000000000009"),  // correction
           account("a", "2026-10-15T00:00:00Z", "2026-10-15T00:00:00Z", "000000000002"),
           account("a", "2026-10-15T00:00:00Z", "2026-10-16T00:00:00Z", "000000000002", true)},  // deleted
          c);
  EXPECT_EQ(d.as_of("a", at("2026-10-02T00:00:00Z"))->aws_account_id, "000000000009");
  EXPECT_EQ(d.as_of("a", at("2026-10-20T00:00:00Z"))->aws_account_id, "000000000009");  // deleted version gone
  EXPECT_EQ(d.latest("a")->aws_account_id, "000000000009");
  EXPECT_EQ(c.superseded, 2);
  EXPECT_EQ(c.used, 2);
}

TEST(Dimension, VersionsAreTheSurvivingOnesInValidFromOrder) {
  Dimension<AccountAttrs> d;
  FeedCounts c;
  d.build({account("a", "2026-10-20T00:00:00Z", "2026-10-20T00:00:00Z", "000000000002"),
           account("a", "2026-10-10T00:00:00Z", "2026-10-10T00:00:00Z", "000000000001"),
           account("a", "2026-10-15T00:00:00Z", "2026-10-15T00:00:00Z", "000000000009"),
           account("a", "2026-10-15T00:00:00Z", "2026-10-16T00:00:00Z", "000000000009", true),  // deleted
           account("gone", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z", "000000000003"),
           account("gone", "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "000000000003", true)},
          c);
  const auto* v = d.versions("a");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].valid_from, at("2026-10-10T00:00:00Z"));
  EXPECT_EQ((*v)[0].attrs.aws_account_id, "000000000001");
  EXPECT_EQ((*v)[1].valid_from, at("2026-10-20T00:00:00Z"));
  EXPECT_EQ(d.versions("gone"), nullptr);  // every version deleted: the key does not resolve
  EXPECT_EQ(d.versions("b"), nullptr);
}

TEST(Dimension, ManyKeysOfOneRankResolveAndOthersDoNot) {
  const auto [held, absent] = keys_of_rank_one("acc-", 20'000);
  std::vector<AccountRow> rows;
  for (const auto& key : held) {
    const int i = std::stoi(key.substr(4));
    // Two versions for every third key, the later one deleted for every seventh.
    rows.push_back(account(key, "2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z", std::to_string(i)));
    if (i % 3 == 0)
      rows.push_back(account(key, "2026-10-10T00:00:00Z", "2026-10-10T00:00:00Z", "v" + std::to_string(i), i % 7 == 0));
  }
  Dimension<AccountAttrs> d;
  FeedCounts c;
  d.build(rows, c);
  EXPECT_EQ(d.keys(), held.size());
  for (const auto& key : held) {
    const int i = std::stoi(key.substr(4));
    const auto* versions = d.versions(key);
    ASSERT_NE(versions, nullptr) << key;
    EXPECT_EQ(versions->size(), i % 3 == 0 && i % 7 != 0 ? 2u : 1u) << key;
    EXPECT_EQ(d.latest(key)->aws_account_id, i % 3 == 0 && i % 7 != 0 ? "v" + std::to_string(i) : std::to_string(i));
  }
  for (const auto& key : absent) EXPECT_EQ(d.versions(key), nullptr) << key;
}

// The rules of semantics.md computed the plain way, against the build on random rows: per key and
// (valid_from, tag), the row with the greatest update_date wins, on a tie the row read last; a
// winner that is a deletion removes the version. Keys share their first 16 bytes or differ only
// by trailing NULs (what the build's sort holds of a key), and dates collide often.
TEST(Dimension, BuildMatchesTheRulesOnRandomRows) {
  std::mt19937 random(11);
  const std::vector<std::string> keys{"acc-b000000000001", "acc-b000000000001x", "acc-b000000000002", "acc-b0000000000",
                                      "acc-b0000000000" + std::string(1, '\0'), "a", "a" + std::string(2, '\0'), "b", ""};
  const std::vector<std::string> days{"2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "2026-10-03T00:00:00Z"};
  for (int round = 0; round < 20; ++round) {
    std::vector<AccountRow> rows;
    for (int i = 0; i < 300; ++i) {
      AccountRow r = account(keys[random() % keys.size()], days[random() % days.size()].c_str(),
                             days[random() % days.size()].c_str(), std::string("v").append(std::to_string(i)),
                             random() % 5 == 0, i);
      r.ref.file = static_cast<std::int32_t>(random() % 2);
      r.ref.offset = static_cast<std::int64_t>(random() % 50) * 1000 + i;  // distinct, in no order of i
      rows.push_back(r);
    }
    // The reference: the winner of each (key, valid_from).
    std::map<std::pair<std::string, Instant>, const AccountRow*> winner;
    for (const auto& r : rows) {
      const AccountRow*& w = winner[{r.key, r.version.valid_from}];
      if (w == nullptr || std::tie(r.version.updated, r.ref.file, r.ref.offset) > std::tie(w->version.updated, w->ref.file, w->ref.offset))
        w = &r;
    }
    std::map<std::string, std::vector<std::pair<Instant, std::string>>> want;  // surviving versions in order
    for (const auto& [key_at, w] : winner)
      if (!w->version.deleted) want[key_at.first].emplace_back(key_at.second, w->attrs.aws_account_id);

    Dimension<AccountAttrs> d;
    FeedCounts counts;
    d.build(rows, counts);
    EXPECT_EQ(counts.used, static_cast<std::int64_t>(winner.size())) << round;
    EXPECT_EQ(counts.superseded, static_cast<std::int64_t>(rows.size() - winner.size())) << round;
    EXPECT_EQ(d.keys(), want.size()) << round;
    for (const auto& key : keys) {
      const auto* got = d.versions(key);
      const auto it = want.find(key);
      ASSERT_EQ(got != nullptr, it != want.end()) << round << " key of " << key.size() << " bytes";
      if (!got) continue;
      std::vector<std::pair<Instant, std::string>> versions;
      for (const auto& h : *got) versions.emplace_back(h.valid_from, h.attrs.aws_account_id);
      EXPECT_EQ(versions, it->second) << round << " key of " << key.size() << " bytes";
    }
  }
}

TEST(Dimension, AsOfAVersionListKeepsTheFirstVersionGraceOnly) {
  using Held = Dimension<AccountAttrs>::Held;
  const Instant first = at("2026-10-10T12:00:00Z"), second = at("2026-10-20T00:00:00Z");
  const std::vector<Held> v{Held{first, 0, AccountAttrs{"000000000001", "m1"}},
                            Held{second, 0, AccountAttrs{"000000000002", "m2"}}};
  using D = Dimension<AccountAttrs>;
  EXPECT_EQ(D::as_of(v, first - kSecondsPerDay)->aws_account_id, "000000000001");  // grace starts here
  EXPECT_EQ(D::as_of(v, first - kSecondsPerDay - 1), nullptr);
  EXPECT_EQ(D::as_of(v, first)->aws_account_id, "000000000001");
  EXPECT_EQ(D::as_of(v, second - 1)->aws_account_id, "000000000001");  // no grace for a later version
  EXPECT_EQ(D::as_of(v, second)->aws_account_id, "000000000002");
  EXPECT_EQ(D::as_of(v, second + 400 * kSecondsPerDay)->aws_account_id, "000000000002");  // the last holds on
  EXPECT_EQ(D::as_of(std::vector<Held>{}, first), nullptr);
}

TEST(Dimension, AsOfAKeyAndAsOfItsShippedVersionsAgree) {
  Dimension<AccountAttrs> d;
  FeedCounts c;
  d.build({account("a", "2026-10-10T00:00:00Z", "2026-10-10T00:00:00Z", "000000000001"),
           account("a", "2026-10-12T00:00:00Z", "2026-10-12T00:00:00Z", "000000000002"),
           account("a", "2026-10-12T00:00:00Z", "2026-10-13T00:00:00Z", "000000000002", true),
           account("a", "2026-10-14T00:00:00Z", "2026-10-14T00:00:00Z", "000000000004")},
          c);
  // The versions round-trip the encoding attribution ships them with.
  std::vector<char> bytes;
  encode(*d.versions("a"), bytes);
  std::vector<Dimension<AccountAttrs>::Held> shipped;
  ByteReader reader(bytes.data(), bytes.size());
  reader.get(shipped);
  ASSERT_EQ(shipped.size(), 2u);
  for (Instant t = at("2026-10-08T00:00:00Z"); t <= at("2026-10-16T00:00:00Z"); t += 3600) {
    const auto* local = d.as_of("a", t);
    const auto* remote = Dimension<AccountAttrs>::as_of(shipped, t);
    ASSERT_EQ(local == nullptr, remote == nullptr) << t;
    if (local) {
      EXPECT_EQ(local->aws_account_id, remote->aws_account_id) << t;
    }
  }
  // The deleted version's days belong to the version before it.
  EXPECT_EQ(d.as_of("a", at("2026-10-13T00:00:00Z"))->aws_account_id, "000000000001");
}

TEST(Dimension, LatestOfferIsGreatestValidFromThenRevision) {
  Dimension<OfferAttrs> d;
  FeedCounts c;
  auto offer = [](const char* vf, std::int64_t rev, std::string name) {
    OfferRow r;
    r.key = "o";
    r.version = Version{at(vf), at(vf), false};
    r.attrs = OfferAttrs{rev, std::move(name)};
    return r;
  };
  d.build({offer("2026-10-01T00:00:00Z", 3, "r3"), offer("2026-10-01T00:00:00Z", 10, "r10"),
           offer("2026-09-01T00:00:00Z", 99, "old")},
          c);
  EXPECT_EQ(d.latest("o")->opportunity_name, "r10");  // 10 > 3 as numbers
}

TEST(Winners, FirstReadAndLatestUpdate) {
  auto cand = [](std::string key, std::int64_t updated, std::int32_t file, std::int64_t offset) {
    Candidate c;
    c.hash = stable_hash(key);
    c.key = std::move(key);
    c.updated = updated;
    c.ref.file = file;
    c.ref.offset = offset;
    return c;
  };
  const std::vector<Candidate> cs{cand("k", 5, 0, 100), cand("k", 9, 0, 50), cand("j", 1, 1, 0), cand("k", 9, 1, 0)};
  EXPECT_EQ(pick_winners(cs, Prefer::first_read), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(pick_winners(cs, Prefer::latest_update), (std::vector<bool>{false, false, true, true}));
  // Equal hashes, different keys: both win.
  auto a = cand("a", 1, 0, 0), b = cand("b", 1, 0, 1);
  b.hash = a.hash;
  EXPECT_EQ(pick_winners({a, b}, Prefer::first_read), (std::vector<bool>{true, true}));
}

TEST(Attribution, EmailDomainIsTheLowerCasedPartAfterTheLastAt) {
  EXPECT_EQ(email_domain_of("Sales@Example.COM"), "example.com");
  EXPECT_EQ(email_domain_of("a@b@Corp.IO"), "corp.io");
  EXPECT_EQ(email_domain_of("Example.org"), "example.org");
  EXPECT_EQ(email_domain_of(""), "");
}

TEST(Attribution, AddressOfAnotherAccountIsNotApplied) {
  AddressAttrs other;
  other.aws_account_id = "000000000002";
  other.company_name = "Other";
  other.email_domain = "Sales@Other.COM";
  reduce_to_email_domain(other.email_domain);
  EXPECT_EQ(other.email_domain, "other.com");
  reduce_to_email_domain(other.email_domain);  // idempotent
  EXPECT_EQ(other.email_domain, "other.com");
  Resolved r;
  r.buyer.customer_aws_account_id = "000000000001";
  apply_address(r, other);
  EXPECT_EQ(r.buyer.company_name, "");
  other.aws_account_id = "000000000001";
  apply_address(r, other);
  EXPECT_EQ(r.buyer.company_name, "Other");
  EXPECT_EQ(r.buyer.email_domain, "other.com");
}

namespace {
// A detail row of `schema` with the cells the buyers table reads.
TableRow detail_row(const TableSchema& schema, const char* date_col, const char* amount_col, std::string payer,
                    std::string currency, std::string date, Micros amount, std::string product, std::string company) {
  std::vector<Cell> cells(schema.columns.size());
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    const auto& name = schema.columns[c].name;
    if (name == "currency") cells[c].text = currency;
    if (name == date_col) cells[c].text = date;
    if (name == amount_col) cells[c].number = amount;
    if (name == "company_name") cells[c].text = company;
  }
  return TableRow::from_cells("s", cells, payer, product);
}
}  // namespace

TEST(Buyers, SumsPerPayerAndCurrencyAndPicksTheMostRecentRow) {
  const auto sale = [](std::string payer, std::string cur, std::string date, Micros amount, std::string product,
                       std::string company) {
    return detail_row(sales_compensation_schema(), "invoice_date", "net_revenue", std::move(payer), std::move(cur),
                      std::move(date), amount, std::move(product), std::move(company));
  };
  const std::vector<TableRow> sales{sale("p", "USD", "2026-10-03", 100, "prod-1", "Old"),
                                    sale("p", "EUR", "2026-10-05", 5, "", "Euro"),
                                    sale("", "USD", "2026-10-05", 9, "prod-1", "NoPayer")};
  const std::vector<TableRow> payouts{detail_row(disbursements_schema(), "disbursement_date", "net_amount", "p", "USD",
                                                 "2026-10-09", -40, "prod-1", "Payout")};
  const std::vector<TableRow> usage{detail_row(usage_schema(), "usage_date", "estimated_revenue", "p", "USD",
                                               "2026-10-09", 7, "prod-2", "Usage")};
  const auto rows = build_buyers(sales, payouts, usage);
  ASSERT_EQ(rows.size(), 3u);
  const auto find = [&](const std::string& payer, const std::string& currency) {
    for (const auto& r : rows)
      if (r.text(7) == payer && r.text(8) == currency) return r.unpack(buyers_schema());
    ADD_FAILURE() << "no buyers row for " << payer << " " << currency;
    return rows[0].unpack(buyers_schema());
  };
  const auto usd = find("p", "USD");
  EXPECT_EQ(usd[1].text, "Payout");  // same day as the usage row: table 2 before 3
  EXPECT_EQ(usd[7].text, "p");
  EXPECT_EQ(usd[9].text, "2026-10-03");
  EXPECT_EQ(usd[10].text, "2026-10-09");
  EXPECT_EQ(usd[11].number, 100);
  EXPECT_EQ(usd[12].number, -40);
  EXPECT_EQ(usd[13].number, 7);
  EXPECT_EQ(usd[14].number, 1);
  EXPECT_EQ(usd[15].number, 2);
  EXPECT_EQ(find("p", "EUR")[15].number, 0);  // empty product ids are not products
  EXPECT_EQ(find("", "USD")[1].text, "");    // no payer: no buyer columns
}

// Products counted once each, whichever table and order they come in, past the few a buyer keeps
// inline: 9 distinct products over 40 rows, repeats early and late.
TEST(Buyers, CountsEachDistinctProductOnceHoweverManyThereAre) {
  std::vector<TableRow> sales, usage;
  for (int i = 0; i < 40; ++i) {
    const std::string product = "prod-" + std::to_string((i * 7) % 9);  // every one of 0..8, in a scrambled order
    sales.push_back(detail_row(sales_compensation_schema(), "invoice_date", "net_revenue", "p", "USD", "2026-10-03", 1,
                               product, "C"));
    if (i % 5 == 0)
      usage.push_back(detail_row(usage_schema(), "usage_date", "estimated_revenue", "p", "USD", "2026-10-04", 1,
                                 "prod-" + std::to_string(i % 4), "C"));
  }
  usage.push_back(detail_row(usage_schema(), "usage_date", "estimated_revenue", "q", "USD", "2026-10-04", 1, "prod-1",
                             "C"));
  // Exactly as many as are kept inline ("r": 3), and one more that sorts before them ("t": 4).
  for (const char* product : {"prod-5", "prod-7", "prod-6", "prod-7", "prod-5", "prod-6"})
    sales.push_back(detail_row(sales_compensation_schema(), "invoice_date", "net_revenue", "r", "USD", "2026-10-03", 1,
                               product, "C"));
  for (const char* product : {"prod-5", "prod-7", "prod-6", "prod-7", "prod-0", "prod-6", "prod-0"})
    sales.push_back(detail_row(sales_compensation_schema(), "invoice_date", "net_revenue", "t", "USD", "2026-10-03", 1,
                               product, "C"));
  const auto rows = build_buyers(sales, {}, usage);
  ASSERT_EQ(rows.size(), 4u);
  const std::map<std::string, std::int64_t> expected{{"p", 9}, {"q", 1}, {"r", 3}, {"t", 4}};
  for (const auto& r : rows)
    EXPECT_EQ(r.unpack(buyers_schema())[15].number, expected.at(std::string(r.text(7)))) << r.text(7);
}

namespace {
struct AsView {
  std::string_view key;
  std::int32_t origin = 0;
  BA_FIELDS(key, origin)
};
struct AsString {
  std::string key;
  std::int32_t origin = 0;
  BA_FIELDS(key, origin)
};
}  // namespace

TEST(Bytes, AStringViewTravelsAsAStringAndDecodesAsAViewIntoTheBuffer) {
  const std::string text("a,\0b", 4);
  std::vector<char> from_view, from_string;
  encode(AsView{text, 3}, from_view);
  encode(AsString{text, 3}, from_string);
  EXPECT_EQ(from_view, from_string);  // the same bytes on the wire
  AsView back;
  ByteReader reader(from_view.data(), from_view.size());
  reader.get(back);
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(back.key, text);
  EXPECT_EQ(back.origin, 3);
  EXPECT_GE(back.key.data(), from_view.data());  // no copy: it points into the buffer
  EXPECT_LT(back.key.data(), from_view.data() + from_view.size());
  ByteReader truncated(from_view.data(), 6);
  EXPECT_THROW(truncated.get(back), Failure);
}

TEST(Errors, EnsureNamesTheBrokenInvariant) {
  EXPECT_NO_THROW(ensure(true, "never shown"));
  try {
    ensure(false, "a literal invariant of over fifteen characters");
    FAIL() << "ensure(false) returned";
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::internal);
    EXPECT_STREQ(f.what(), "internal error: a literal invariant of over fifteen characters");
  }
  EXPECT_THROW(ensure(false, std::string("composed ") + "text"), Failure);
}

TEST(LookupAnswers, EveryKeyAnswersItsOwnBytesAndOthersTheMissingAnswer) {
  // Answers of every length.
  LookupAnswers answers(std::string("none"));
  const auto [held, absent] = keys_of_rank_one("addr-", 20'000);
  for (const auto& key : held) {
    const int i = std::stoi(key.substr(5));
    answers.add(key, std::string(static_cast<std::size_t>(i % 150), static_cast<char>('a' + i % 26)));
  }
  EXPECT_EQ(answers.keys(), held.size());
  const auto bytes_of = [](const std::string& value) {
    std::vector<char> out;
    encode(value, out);
    return std::string(out.begin(), out.end());
  };
  for (const auto& key : held) {
    const int i = std::stoi(key.substr(5));
    const std::uint64_t hash = LookupAnswers::index_hash(key);
    answers.prefetch(hash, 2);  // only hints: the answer after them is the same
    answers.prefetch(hash, 1);
    EXPECT_EQ(answers.answer(key, hash),
              bytes_of(std::string(static_cast<std::size_t>(i % 150), static_cast<char>('a' + i % 26))))
        << key;
  }
  for (const auto& key : absent) EXPECT_EQ(answers.answer(key), bytes_of("none")) << key;
  EXPECT_THROW(answers.add(held.front(), std::string("again")), Failure);
}

TEST(LookupAnswers, AddressAnswersCarryTheEmailDomainOnly) {
  Dimension<AddressAttrs> d;
  FeedCounts c;
  AddressRow r;
  r.key = "addr-1";
  r.version = Version{at("2026-10-01T00:00:00Z"), at("2026-10-01T00:00:00Z"), false};
  r.attrs.aws_account_id = "000000000001";
  r.attrs.email_domain = "Jane.Doe@Example.COM";
  r.attrs.company_name = "Acme";
  d.build({r}, c);
  const LookupAnswers answers = address_answers(d);
  const std::string_view bytes = answers.answer("addr-1");
  Found<AddressAttrs> found;
  ByteReader reader(bytes.data(), bytes.size());
  reader.get(found);
  EXPECT_TRUE(reader.done());
  EXPECT_TRUE(found.found);
  EXPECT_EQ(found.attrs.email_domain, "example.com");
  EXPECT_EQ(found.attrs.company_name, "Acme");
  const std::string_view none = answers.answer("addr-2");
  ByteReader missing(none.data(), none.size());
  missing.get(found);
  EXPECT_FALSE(found.found);
}

TEST(LookupAnswers, DimensionsNotYetLoadedAnswerNoneForEveryKey) {
  const Dimensions dims;
  const auto decoded = [](std::string_view bytes, auto& value) {
    ByteReader reader(bytes.data(), bytes.size());
    reader.get(value);
    return reader.done();
  };
  std::vector<Dimension<AccountAttrs>::Held> versions{{}};
  EXPECT_TRUE(decoded(dims.accounts.answer("acc-1"), versions));
  EXPECT_TRUE(versions.empty());
  Found<AddressAttrs> address{true, {}};
  EXPECT_TRUE(decoded(dims.addresses.answer("addr-1"), address));
  EXPECT_FALSE(address.found);
  Found<ProductAttrs> product{true, {}};
  EXPECT_TRUE(decoded(dims.products.answer("prod-1"), product));
  EXPECT_FALSE(product.found);
  Found<OfferAttrs> offer{true, {}};
  EXPECT_TRUE(decoded(dims.offers.answer("offer-1"), offer));
  EXPECT_FALSE(offer.found);
}
