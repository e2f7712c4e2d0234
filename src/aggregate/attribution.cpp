#include "aggregate/attribution.hpp"

#include <unordered_map>
#include <unordered_set>

namespace ba {

namespace {

struct Ask {
  std::string key;
  std::int32_t origin = 0;
  BA_FIELDS(key, origin)
};

template <class Answer>
struct Reply {
  std::string key;
  Answer answer;
  BA_FIELDS(key, answer)
};

// Sends each distinct key to the rank that owns partition_of(key) and returns answer(key) from
// there for every key asked here.
template <class Answer, class PartitionOf, class AnswerFn>
std::unordered_map<std::string, Answer> ask_owners(const mpi::Comm& comm, const std::unordered_set<std::string>& keys,
                                                   PartitionOf partition_of, AnswerFn answer) {
  std::vector<Ask> asks;
  asks.reserve(keys.size());
  for (const auto& k : keys) asks.push_back(Ask{k, comm.rank()});
  const int ranks = comm.size();
  const auto mine = mpi::shuffle(comm, asks, [&](const Ask& a) { return owner_of(partition_of(a.key), ranks); });
  asks = {};
  std::vector<Reply<Answer>> replies;
  std::vector<std::int32_t> to;
  replies.reserve(mine.size());
  for (const auto& a : mine) {
    replies.push_back(Reply<Answer>{a.key, answer(a.key)});
    to.push_back(a.origin);
  }
  // The replies go back to the asking ranks: route by position.
  std::vector<std::vector<char>> outgoing(static_cast<std::size_t>(ranks));
  for (std::size_t i = 0; i < replies.size(); ++i) encode(replies[i], outgoing[static_cast<std::size_t>(to[i])]);
  std::unordered_map<std::string, Answer> answers;
  for (auto& r : decode_all<Reply<Answer>>(comm.exchange(outgoing))) answers.emplace(std::move(r.key), std::move(r.answer));
  return answers;
}

// A dimension lookup's answer: the attributes, if the key resolved.
template <class Attrs>
struct Found {
  bool found = false;
  Attrs attrs;
  BA_FIELDS(found, attrs)
};
template <class Attrs>
Found<Attrs> found_or_not(const Attrs* attrs) {
  return attrs ? Found<Attrs>{true, *attrs} : Found<Attrs>{};
}

// "account_id \x1f instant": an account looked up as of an instant.
std::string as_of_key(const std::string& account, Instant t) { return account + '\x1f' + std::to_string(t); }
std::string_view account_part(const std::string& key) { return std::string_view(key).substr(0, key.rfind('\x1f')); }

}  // namespace

std::string email_domain_of(const std::string& value) {
  const auto at = value.rfind('@');
  std::string domain = at == std::string::npos ? value : value.substr(at + 1);
  for (char& c : domain)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return domain;
}

void apply_address(Resolved& r, const AddressAttrs& address) {
  // Only the payer's own address: another account's address leaves the columns empty.
  if (address.aws_account_id != r.buyer.customer_aws_account_id) return;
  r.buyer.company_name = address.company_name;
  r.buyer.email_domain = email_domain_of(address.email_domain);
  r.buyer.country_code = address.country_code;
  r.buyer.state_or_region = address.state_or_region;
  r.buyer.city = address.city;
  r.buyer.postal_code = address.postal_code;
}

}  // namespace ba

namespace ba {

std::vector<Resolved> attribute_items(const mpi::Comm& comm, const std::vector<const Attribution*>& items,
                                      const Dimensions& dims, bool with_offer) {
  std::vector<Resolved> resolved(items.size());
  // 1. Accounts as of each item's instant: the end customer and the payer.
  std::unordered_set<std::string> account_keys;
  for (const auto* a : items) {
    if (is_partition_key(a->end_user)) account_keys.insert(as_of_key(a->end_user, a->as_of));
    if (is_partition_key(a->payer)) account_keys.insert(as_of_key(a->payer, a->as_of));
  }
  const auto accounts = ask_owners<Found<AccountAttrs>>(
      comm, account_keys, [](const std::string& k) { return std::string(account_part(k)); },
      [&](const std::string& k) {
        const auto sep = k.rfind('\x1f');
        return found_or_not(dims.accounts.as_of(k.substr(0, sep), std::stoll(k.substr(sep + 1))));
      });
  account_keys = {};
  std::unordered_set<std::string> address_keys;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Attribution* a = items[i];
    Resolved& out = resolved[i];
    if (is_partition_key(a->end_user))
      if (const auto& r = accounts.at(as_of_key(a->end_user, a->as_of)); r.found)
        out.end_customer_aws_account_id = r.attrs.aws_account_id;
    if (!is_partition_key(a->payer)) continue;  // no payer: every buyer column stays empty
    const auto& r = accounts.at(as_of_key(a->payer, a->as_of));
    if (!r.found) continue;  // unresolved: ids stay, attributes empty
    out.buyer.customer_aws_account_id = r.attrs.aws_account_id;
    out.address_id = a->billing_address.empty() ? r.attrs.mailing_address_id : a->billing_address;
    if (!out.address_id.empty() && !out.buyer.customer_aws_account_id.empty()) address_keys.insert(out.address_id);
  }

  // 2. The chosen address, latest version, used only when it is the payer's own.
  const auto addresses = ask_owners<Found<AddressAttrs>>(
      comm, address_keys, [](const std::string& k) { return k; },
      [&](const std::string& k) { return found_or_not(dims.addresses.latest(k)); });
  address_keys = {};
  for (auto& out : resolved) {
    if (out.address_id.empty() || out.buyer.customer_aws_account_id.empty()) continue;
    if (const auto& r = addresses.at(out.address_id); r.found) apply_address(out, r.attrs);
  }

  // 3. Product and offer, latest versions.
  std::unordered_set<std::string> product_keys, offer_keys;
  for (const auto* a : items) {
    if (!a->product.empty()) product_keys.insert(a->product);
    if (with_offer && !a->offer.empty()) offer_keys.insert(a->offer);
  }
  const auto products = ask_owners<Found<ProductAttrs>>(
      comm, product_keys, [](const std::string& k) { return k; },
      [&](const std::string& k) { return found_or_not(dims.products.latest(k)); });
  const auto offers = ask_owners<Found<OfferAttrs>>(
      comm, offer_keys, [](const std::string& k) { return k; },
      [&](const std::string& k) { return found_or_not(dims.offers.latest(k)); });
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Attribution* a = items[i];
    if (!a->product.empty())
      if (const auto& r = products.at(a->product); r.found) {
        resolved[i].product_code = r.attrs.product_code;
        resolved[i].product_title = r.attrs.title;
      }
    if (with_offer && !a->offer.empty())
      if (const auto& r = offers.at(a->offer); r.found) resolved[i].opportunity_name = r.attrs.opportunity_name;
  }
  return resolved;
}

}  // namespace ba
