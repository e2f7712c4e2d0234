#pragma once
// Who the buyer is: the joins every detail table shares. Each step moves the groups to the rank
// that owns the dimension key they need (co-partitioned joins), so no rank holds a whole dimension.
#include <string>
#include <string_view>
#include <vector>

#include "aggregate/unresolved.hpp"
#include "common/bytes.hpp"
#include "common/time.hpp"
#include "ingest/rows.hpp"
#include "model/dimension.hpp"
#include "model/lookup_answers.hpp"
#include "mpi/comm.hpp"

namespace ba {

// A dimension lookup's answer: the attributes, if the key resolved.
template <class Attrs>
struct Found {
  bool found = false;
  Attrs attrs;
  BA_FIELDS(found, attrs)
};

// What each rank answers for the dimension keys it owns (each dimension partitioned across ranks
// by the hash of its key, owner_of), encoded once by the *_answers functions below. Until then
// (or for a dimension with no rows here) every key answers "none".
struct Dimensions {
  // Every surviving version.
  LookupAnswers accounts{std::vector<Dimension<AccountAttrs>::Held>{}};
  // Found<Attrs> of the latest version; an address's email reduced to its domain.
  LookupAnswers addresses{Found<AddressAttrs>{}};
  LookupAnswers products{Found<ProductAttrs>{}};
  LookupAnswers offers{Found<OfferAttrs>{}};
};

// The rank that owns a key of any partitioned data. The empty key and the marketplace literal
// `AWS` never name an owner: rows keyed by them stay where they are (no hot partition).
inline int owner_of(std::string_view key, int ranks) {
  return static_cast<int>(stable_hash(key) % static_cast<std::uint64_t>(ranks));
}
inline bool is_partition_key(std::string_view key) { return !key.empty() && key != kMarketplace; }

// The seven buyer columns, as views into the lookup answers of one Attributed (or any strings
// that outlive them).
struct BuyerColumns {
  std::string_view customer_aws_account_id, company_name, email_domain, country_code, state_or_region, city,
      postal_code;
};

// The part after the last '@', lower-cased (ASCII), nothing else changed: no address ever leaves.
// In place (idempotent), and as a copy.
void reduce_to_email_domain(std::string& email);
std::string email_domain_of(std::string_view value);

// What a group says about its buyer: the lookup keys of the joins.
struct Attribution {
  std::string payer, end_user, product, offer, billing_address;
  Instant as_of = 0;
  BA_FIELDS(payer, end_user, product, offer, billing_address, as_of)
};

// What the joins add. Kept apart from the groups (one per final group, not per partial group).
// Views: into the item's Attribution and the lookup answers of its Attributed.
struct Resolved {
  std::string_view end_customer_aws_account_id, product_code, product_title, opportunity_name;
  std::string_view address_id;  // the address chosen (billing address, else the payer's mailing address)
  BuyerColumns buyer;
  std::uint8_t unresolved = 0;  // UnresolvedKind bits
};


// The items' Resolved and the lookup answers they view, one per distinct key: no string is copied
// per item (millions of them). Valid while it lives, unchanged, and the items do.
struct Attributed {
  std::vector<Resolved> items;
  std::vector<std::vector<Dimension<AccountAttrs>::Held>> account_versions;
  std::vector<Found<AddressAttrs>> addresses;  // emails reduced to their domain
  std::vector<Found<ProductAttrs>> products;
  std::vector<Found<OfferAttrs>> offers;
};

// The answers of a rank's part of each dimension (see Dimensions).
LookupAnswers account_answers(const Dimension<AccountAttrs>& accounts);
LookupAnswers address_answers(const Dimension<AddressAttrs>& addresses);
LookupAnswers product_answers(const Dimension<ProductAttrs>& products);
LookupAnswers offer_answers(const Dimension<OfferAttrs>& offers);

// Points the buyer columns at an address when it is the payer's own (same aws_account_id). The
// address's email must already be reduced to its domain.
void apply_address(Resolved& r, const AddressAttrs& address);

// Collective (every rank passes the same with_offer): resolves every item's attribution. Only
// distinct lookup keys travel, to the rank that owns the dimension key and back (the end
// customer's and payer's versions, each resolved here as of the item's instant, then the chosen
// address, then product and offer); the groups themselves stay where they are.
// Returns one Resolved per item, in order, with the answers they view.
Attributed attribute_items(const mpi::Comm& comm, const std::vector<const Attribution*>& items, const Dimensions& dims,
                           bool with_offer);

}  // namespace ba
