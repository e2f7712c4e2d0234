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

void resolve_end_customer(Attribution& a, const Dimension<AccountAttrs>& accounts) {
  if (!is_partition_key(a.end_user)) return;
  if (const auto* account = accounts.as_of(a.end_user, a.as_of)) a.end_customer_aws_account_id = account->aws_account_id;
}

void resolve_payer(Attribution& a, const Dimension<AccountAttrs>& accounts) {
  a.address_id.clear();
  a.buyer = BuyerColumns{};
  if (!is_partition_key(a.payer)) return;  // no payer: every buyer column stays empty
  const auto* account = accounts.as_of(a.payer, a.as_of);
  if (!account) return;  // unresolved: ids stay, attributes empty
  a.buyer.customer_aws_account_id = account->aws_account_id;
  a.address_id = a.billing_address.empty() ? account->mailing_address_id : a.billing_address;
}

void apply_address(Attribution& a, const AddressAttrs& address) {
  // Only the payer's own address: another account's address leaves the columns empty.
  if (address.aws_account_id != a.buyer.customer_aws_account_id) return;
  a.buyer.company_name = address.company_name;
  a.buyer.email_domain = email_domain_of(address.email_domain);
  a.buyer.country_code = address.country_code;
  a.buyer.state_or_region = address.state_or_region;
  a.buyer.city = address.city;
  a.buyer.postal_code = address.postal_code;
}

void resolve_address(Attribution& a, const Dimension<AddressAttrs>& addresses) {
  if (a.address_id.empty() || a.buyer.customer_aws_account_id.empty()) return;
  if (const auto* address = addresses.latest(a.address_id)) apply_address(a, *address);
}

void resolve_product(Attribution& a, const Dimension<ProductAttrs>& products) {
  if (const auto* product = products.latest(a.product)) {
    a.product_code = product->product_code;
    a.product_title = product->title;
  }
}

void resolve_offer(Attribution& a, const Dimension<OfferAttrs>& offers) {
  if (const auto* offer = offers.latest(a.offer)) a.opportunity_name = offer->opportunity_name;
}

}  // namespace ba

namespace ba {

void attribute_items(const mpi::Comm& comm, const std::vector<Attribution*>& items, const Dimensions& dims, bool with_offer) {
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
  for (auto* a : items) {
    a->address_id.clear();
    a->buyer = BuyerColumns{};
    if (is_partition_key(a->end_user))
      if (const auto& r = accounts.at(as_of_key(a->end_user, a->as_of)); r.found)
        a->end_customer_aws_account_id = r.attrs.aws_account_id;
    if (!is_partition_key(a->payer)) continue;  // no payer: every buyer column stays empty
    const auto& r = accounts.at(as_of_key(a->payer, a->as_of));
    if (!r.found) continue;  // unresolved: ids stay, attributes empty
    a->buyer.customer_aws_account_id = r.attrs.aws_account_id;
    a->address_id = a->billing_address.empty() ? r.attrs.mailing_address_id : a->billing_address;
    if (!a->address_id.empty() && !a->buyer.customer_aws_account_id.empty()) address_keys.insert(a->address_id);
  }

  // 2. The chosen address, latest version, used only when it is the payer's own.
  const auto addresses = ask_owners<Found<AddressAttrs>>(
      comm, address_keys, [](const std::string& k) { return k; },
      [&](const std::string& k) { return found_or_not(dims.addresses.latest(k)); });
  address_keys = {};
  for (auto* a : items) {
    if (a->address_id.empty() || a->buyer.customer_aws_account_id.empty()) continue;
    const auto& r = addresses.at(a->address_id);
    if (r.found) apply_address(*a, r.attrs);
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
  for (auto* a : items) {
    if (!a->product.empty())
      if (const auto& r = products.at(a->product); r.found) {
        a->product_code = r.attrs.product_code;
        a->product_title = r.attrs.title;
      }
    if (with_offer && !a->offer.empty())
      if (const auto& r = offers.at(a->offer); r.found) a->opportunity_name = r.attrs.opportunity_name;
  }
}

}  // namespace ba
