#include "aggregate/attribution.hpp"

#include <cstdint>
#include <limits>
#include <string_view>

#include "common/group_index.hpp"

namespace ba {

namespace {

// A lookup key on the wire, viewed where it lies (the asking side's keys, the received bytes).
struct Ask {
  std::string_view key;
  std::int32_t origin = 0;
  BA_FIELDS(key, origin)
};

constexpr std::uint32_t kNoKey = std::numeric_limits<std::uint32_t>::max();

// The distinct keys of one lookup in first-seen order, as views into strings that outlive it
// (the items, or their Resolved): no string is built per item, and no node is allocated per
// key (a flat index). Each key's stable_hash is kept: it also names the key's owner.
class DistinctKeys {
 public:
  explicit DistinctKeys(std::size_t expected = 0) {
    index_.reserve(expected);
    keys_.reserve(expected);
    hashes_.reserve(expected);
  }
  // The key's position among the distinct keys.
  std::uint32_t add(std::string_view key) { return add(key, stable_hash(key)); }
  std::uint32_t add(std::string_view key, std::uint64_t hash) {
    const std::size_t at = index_.find_or_add(hash, keys_.size(), [&](std::size_t k) { return keys_[k] == key; });
    if (at == keys_.size()) {
      ensure(keys_.size() < kNoKey, "too many distinct lookup keys");
      keys_.push_back(key);
      hashes_.push_back(hash);
    }
    return static_cast<std::uint32_t>(at);
  }
  // Adds key_of(i) for every i < n where it is not empty, in order, and sets at[i] to its
  // position (at[i] is left alone for an empty key). All hashes come first, so that each add
  // can start loading the slot of a later one: the index outgrows the caches.
  template <class KeyOf>
  void add_each(std::size_t n, KeyOf key_of, std::vector<std::uint32_t>& at) {
    struct Pending {
      std::string_view key;
      std::uint64_t hash;
      std::size_t item;
    };
    std::vector<Pending> pending;
    pending.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      if (const std::string_view key = key_of(i); !key.empty()) pending.push_back(Pending{key, stable_hash(key), i});
    constexpr std::size_t kAhead = 16;
    for (std::size_t p = 0; p < pending.size(); ++p) {
      if (p + kAhead < pending.size()) index_.prefetch_slot(pending[p + kAhead].hash);
      at[pending[p].item] = add(pending[p].key, pending[p].hash);
    }
  }
  const std::vector<std::string_view>& keys() const { return keys_; }
  // The rank that owns key k (owner_of, from the kept hash).
  std::size_t owner(std::size_t k, int ranks) const {
    return static_cast<std::size_t>(hashes_[k] % static_cast<std::uint64_t>(ranks));
  }

 private:
  GroupIndex index_;
  std::vector<std::string_view> keys_;
  std::vector<std::uint64_t> hashes_;
};

// Sends each key to the rank that owns it and returns the owner's answer for every key, in the
// order of `keys`. Replies carry no key: each rank answers in the order it was asked, and the
// exchange concatenates in source-rank order, so a reply's position names its key.
template <class Answer>
std::vector<Answer> ask_owners(const mpi::Comm& comm, const DistinctKeys& distinct, const LookupAnswers& owned) {
  const int ranks = comm.size();
  const std::vector<std::string_view>& keys = distinct.keys();
  std::vector<std::vector<char>> outgoing(static_cast<std::size_t>(ranks));
  std::vector<std::vector<std::uint32_t>> asked(static_cast<std::size_t>(ranks));  // positions in `keys`
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::size_t owner = distinct.owner(i, ranks);
    encode(Ask{keys[i], comm.rank()}, outgoing[owner]);
    asked[owner].push_back(static_cast<std::uint32_t>(i));
  }
  std::vector<char> received = comm.exchange(outgoing);
  for (auto& bytes : outgoing) bytes.clear();
  std::vector<Ask> asks;
  std::vector<std::uint64_t> hashes;
  for (ByteReader reader(received.data(), received.size()); !reader.done();) {
    Ask& ask = asks.emplace_back();
    reader.get(ask);
    ensure(ask.origin >= 0 && ask.origin < ranks, "lookup asked from no rank");
    hashes.push_back(LookupAnswers::index_hash(ask.key));
  }
  // The answers are far larger than the caches and the keys come in no order: each lookup
  // starts loading the slot of the one kAhead steps on, and the answer of the one kAhead / 2 on.
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = 0; i < asks.size(); ++i) {
    if (i + kAhead < asks.size()) owned.prefetch(hashes[i + kAhead], 2);
    if (i + kAhead / 2 < asks.size()) owned.prefetch(hashes[i + kAhead / 2], 1);
    const std::string_view answer = owned.answer(asks[i].key, hashes[i]);
    auto& out = outgoing[static_cast<std::size_t>(asks[i].origin)];
    out.insert(out.end(), answer.begin(), answer.end());
  }
  asks = {};
  received = comm.exchange(outgoing);
  outgoing = {};
  std::vector<Answer> answers(keys.size());
  ByteReader replies(received.data(), received.size());
  for (const auto& positions : asked)
    for (const std::uint32_t p : positions) replies.get(answers[p]);
  ensure(replies.done(), "more lookup replies than keys asked");
  return answers;
}

