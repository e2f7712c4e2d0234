#include "aggregate/attribution.hpp"

namespace ba {

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

void resolve_address(Attribution& a, const Dimension<AddressAttrs>& addresses) {
  if (a.address_id.empty() || a.buyer.customer_aws_account_id.empty()) return;
  const auto* address = addresses.latest(a.address_id);
  // Only the payer's own address: another account's address (or an unknown one) leaves it empty.
  if (!address || address->aws_account_id != a.buyer.customer_aws_account_id) return;
  a.buyer.company_name = address->company_name;
  a.buyer.email_domain = email_domain_of(address->email_domain);
  a.buyer.country_code = address->country_code;
  a.buyer.state_or_region = address->state_or_region;
  a.buyer.city = address->city;
  a.buyer.postal_code = address->postal_code;
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
