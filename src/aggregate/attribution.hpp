#pragma once
// Who the buyer is: the joins every detail table shares. Each step moves the groups to the rank
// that owns the dimension key they need (co-partitioned joins), so no rank holds a whole dimension.
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/time.hpp"
#include "ingest/rows.hpp"
#include "model/dimension.hpp"
#include "mpi/comm.hpp"

namespace ba {

// The dimensions, each partitioned across ranks by the hash of its key (owner_of).
struct Dimensions {
  Dimension<AccountAttrs> accounts;
  Dimension<AddressAttrs> addresses;
  Dimension<ProductAttrs> products;
  Dimension<OfferAttrs> offers;
};

// The rank that owns a key of any partitioned data. The empty key and the marketplace literal
// `AWS` never name an owner: rows keyed by them stay where they are (no hot partition).
inline int owner_of(std::string_view key, int ranks) {
  return static_cast<int>(stable_hash(key) % static_cast<std::uint64_t>(ranks));
}
inline bool is_partition_key(std::string_view key) { return !key.empty() && key != kMarketplace; }

struct BuyerColumns {
  std::string customer_aws_account_id, company_name, email_domain, country_code, state_or_region, city, postal_code;
  BA_FIELDS(customer_aws_account_id, company_name, email_domain, country_code, state_or_region, city, postal_code)
};

// The part after the last '@', lower-cased (ASCII), nothing else changed: no address ever leaves.
std::string email_domain_of(const std::string& value);

// What a group says about its buyer: the lookup keys of the joins.
struct Attribution {
  std::string payer, end_user, product, offer, billing_address;
  Instant as_of = 0;
  BA_FIELDS(payer, end_user, product, offer, billing_address, as_of)
};

// What the joins add. Kept apart from the groups (one per final group, not per partial group).
struct Resolved {
  std::string end_customer_aws_account_id, product_code, product_title, opportunity_name;
  std::string address_id;  // the address chosen (billing address, else the payer's mailing address)
  BuyerColumns buyer;
};

// Fills the buyer columns from an address when it is the payer's own (same aws_account_id).
void apply_address(Resolved& r, const AddressAttrs& address);

// Collective (every rank passes the same with_offer): resolves every item's attribution. Only
// distinct lookup keys travel, to the rank that owns the dimension key and back (the end
// customer's and payer's versions, each resolved here as of the item's instant, then the chosen
// address, then product and offer); the groups themselves stay where they are.
// Returns one Resolved per item, in order.
std::vector<Resolved> attribute_items(const mpi::Comm& comm, const std::vector<const Attribution*>& items,
                                      const Dimensions& dims, bool with_offer);

}  // namespace ba