// The encoding of a Found<Attrs> straight from a dimension's version, without copying the
// attributes first.
template <class Attrs>
struct FoundView {
  const Attrs* attrs = nullptr;
  template <class Visitor>
  void visit_fields(Visitor& visitor) {
    static const Attrs none{};
    const bool found = attrs != nullptr;
    visitor(found, attrs ? *attrs : none);
  }
};

// Answers with the latest surviving version of each key.
template <class Attrs, class Adjust>
LookupAnswers latest_answers(const Dimension<Attrs>& dimension, Adjust adjust) {
  LookupAnswers answers(FoundView<Attrs>{});
  Attrs copy;
  dimension.for_each_key([&](std::string_view key, const std::vector<typename Dimension<Attrs>::Held>& versions) {
    copy = versions.back().attrs;
    adjust(copy);
    answers.add(key, FoundView<Attrs>{&copy});
  });
  return answers;
}

using AccountVersions = std::vector<Dimension<AccountAttrs>::Held>;

}  // namespace

void reduce_to_email_domain(std::string& email) {
  const auto at = email.rfind('@');
  if (at != std::string::npos) email.erase(0, at + 1);
  for (char& c : email)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

std::string email_domain_of(std::string_view value) {
  std::string domain(value);
  reduce_to_email_domain(domain);
  return domain;
}

LookupAnswers account_answers(const Dimension<AccountAttrs>& accounts) {
  LookupAnswers answers(AccountVersions{});
  accounts.for_each_key([&](std::string_view key, const AccountVersions& versions) { answers.add(key, versions); });
  return answers;
}

// The email is reduced here, where the address is held: no full email address crosses ranks.
LookupAnswers address_answers(const Dimension<AddressAttrs>& addresses) {
  return latest_answers(addresses, [](AddressAttrs& a) { reduce_to_email_domain(a.email_domain); });
}

LookupAnswers product_answers(const Dimension<ProductAttrs>& products) {
  return latest_answers(products, [](ProductAttrs&) {});
}

LookupAnswers offer_answers(const Dimension<OfferAttrs>& offers) {
  return latest_answers(offers, [](OfferAttrs&) {});
}

void apply_address(Resolved& r, const AddressAttrs& address) {
  // Only the payer's own address: another account's address leaves the columns empty.
  if (address.aws_account_id != r.buyer.customer_aws_account_id) return;
  r.buyer.company_name = address.company_name;
  r.buyer.email_domain = address.email_domain;
  r.buyer.country_code = address.country_code;
  r.buyer.state_or_region = address.state_or_region;
  r.buyer.city = address.city;
  r.buyer.postal_code = address.postal_code;
}

}  // namespace ba

