#include "pipeline/sellers.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "common/error.hpp"
#include "ingest/rows.hpp"
#include "tables/schemas.hpp"
#include "territory/territory.hpp"

namespace ba {

std::vector<int> assign_by_weight(int ranks, const std::vector<std::int64_t>& weight) {
  std::int64_t total = 0;
  for (auto w : weight) total += w;
  std::vector<int> owner(weight.size(), 0);
  std::int64_t before = 0;
  for (std::size_t i = 0; i < weight.size(); ++i) {
    const std::int64_t middle = before + weight[i] / 2;
    owner[i] = static_cast<int>(std::min<std::int64_t>(ranks - 1, middle * ranks / std::max<std::int64_t>(total, 1)));
    if (i > 0) owner[i] = std::max(owner[i], owner[i - 1]);
    before += weight[i];
  }
  return owner;
}

void check_store_sellers(const std::string& store_path, const std::vector<std::vector<SellerEntry>>& indexes) {
  const auto& schemas = deliverable_schemas();
  const std::string where = "--store " + store_path + ": ";
  const auto& all = indexes[0];
  std::set<std::string_view> sellers, folders;
  for (const auto& e : all) {
    if (!is_aws_account_number(e.folder))
      fail(ExitCode::bad_input,
           where + "seller " + e.seller + " has the delivery folder '" + e.folder + "', not a 12-digit aws_account_id");
    if (!sellers.insert(e.seller).second)
      fail(ExitCode::bad_input, where + "seller " + e.seller + " is listed twice in the index of " + schemas[0]->name);
    if (!folders.insert(e.folder).second)
      fail(ExitCode::bad_input, where + "the delivery folder " + e.folder + " is given to two sellers");
  }
  const auto same = [](const SellerEntry& a, const SellerEntry& b) { return a.seller == b.seller && a.folder == b.folder; };
  for (std::size_t t = 1; t < indexes.size(); ++t) {
    const auto& index = indexes[t];
    bool ok = true;
    if (t < kBuyersTables) {
      ok = std::equal(index.begin(), index.end(), all.begin(), all.end(), same);
    } else if (t > kBuyersTables) {
      ok = std::equal(index.begin(), index.end(), indexes[kBuyersTables].begin(), indexes[kBuyersTables].end(), same);
    } else {  // some of the sellers, in their order
      std::size_t next = 0;
      for (const auto& e : index) {
        while (next < all.size() && !same(all[next], e)) ++next;
        if (next == all.size()) {
          ok = false;
          break;
        }
        ++next;
      }
    }
    if (!ok)
      fail(ExitCode::bad_input, where + "the seller index of " + schemas[t]->name + " does not list the sellers of " +
                                    (t <= kBuyersTables ? schemas[0]->name : schemas[kBuyersTables]->name) +
                                    " as the job writes it");
  }
}

}  // namespace ba