namespace ba {

Attributed attribute_items(const mpi::Comm& comm, const std::vector<const Attribution*>& items, const Dimensions& dims,
                           bool with_offer) {
  const std::size_t n = items.size();
  Attributed answers;
  std::vector<Resolved>& resolved = answers.items;
  resolved.resize(n);
  // 1. Accounts: the end customer and the payer as of each item's instant. Each distinct
  // account's versions travel once and are resolved here: an account has a few versions but its
  // items have many instants.
  DistinctKeys accounts(n);
  std::vector<std::uint32_t> end_user_at(n, kNoKey), payer_at(n, kNoKey);
  const auto account_key = [](std::string_view id) { return is_partition_key(id) ? id : std::string_view{}; };
  accounts.add_each(n, [&](std::size_t i) { return account_key(items[i]->end_user); }, end_user_at);
  accounts.add_each(n, [&](std::size_t i) { return account_key(items[i]->payer); }, payer_at);
  answers.account_versions = ask_owners<AccountVersions>(comm, accounts, dims.accounts);
  const auto& versions = answers.account_versions;
  DistinctKeys addresses(n);
  std::vector<std::uint32_t> address_at(n, kNoKey);
  for (std::size_t i = 0; i < n; ++i) {
    const Attribution* a = items[i];
    Resolved& out = resolved[i];
    if (end_user_at[i] != kNoKey) {
      if (const auto* r = Dimension<AccountAttrs>::as_of(versions[end_user_at[i]], a->as_of))
        out.end_customer_aws_account_id = r->aws_account_id;
      else
        out.unresolved |= unresolved_account;
    }
    if (payer_at[i] == kNoKey) continue;  // no payer: every buyer column stays empty
    const auto* r = Dimension<AccountAttrs>::as_of(versions[payer_at[i]], a->as_of);
    if (!r) {  // unresolved: ids stay, attributes empty
      out.unresolved |= unresolved_account;
      continue;
    }
    out.buyer.customer_aws_account_id = r->aws_account_id;
    out.address_id = a->billing_address.empty() ? r->mailing_address_id : a->billing_address;
  }
  // resolved is never resized below: the keys may view its address_id.
  addresses.add_each(
      n,
      [&](std::size_t i) {
        const Resolved& r = resolved[i];
        return r.buyer.customer_aws_account_id.empty() ? std::string_view{} : r.address_id;
      },
      address_at);

  // 2. The chosen address, latest version, used only when it is the payer's own.
  answers.addresses = ask_owners<Found<AddressAttrs>>(comm, addresses, dims.addresses);
  const auto& address_found = answers.addresses;
  for (std::size_t i = 0; i < n; ++i)
    if (address_at[i] != kNoKey) {
      if (const auto& r = address_found[address_at[i]]; r.found)
        apply_address(resolved[i], r.attrs);  // another account's address is known, not unresolved
      else
        resolved[i].unresolved |= unresolved_address;
    }

  // 3. Product and offer, latest versions (few distinct keys: no reservation per item).
  DistinctKeys products, offers;
  std::vector<std::uint32_t> product_at(n, kNoKey), offer_at(with_offer ? n : 0, kNoKey);
  products.add_each(n, [&](std::size_t i) { return std::string_view(items[i]->product); }, product_at);
  if (with_offer) offers.add_each(n, [&](std::size_t i) { return std::string_view(items[i]->offer); }, offer_at);
  answers.products = ask_owners<Found<ProductAttrs>>(comm, products, dims.products);
  const auto& product_found = answers.products;
  if (with_offer)  // the same on every rank: the lookup is skipped everywhere or nowhere
    answers.offers = ask_owners<Found<OfferAttrs>>(comm, offers, dims.offers);
  const auto& offer_found = answers.offers;
  for (std::size_t i = 0; i < n; ++i) {
    if (product_at[i] != kNoKey) {
      if (const auto& r = product_found[product_at[i]]; r.found) {
        resolved[i].product_code = r.attrs.product_code;
        resolved[i].product_title = r.attrs.title;
      } else {
        resolved[i].unresolved |= unresolved_product;
      }
    }
    if (with_offer && offer_at[i] != kNoKey) {
      if (const auto& r = offer_found[offer_at[i]]; r.found)
        resolved[i].opportunity_name = r.attrs.opportunity_name;
      else
        resolved[i].unresolved |= unresolved_offer;
    }
  }
  return answers;
}

}  // namespace ba
