// ba-generate: writes a synthetic FEEDS_ROOT (../shared/spec/feeds.md) for one month, at any size,
// for benchmarks and load tests.
//
//   ba-generate --out FEEDS_ROOT --month YYYY-MM --billing-events N --seed S
//               [--sellers K] [--buyers B] [--usage-records U] [--threads T]
//               [--seller-skew 1.0] [--buyer-skew 0.7]
//
// What it writes (see docs/benchmarks.md for the shape of the data):
//   billing_event_v1/year=YYYY/month=MM/data.csv   exactly N transaction rows + the month's payouts
//   daily_usage_v1/year=YYYY/month=MM/data.csv     exactly U rows (corrections and deletions included)
//   account_v1, address_v1, product_v1, offer_v1   year=2010/month=01 (backfill) + the month (history)
//   enrollment/enrollment.csv
//
// Deterministic: the same arguments give the same bytes, whatever --threads. Every random choice
// comes from a stream seeded by (seed, purpose, index): entities by their index, billing and usage
// by fixed-size chunks of rows, so chunks are generated in parallel and written in order.
// Amounts are integer micro-units formatted by hand (never floating-point formatting).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using u8 = std::uint8_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i64 = std::int64_t;
using u128 = unsigned __int128;
using i128 = __int128;

constexpr i64 kDay = 86'400;
constexpr u64 kNone = ~u64{0};

// ---- hashing and random numbers -------------------------------------------------------------

constexpr u64 mix64(u64 z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
constexpr u64 hash2(u64 a, u64 b) { return mix64(mix64(a + 0x9E3779B97F4A7C15ULL) ^ (b * 0xD1B54A32D192ED03ULL + 1)); }
constexpr u64 hash3(u64 a, u64 b, u64 c) { return hash2(hash2(a, b), c); }
constexpr u64 hash4(u64 a, u64 b, u64 c, u64 d) { return hash2(hash3(a, b, c), d); }

// A bijection of [0, 2^40): ids that look random but never collide (10 hex digits).
constexpr u64 kMask40 = (u64{1} << 40) - 1;
constexpr u64 mix40(u64 x, u64 key) {
  x = (x ^ key) & kMask40;
  for (int i = 0; i < 3; ++i) {
    x = (x * 0x5DEECE66DULL) & kMask40;  // odd multiplier: invertible mod 2^40
    x ^= x >> 17;                        // xorshift: invertible
    x = (x + (key >> 24)) & kMask40;
  }
  return x;
}

// Stream tags: one independent random stream per purpose.
enum Tag : u64 {
  kTagSeller = 1, kTagProduct, kTagOffer, kTagBuyer, kTagBuyerFlags, kTagBuyerLink, kTagBilling, kTagUsage,
  kTagPayFail, kTagPerm, kTagIdKeys, kTagEnroll, kTagMoved, kTagAddrFix
};

// xoshiro256**
class Rng {
 public:
  explicit Rng(u64 seed) {
    u64 x = seed;
    for (auto& v : s_) {
      x += 0x9E3779B97F4A7C15ULL;
      v = mix64(x);
    }
  }
  u64 next() {
    const u64 r = rotl(s_[1] * 5, 7) * 9;
    const u64 t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  u64 below(u64 n) { return static_cast<u64>((static_cast<u128>(next()) * n) >> 64); }
  i64 between(i64 lo, i64 hi) { return lo + static_cast<i64>(below(static_cast<u64>(hi - lo + 1))); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  template <class T, std::size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }

 private:
  static u64 rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }
  u64 s_[4];
};

// Zipf over ranks 0..n-1 (rank 0 most popular): P(i) ~ 1/(i+1)^s. CDF table + binary search.
class Zipf {
 public:
  Zipf() = default;
  Zipf(u64 n, double s) : cdf_(std::max<u64>(n, 1)) {
    double acc = 0;
    for (u64 i = 0; i < cdf_.size(); ++i) {
      acc += std::pow(static_cast<double>(i + 1), -s);
      cdf_[i] = acc;
    }
    for (auto& c : cdf_) c /= acc;
    cdf_.back() = 1.0;
  }
  u64 operator()(Rng& r) const {
    const double u = r.uniform();
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return std::min<u64>(static_cast<u64>(it - cdf_.begin()), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// ---- calendar ---------------------------------------------------------------------------------

i64 days_from_civil(i64 y, unsigned m, unsigned d) {
  y -= m <= 2;
  const i64 era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<i64>(doe) - 719468;
}

void civil_from_days(i64 z, i64& y, unsigned& m, unsigned& d) {
  z += 719468;
  const i64 era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<i64>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

i64 floor_div(i64 a, i64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ---- output buffer ----------------------------------------------------------------------------

class Buf {
 public:
  std::string s;

  void put(char c) { s.push_back(c); }
  void put(std::string_view v) { s.append(v.data(), v.size()); }
  void comma() { s.push_back(','); }
  void nl() { s.push_back('\n'); }

  void num(u64 v) {
    char t[24];
    char* const e = t + sizeof t;
    char* p = e;
    do {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    s.append(p, static_cast<std::size_t>(e - p));
  }
  // Zero-padded to at least `width` digits.
  void pad(u64 v, int width) {
    char t[24];
    char* const e = t + sizeof t;
    char* p = e;
    for (int i = 0; i < width || v != 0; ++i) {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    s.append(p, static_cast<std::size_t>(e - p));
  }
  void hex(u64 v, int width) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char t[16];
    for (int i = width - 1; i >= 0; --i) {
      t[i] = kDigits[v & 15];
      v >>= 4;
    }
    s.append(t, static_cast<std::size_t>(width));
  }
  // Micro-units as a decimal with exactly 6 fraction digits, or (trim) without trailing zeros.
  void amount(i64 v, bool trim = false) {
    u64 a = static_cast<u64>(v);
    if (v < 0) {
      put('-');
      a = 0 - a;
    }
    num(a / 1'000'000);
    u64 f = a % 1'000'000;
    if (!trim) {
      put('.');
      pad(f, 6);
      return;
    }
    if (f == 0) return;
    int w = 6;
    while (f % 10 == 0) {
      f /= 10;
      --w;
    }
    put('.');
    pad(f, w);
  }
  void date(i64 day) {
    i64 y;
    unsigned m, d;
    civil_from_days(day, y, m, d);
    pad(static_cast<u64>(y), 4);
    put('-');
    pad(m, 2);
    put('-');
    pad(d, 2);
  }
  void ts(i64 sec) {
    const i64 day = floor_div(sec, kDay);
    const auto rem = static_cast<u64>(sec - day * kDay);
    date(day);
    put('T');
    pad(rem / 3600, 2);
    put(':');
    pad(rem / 60 % 60, 2);
    put(':');
    pad(rem % 60, 2);
    put('Z');
  }
  // RFC 4180: quoted only when needed, quotes doubled.
  void text(std::string_view v) {
    if (v.find_first_of(",\"\n\r") == std::string_view::npos) {
      put(v);
      return;
    }
    put('"');
    for (char c : v) {
      if (c == '"') put('"');
      put(c);
    }
    put('"');
  }
};

// ---- files ------------------------------------------------------------------------------------

class OutFile {
 public:
  explicit OutFile(const std::string& path) : path_(path) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  }
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  ~OutFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(std::string_view data) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, std::min<std::size_t>(left, std::size_t{1} << 30));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    bytes_ += data.size();
  }
  // Writes and empties the buffer once it holds more than `threshold` bytes.
  void drain(Buf& b, std::size_t threshold = std::size_t{8} << 20) {
    if (b.s.size() >= threshold) {
      write(b.s);
      b.s.clear();
    }
  }
  void close() {
    if (fd_ >= 0 && ::close(fd_) != 0) throw std::runtime_error("cannot close " + path_ + ": " + std::strerror(errno));
    fd_ = -1;
  }
  u64 bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  u64 bytes_ = 0;
};

// ---- parameters -------------------------------------------------------------------------------

struct Params {
  std::string out;
  i64 year = 0;
  unsigned month = 0;
  u64 events = 0, seed = 1, sellers = 0, buyers = 0, usage = 0;
  bool sellers_set = false, buyers_set = false, usage_set = false;
  unsigned threads = 0;
  double seller_skew = 1.0, buyer_skew = 0.7;
};

constexpr const char* kUsage =
    "usage: ba-generate --out FEEDS_ROOT --month YYYY-MM --billing-events N --seed S\n"
    "                   [--sellers K] [--buyers B] [--usage-records U] [--threads T]\n"
    "                   [--seller-skew 1.0] [--buyer-skew 0.7]\n"
    "defaults: K = N/2500 (10..5000), B = N/10 (at least 100), U = N/5, T = all cores\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "ba-generate: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

u64 parse_u64(const std::string& name, const char* text) {
  u64 v = 0;
  const char* end = text + std::strlen(text);
  const auto [p, ec] = std::from_chars(text, end, v);
  if (ec != std::errc() || p != end) usage_error(name + " '" + text + "' is not a non-negative integer");
  return v;
}

Params parse_args(int argc, char** argv) {
  Params p;
  bool have_month = false, have_events = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) usage_error(a + " needs a value");
    const char* v = argv[++i];
    if (a == "--out") {
      p.out = v;
    } else if (a == "--month") {
      const std::string m = v;
      if (m.size() != 7 || m[4] != '-') usage_error("--month '" + m + "' is not YYYY-MM");
      p.year = static_cast<i64>(parse_u64("--month", m.substr(0, 4).c_str()));
      p.month = static_cast<unsigned>(parse_u64("--month", m.substr(5, 2).c_str()));
      // History starts on 2012-01-01 and the backfill spans at least the 400 days before the
      // month: an earlier month would have accounts and products that begin after it.
      if (p.month < 1 || p.month > 12 || p.year < 2013 || (p.year == 2013 && p.month < 3) || p.year > 9998)
        usage_error("--month '" + m + "' must be a month from 2013-03 on");
      have_month = true;
    } else if (a == "--billing-events") {
      p.events = parse_u64(a, v);
      have_events = true;
    } else if (a == "--seed") {
      p.seed = parse_u64(a, v);
    } else if (a == "--sellers") {
      p.sellers = parse_u64(a, v);
      p.sellers_set = true;
    } else if (a == "--buyers") {
      p.buyers = parse_u64(a, v);
      p.buyers_set = true;
    } else if (a == "--usage-records") {
      p.usage = parse_u64(a, v);
      p.usage_set = true;
    } else if (a == "--threads") {
      p.threads = static_cast<unsigned>(parse_u64(a, v));
    } else if (a == "--seller-skew" || a == "--buyer-skew") {
      char* end = nullptr;
      const double d = std::strtod(v, &end);
      if (end == v || *end != '\0' || !(d >= 0.0 && d <= 5.0)) usage_error(a + " '" + v + "' is not a number in [0, 5]");
      (a == "--seller-skew" ? p.seller_skew : p.buyer_skew) = d;
    } else {
      usage_error("unknown option " + a);
    }
  }
  if (p.out.empty()) usage_error("--out is required");
  if (!have_month) usage_error("--month is required");
  if (!have_events) usage_error("--billing-events is required");
  if (p.events > (u64{1} << 38)) usage_error("--billing-events is too large");
  if (!p.sellers_set) p.sellers = std::clamp<u64>(p.events / 2500, 10, 5000);
  if (!p.buyers_set) p.buyers = std::max<u64>(p.events / 10, 100);
  if (!p.usage_set) p.usage = p.events / 5;
  if (p.sellers == 0 || p.sellers > 1'000'000) usage_error("--sellers must be 1..1000000");
  if (p.buyers == 0 || p.buyers > 900'000'000) usage_error("--buyers must be 1..900000000");
  if (p.usage > (u64{1} << 38)) usage_error("--usage-records is too large");
  if (p.threads == 0) p.threads = std::max(1u, std::thread::hardware_concurrency());
  return p;
}

// ---- text material ----------------------------------------------------------------------------

constexpr const char* kCurrencies[] = {"USD", "EUR", "GBP"};

struct Place {
  const char* country;
  const char* state;
  const char* city;
  const char* postal;
};
constexpr Place kUsPlaces[] = {
    {"US", "WA", "Seattle", "98101"},    {"US", "WA", "Redmond", "98052"},      {"US", "CA", "San Jose", "95113"},
    {"US", "CA", "San Francisco", "94105"}, {"US", "NY", "New York", "10001"}, {"US", "TX", "Austin", "73301"},
    {"US", "MA", "Boston", "02108"},     {"US", "IL", "Chicago", "60601"},      {"US", "GA", "Atlanta", "30303"},
    {"US", "CO", "Denver", "80202"},     {"US", "VA", "Arlington", "22201"},    {"US", "NC", "Charlotte", "28202"},
    {"US", "OR", "Portland", "97201"},   {"US", "AZ", "Phoenix", "85004"},      {"US", "FL", "Miami", "33131"},
    {"US", "NJ", "Newark", "07102"},
};
constexpr Place kWorldPlaces[] = {
    {"DE", "BE", "Berlin", "10115"},        {"DE", "BY", "München", "80331"},       {"DE", "HH", "Hamburg", "20095"},
    {"GB", "England", "London", "EC1A 1BB"}, {"GB", "Scotland", "Edinburgh", "EH1 1YZ"},
    {"FR", "IDF", "Paris", "75001"},        {"FR", "ARA", "Lyon", "69002"},         {"JP", "13", "Tokyo", "100-0001"},
    {"JP", "27", "Ōsaka", "530-0001"},      {"CA", "ON", "Toronto", "M5H 2N2"},     {"CA", "QC", "Montréal", "H2Y 1C6"},
    {"IN", "KA", "Bengaluru", "560001"},    {"BR", "SP", "São Paulo", "01310-100"}, {"AU", "NSW", "Sydney", "2000"},
    {"NL", "NH", "Amsterdam", "1012 JS"},   {"CH", "ZH", "Zürich", "8001"},         {"SG", "", "Singapore", "018956"},
    {"IE", "D", "Dublin", "D02 X285"},      {"ES", "MD", "Madrid", "28013"},        {"SE", "AB", "Stockholm", "111 52"},
};

const Place& pick_place(Rng& r) { return r.chance(0.55) ? r.pick(kUsPlaces) : r.pick(kWorldPlaces); }

constexpr const char* kNameA[] = {
    "Northwind", "Contoso",   "Fabrikam",  "Tailspin", "Litware",   "Adventure", "Alpine",    "Blue Yonder",
    "Coho",      "Woodgrove", "Wingtip",   "Proseware", "Lucerne",  "Margie's",  "Trey",      "Humongous",
    "Wide World", "Southridge", "Fourth",  "Graphic",   "Bellows",  "A. Datum",  "Relecloud", "Munson's",
    "VanArsdel", "Nod",       "Tasmanian", "Liberty's", "Consolidated", "Lamna", "Falcon",    "Orbit",
    "Quantum",   "Summit",    "Pioneer",   "Harbor",    "Cedar",    "Granite",   "Aurora",    "Nimbus",
    "Vertex",    "Atlas",     "Beacon",    "Crescent",  "Evergreen", "Helix",    "Ironwood",  "Juniper",
    "Kestrel",   "Lighthouse", "Meridian", "Northstar", "Oakridge", "Polaris",   "Redwood",   "Sapphire",
};
constexpr const char* kNameB[] = {
    "Traders",  "Analytics", "Systems",  "Labs",      "Software", "Cloud",    "Data",      "Networks",
    "Logistics", "Health",   "Bank",     "Insurance", "Media",    "Games",    "Robotics",  "Energy",
    "Retail",   "Foods",     "Airlines", "Studios",   "Consulting", "Security", "Travel",  "Winery",
    "Toys",     "Motors",    "Pharma",   "Capital",   "Partners", "Solutions", "Research", "Bio",
};
constexpr const char* kLegal[] = {"Inc.", "Inc", "LLC", "Ltd", "Ltd.", "GmbH", "AG", "SAS", "S.A.", "B.V.",
                                  "Pty Ltd", "K.K.", "PLC", "Corp.", "Corporation", "Co.", "S.p.A.", "Oy", "AB"};
constexpr const char* kUtf8Names[] = {"Müller",  "Société", "Zürcher", "São Paulo", "Ørsted", "Łódź",
                                      "Ñandú",   "Straße",  "Ελληνική", "東京",     "Škoda",  "Côte"};
constexpr const char* kFormulaLead[] = {"=", "+", "-", "@"};
constexpr const char* kStreets[] = {"Pike St",          "Main Street",   "Market St",        "Broadway",
                                    "Rue de la République", "Friedrichstraße", "King St W",   "High Street",
                                    "Avenida Paulista", "Collins Street", "Damrak",          "Bahnhofstrasse",
                                    "Yesler Way",       "Congress Ave",  "Wacker Dr",        "Penn Plaza"};

std::string company_name(Rng& r) {
  std::string n;
  const double u = r.uniform();
  const char* a = r.pick(kNameA);
  const char* b = r.pick(kNameB);
  if (u < 0.55) {
    n = std::string(a) + " " + b;
    if (r.chance(0.7)) n += std::string(" ") + r.pick(kLegal);
  } else if (u < 0.72) {
    n = std::string(a) + " " + b + ", " + r.pick(kLegal);  // a comma
  } else if (u < 0.78) {
    n = std::string(a) + " \"" + b + "\" " + r.pick(kLegal);  // quotes
  } else if (u < 0.84) {
    n = std::string(a) + " & " + b;
  } else if (u < 0.92) {
    n = std::string(r.pick(kUtf8Names)) + " " + b + " " + r.pick(kLegal);
  } else if (u < 0.93) {
    n = std::string(r.pick(kFormulaLead)) + a + " " + b;  // formula-looking first character
  } else if (u < 0.9305) {
    n = std::string(a) + "\n" + b + " GmbH";  // a line feed
  } else {
    n = std::string(a) + " " + b + " " + r.pick(kNameB);
  }
  return n;
}

std::string slug(std::string_view name, std::size_t max_len = 24) {
  std::string s;
  bool dash = false;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && !s.empty()) s.push_back('-');
      dash = false;
      s.push_back(c);
      if (s.size() >= max_len) break;
    } else {
      dash = true;
    }
  }
  if (s.empty()) s = "co";
  return s;
}

std::string email_domain(Rng& r, const std::string& company) {
  const std::string sl = slug(company, 20);
  const double u = r.uniform();
  if (u < 0.02) return {};
  if (u < 0.06) {  // a full address, mixed case: the job keeps the part after '@', lower-cased
    std::string d = sl;
    d[0] = static_cast<char>(d[0] >= 'a' && d[0] <= 'z' ? d[0] - 'a' + 'A' : d[0]);
    return "Billing@" + d + ".Example";
  }
  static constexpr const char* kTld[] = {".example", ".example.com", ".test", ".example.org"};
  return sl + r.pick(kTld);
}

struct Street {
  std::string line1, line2, line3;
};
Street street(Rng& r) {
  Street s;
  s.line1 = std::to_string(r.between(1, 9999)) + " " + r.pick(kStreets);
  if (r.chance(0.1)) s.line1 += ", Floor " + std::to_string(r.between(2, 60));
  const double u = r.uniform();
  if (u < 0.30) s.line2 = "Suite " + std::to_string(r.between(100, 4999));
  else if (u < 0.33) s.line2 = "Building \"" + std::string(1, static_cast<char>('A' + r.below(8))) + "\", Floor 2";
  else if (u < 0.335) s.line2 = "Attn: Accounts Payable\nRoom " + std::to_string(r.between(1, 999));
  if (r.chance(0.02)) s.line3 = "c/o " + std::string(r.pick(kNameA)) + " Services";
  return s;
}

// ---- the world: sellers, products, offers; buyers by hashing -----------------------------------

struct Seller {
  std::string id, aws, name, tax_reg;
  u32 fee_bps = 0;
  bool weekly = true;
  u32 payout_off = 0;  // weekday offset of weekly payouts, or day offset of the monthly payout
  u32 payout_minute = 0;
  std::vector<u32> products;
  u8 enroll = 0;  // see write_enrollment
  i64 since_day = 0;
  bool month_version = false;
};

struct Product {
  std::string id, code, title, dim_key, unit, desc;
  u32 seller = 0;
  u8 cur = 0;
  bool metered = false;
  i64 price = 0;  // micro-units, list price of a fixed-price product
  i64 rate = 0;   // micro-units per usage unit
  std::vector<u32> offers;
  i64 since_day = 0;
};

struct Offer {
  std::string id, name, opp_name, opp_desc, opp_id;
  u32 seller = 0;
  u32 revisions = 1;
  i64 since_day = 0;
  i64 exp_day = 0;
  bool same_valid_from_last = false;
  bool month_revision = false;
};

// The history and shape of one buyer, decided by hashing its index (no per-buyer storage).
struct BuyerFlags {
  bool is_new = false;   // first account version inside the month (day new_day, 1-based)
  int new_day = 0;
  bool moved = false;    // second version mid-month with a new mailing address (day move_day)
  int move_day = 0;
  bool deleted_v2 = false;  // a second version that its own later correction deletes
  int del_day = 0;
  bool billing = false;     // has a separate billing address ("-b")
  bool two_backfill_versions = false;
  bool backfill_fix = false;  // backfill address with a correction
  u8 month_addr = 0;          // 0 none, 1 correction, 2 delete-then-restore, 3 new version
  int addr_day = 0;
  i64 since_day = 0;
};

struct World {
  Params p;
  i64 m0 = 0;     // first day of the month (days since epoch)
  i64 ndays = 0;  // days in the month
  i64 t0 = 0, t1 = 0;  // [t0, t1) in seconds
  u64 K = 0, B = 0;
  u64 permA_B = 1, permC_B = 0, permA_K = 1, permC_K = 0, aws_c = 0;
  u64 key_be = 0, key_txn = 0, key_inv = 0, key_uf = 0, key_prod = 0, key_offer = 0, key_enc = 0;
  std::vector<Seller> sellers;
  std::vector<Product> products;
  std::vector<Offer> offers;
  Zipf seller_zipf, buyer_zipf;
  std::vector<Zipf> small_zipf;  // index n: Zipf over n items (products of a seller)

  u64 perm_b(u64 b) const { return static_cast<u64>((static_cast<u128>(b) * permA_B + permC_B) % B); }
  u64 perm_k(u64 s) const { return static_cast<u64>((static_cast<u128>(s) * permA_K + permC_K) % K); }
  // 12 digits, unique: a bijection of [0, 10^12) (multiplier coprime with 10).
  u64 aws_of(u64 global) const {
    constexpr u64 kTen12 = 1'000'000'000'000ULL;
    return static_cast<u64>((static_cast<u128>(global) * 731'295'648'217ULL + aws_c) % kTen12);
  }
  void put_buyer(Buf& o, u64 b) const {
    o.put("acc-b");
    o.pad(perm_b(b), 9);
  }
  void put_buyer_aws(Buf& o, u64 b) const { o.pad(aws_of(K + b), 12); }
  void put_addr(Buf& o, u64 b, char kind) const {
    o.put("adr-");
    o.pad(perm_b(b), 9);
    o.put('-');
    o.put(kind);
  }

  BuyerFlags flags(u64 b) const {
    BuyerFlags f;
    const u64 h1 = hash3(p.seed, kTagBuyerFlags, b);
    const u64 h2 = mix64(h1 ^ 0x5555);
    const u64 h3 = mix64(h2 ^ 0xAAAA);
    f.since_day = days_from_civil(2012, 1, 1) + static_cast<i64>(h3 % static_cast<u64>(std::max<i64>(m0 - 200 - days_from_civil(2012, 1, 1), 1)));
    if (h1 % 10000 < 200) {
      f.is_new = true;
      f.new_day = 1 + static_cast<int>((h1 >> 20) % 5);
    } else if ((h1 >> 32) % 10000 < 150) {
      f.moved = true;
      f.move_day = 5 + static_cast<int>((h1 >> 48) % static_cast<u64>(std::max<i64>(ndays - 8, 1)));
    } else if ((h1 >> 40) % 10000 < 20) {
      f.deleted_v2 = true;
      f.del_day = 3 + static_cast<int>((h1 >> 52) % static_cast<u64>(std::max<i64>(ndays - 6, 1)));
    }
    f.billing = (h2 >> 16) % 100 < 10;
    if (!f.is_new) {
      f.two_backfill_versions = (h2 >> 24) % 100 < 5;
      f.backfill_fix = (h2 >> 56) % 100 < 2;
      const u64 a = (h2 >> 32) % 10000;
      f.month_addr = a < 50 ? 1 : a < 60 ? 2 : a < 90 ? 3 : 0;
      f.addr_day = 1 + static_cast<int>(h3 >> 58) % static_cast<int>(ndays - 2);
    }
    return f;
  }
  // Whether a payer resolves at day index di (0 = first day of the month): new accounts only from
  // their first version (00:00Z) minus the 24-hour grace.
  static bool usable(const BuyerFlags& f, i64 di) { return !f.is_new || di >= f.new_day - 2; }
  // Another account of the same organisation (end user different from the payer).
  u64 linked(u64 b, u64 k) const { return (b + 1 + hash3(p.seed, kTagBuyerLink, b * 4 + k) % 997) % B; }
};

u64 coprime_near(u64 n, double frac) {
  if (n <= 1) return 1;
  u64 a = std::max<u64>(1, static_cast<u64>(static_cast<double>(n) * frac));
  while (std::gcd(a, n) != 1) ++a;
  return a % n == 0 ? 1 : a;
}

constexpr const char* kTitleA[] = {"Analytics", "Platform", "Suite", "Gateway", "Monitor", "Firewall",
                                   "Database",  "Studio",   "Vault", "Pipeline", "Observer", "Scheduler"};
struct Dim {
  const char* key;
  const char* unit;
  const char* what;
  i64 rate;
};
constexpr Dim kDims[] = {
    {"users", "Units", "users", 1'500'000},     {"hours", "Hrs", "hours", 123'456},
    {"requests", "Requests", "requests", 10},   {"seats", "Seats", "seats", 10'000'000},
    {"gb_month", "GB-Mo", "storage", 23'000},   {"api_calls", "Calls", "API calls", 350},
    {"vcpu_hours", "vCPU-Hrs", "vCPU hours", 48'000}, {"nodes", "Nodes", "nodes", 2'750'000},
};
constexpr const char* kOppNames[] = {
    "Q4 Renewal", "Enterprise Launch", "-10% launch promo", "Multi-year deal", "Migration, phase 2",
    "+25 seats expansion", "Pilot", "Private offer: \"Gold\" tier", "@scale agreement", "Renewal FY27",
    "Channel deal", "Upsell", "Proof of concept", "Global rollout, EMEA"};
constexpr const char* kOppDesc[] = {
    "Annual plan, first draft", "Annual plan, \"renewal\" terms", "Launch discount\nfor early adopters",
    "Multi-year deal", "Includes support, training and onboarding", "Negotiated by the \"strategic\" team",
    "", "Co-sell with partner, 3 years", "Expansion after pilot\nApproved by procurement"};

World build_world(const Params& p) {
  World w;
  w.p = p;
  w.m0 = days_from_civil(p.year, p.month, 1);
  w.ndays = days_from_civil(p.month == 12 ? p.year + 1 : p.year, p.month == 12 ? 1 : p.month + 1, 1) - w.m0;
  w.t0 = w.m0 * kDay;
  w.t1 = (w.m0 + w.ndays) * kDay;
  w.K = p.sellers;
  w.B = p.buyers;
  w.permA_B = coprime_near(w.B, 0.6180339887);
  w.permC_B = hash2(p.seed, kTagPerm) % w.B;
  w.permA_K = coprime_near(w.K, 0.7548776662);
  w.permC_K = hash2(p.seed, kTagPerm + 1) % w.K;
  w.aws_c = hash2(p.seed, kTagPerm + 2) % 1'000'000'000'000ULL;
  const u64 k = hash2(p.seed, kTagIdKeys);
  w.key_be = mix64(k + 1);
  w.key_txn = mix64(k + 2);
  w.key_inv = mix64(k + 3);
  w.key_uf = mix64(k + 4);
  w.key_prod = mix64(k + 5);
  w.key_offer = mix64(k + 6);
  w.key_enc = mix64(k + 7);

  w.seller_zipf = Zipf(w.K, p.seller_skew);
  w.buyer_zipf = Zipf(w.B, p.buyer_skew);
  w.small_zipf.resize(17);
  for (u64 n = 1; n < w.small_zipf.size(); ++n) w.small_zipf[n] = Zipf(n, 1.1);

  const i64 day2012 = days_from_civil(2012, 1, 1);
  const i64 backfill_span = std::max<i64>(w.m0 - 400 - day2012, 30);
  w.sellers.resize(w.K);
  for (u64 s = 0; s < w.K; ++s) {
    Rng r(hash3(p.seed, kTagSeller, s));
    Seller& x = w.sellers[s];
    {
      Buf b;
      b.put("acc-s");
      b.pad(w.perm_k(s), 7);
      x.id = b.s;
      b.s.clear();
      b.pad(w.aws_of(s), 12);
      x.aws = b.s;
    }
    x.name = company_name(r);
    if (r.chance(0.4)) x.tax_reg = std::string(r.chance(0.5) ? "DE" : "GB") + std::to_string(r.between(100000000, 999999999));
    static constexpr u32 kFees[] = {300, 500, 500, 800, 1000, 1500, 2000};
    x.fee_bps = r.pick(kFees);
    x.weekly = r.chance(0.7);
    x.payout_off = static_cast<u32>(r.below(7));
    x.payout_minute = static_cast<u32>(r.below(180));
    x.since_day = day2012 + static_cast<i64>(r.below(static_cast<u64>(backfill_span)));
    x.month_version = r.chance(0.01);
    // Enrollment: 0 enrolled open-ended, 1 enrolled until after the month, 2 from mid-month (not
    // enrolled for the month), 3 ended before the month, 4 absent from the registry, 5 from the
    // first day of the month (enrolled: inclusive).
    const double e = r.uniform();
    x.enroll = e < 0.80 ? 0 : e < 0.85 ? 1 : e < 0.89 ? 2 : e < 0.93 ? 3 : e < 0.96 ? 4 : 5;
    if (s < 5) x.enroll = 0;  // the biggest sellers are enrolled: the benchmark exercises them
    // Currencies: most sellers price in USD; some in EUR or GBP; some in two or three.
    const double c = r.uniform();
    std::vector<u8> curs;
    if (c < 0.70) curs = {0};
    else if (c < 0.80) curs = {1};
    else if (c < 0.85) curs = {2};
    else if (c < 0.95) curs = {0, 1};
    else curs = {0, 1, 2};
    const u64 nprod = 1 + r.below(4) + (s < w.K / 50 + 1 ? r.below(12) : 0);
    for (u64 j = 0; j < nprod; ++j) {
      const auto pi = static_cast<u32>(w.products.size());
      Product pr;
      pr.seller = static_cast<u32>(s);
      {
        Buf b;
        b.put("prod-");
        b.hex(mix40(pi, w.key_prod), 10);
        pr.id = b.s;
      }
      pr.title = std::string(r.pick(kNameA)) + " " + r.pick(kTitleA);
      const double t = r.uniform();
      if (t < 0.10) pr.title += ", Pro Edition";
      else if (t < 0.15) pr.title += " (BYOL)";
      else if (t < 0.18) pr.title += " \"Enterprise\"";
      {
        Buf b;
        b.put(slug(pr.title, 18));
        b.put('-');
        b.hex(r.next(), 4);
        pr.code = b.s;
        if (r.chance(0.1)) pr.code[0] = static_cast<char>(pr.code[0] >= 'a' && pr.code[0] <= 'z' ? pr.code[0] - 32 : pr.code[0]);
      }
      pr.cur = j == 0 || curs.size() == 1 ? curs[0] : curs[r.below(curs.size())];
      pr.metered = r.chance(0.4);
      // Fixed list prices from 5.00 to 50,000.00 (log-uniform, whole cents).
      pr.price = static_cast<i64>(std::exp(std::log(5.0) + r.uniform() * (std::log(50000.0) - std::log(5.0))) * 100.0) * 10'000;
      const Dim& d = r.pick(kDims);
      pr.dim_key = d.key;
      pr.unit = d.unit;
      pr.rate = d.rate;
      pr.desc = std::string(kNameA[r.below(std::size(kNameA))]) + " " + d.what;
      std::replace(pr.desc.begin(), pr.desc.end(), '\'', ' ');
      pr.since_day = x.since_day + static_cast<i64>(r.below(static_cast<u64>(std::max<i64>(w.m0 - 365 - x.since_day, 1))));
      const u64 noffers = 1 + r.below(3);
      for (u64 q = 0; q < noffers; ++q) {
        const auto oi = static_cast<u32>(w.offers.size());
        Offer of;
        of.seller = static_cast<u32>(s);
        Buf b;
        b.put("offer-");
        b.hex(mix40(oi, w.key_offer), 10);
        of.id = b.s;
        of.name = std::string(r.pick(kNameA)) + " " + (r.chance(0.5) ? "annual" : "private offer, launch");
        of.opp_name = r.pick(kOppNames);
        of.opp_desc = r.pick(kOppDesc);
        b.s.clear();
        b.put("opp-");
        b.hex(r.next(), 8);
        of.opp_id = b.s;
        const double rv = r.uniform();
        of.revisions = rv < 0.6 ? 1 : rv < 0.85 ? static_cast<u32>(2 + r.below(5)) : static_cast<u32>(9 + r.below(4));
        of.since_day = pr.since_day + static_cast<i64>(r.below(90));
        of.exp_day = w.m0 + 365 + static_cast<i64>(r.below(730));
        of.same_valid_from_last = of.revisions > 1 && r.chance(0.3);
        of.month_revision = r.chance(0.05);
        pr.offers.push_back(oi);
        w.offers.push_back(std::move(of));
      }
      x.products.push_back(pi);
      w.products.push_back(std::move(pr));
    }
  }
  return w;
}

// ---- dimension feeds --------------------------------------------------------------------------

std::string feed_path(const World& w, const char* feed, i64 year, unsigned month) {
  Buf b;
  b.put(w.p.out);
  b.put('/');
  b.put(feed);
  b.put("/year=");
  b.pad(static_cast<u64>(year), 4);
  b.put("/month=");
  b.pad(month, 2);
  b.put("/data.csv");
  return b.s;
}

struct FileStat {
  std::string path;
  u64 rows = 0, bytes = 0;
};

constexpr std::string_view kAccountHeader =
    "account_id,aws_account_id,encrypted_account_id,mailing_address_id,tax_address_id,tax_registration_number,"
    "tax_legal_name,valid_from,insert_date,update_date,delete_date\n";

void hist(Buf& o, i64 valid_from, i64 inserted, i64 updated, i64 deleted) {
  o.comma();
  o.ts(valid_from);
  o.comma();
  o.ts(inserted);
  o.comma();
  o.ts(updated);
  o.comma();
  if (deleted >= 0) o.ts(deleted);
  o.nl();
}

struct BuyerProfile {
  std::string company, email, tax_reg;
  const Place* place = nullptr;
  Street street;
};

BuyerProfile buyer_profile(const World& w, u64 b) {
  Rng r(hash3(w.p.seed, kTagBuyer, b));
  BuyerProfile x;
  x.company = company_name(r);
  x.email = email_domain(r, x.company);
  x.place = &pick_place(r);
  x.street = street(r);
  if (r.chance(0.3)) x.tax_reg = std::string(x.place->country) + std::to_string(r.between(10000000, 999999999));
  return x;
}

void account_row(const World& w, Buf& o, u64 b, const BuyerProfile& x, char addr, i64 vf, i64 ins, i64 upd, i64 del) {
  w.put_buyer(o, b);
  o.comma();
  w.put_buyer_aws(o, b);
  o.put(",enc-");
  o.hex(mix40(b & kMask40, w.key_enc), 10);
  o.comma();
  w.put_addr(o, b, addr);
  o.comma();
  w.put_addr(o, b, addr);
  o.comma();
  o.put(x.tax_reg);
  o.comma();
  o.text(x.company);
  hist(o, vf, ins, upd, del);
}

void seller_account_row(Buf& o, const Seller& x, std::string_view tax_reg, i64 vf, i64 ins) {
  o.put(x.id);
  o.comma();
  o.put(x.aws);
  o.put(",enc-");
  o.put(x.aws);
  o.put(",,,");
  o.put(tax_reg);
  o.comma();
  o.text(x.name);
  hist(o, vf, ins, ins, -1);
}

std::vector<FileStat> write_accounts(const World& w) {
  OutFile bf(feed_path(w, "account_v1", 2010, 1)), mo(feed_path(w, "account_v1", w.p.year, w.p.month));
  Buf a, m;
  u64 na = 0, nm = 0;
  a.put(kAccountHeader);
  m.put(kAccountHeader);
  for (const Seller& s : w.sellers) {
    const i64 vf = s.since_day * kDay;
    seller_account_row(a, s, s.tax_reg, vf, vf);
    ++na;
    if (s.month_version) {  // a new version inside the month (new tax registration)
      const i64 t = (w.m0 + 3) * kDay;
      seller_account_row(m, s, "EU372000041", t, t);
      ++nm;
    }
  }
  for (u64 b = 0; b < w.B; ++b) {
    const BuyerFlags f = w.flags(b);
    const BuyerProfile x = buyer_profile(w, b);
    if (f.is_new) {
      const i64 vf = (w.m0 + f.new_day - 1) * kDay;
      account_row(w, m, b, x, 'm', vf, vf, vf, -1);
      ++nm;
    } else {
      const i64 vf = f.since_day * kDay;
      if (f.two_backfill_versions) {
        const i64 v0 = vf - 500 * kDay;
        BuyerProfile old = x;
        old.tax_reg.clear();
        account_row(w, a, b, old, 'm', v0, v0, v0, -1);
        ++na;
      }
      account_row(w, a, b, x, 'm', vf, vf, vf, -1);
      ++na;
      if (f.moved) {
        const i64 v2 = (w.m0 + f.move_day - 1) * kDay;
        account_row(w, m, b, x, 'n', v2, v2, v2, -1);
        ++nm;
      } else if (f.deleted_v2) {  // a version, then its correction deleting it: v1 keeps holding
        const i64 v2 = (w.m0 + f.del_day - 1) * kDay;
        account_row(w, m, b, x, 'x', v2, v2, v2, -1);
        account_row(w, m, b, x, 'x', v2, v2 + kDay, v2 + kDay, v2 + kDay);
        nm += 2;
      }
    }
    bf.drain(a);
    mo.drain(m);
  }
  bf.write(a.s);
  mo.write(m.s);
  bf.close();
  mo.close();
  return {{bf.path(), na, bf.bytes()}, {mo.path(), nm, mo.bytes()}};
}

void address_row(const World& w, Buf& o, u64 b, char kind, const BuyerProfile& x, const Place& pl,
                 std::string_view postal, i64 vf, i64 ins, i64 upd, i64 del) {
  w.put_addr(o, b, kind);
  o.comma();
  w.put_buyer_aws(o, b);
  o.comma();
  o.text(x.email);
  o.comma();
  o.text(x.company);
  o.comma();
  o.put(pl.country);
  o.comma();
  o.text(pl.state);
  o.comma();
  o.text(pl.city);
  o.comma();
  o.text(postal);
  o.comma();
  o.text(x.street.line1);
  o.comma();
  o.text(x.street.line2);
  o.comma();
  o.text(x.street.line3);
  o.comma();
  o.ts(vf);
  o.comma();  // valid_to: always empty
  o.comma();
  o.ts(ins);
  o.comma();
  o.ts(upd);
  o.comma();
  if (del >= 0) o.ts(del);
  o.nl();
}

std::vector<FileStat> write_addresses(const World& w) {
  OutFile bf(feed_path(w, "address_v1", 2010, 1)), mo(feed_path(w, "address_v1", w.p.year, w.p.month));
  Buf a, m;
  u64 na = 0, nm = 0;
  // The backfill uses the older column name `country` (feeds.md: accept either).
  a.put("address_id,aws_account_id,email_domain,company_name,country,state_or_region,city,postal_code,"
        "address_line_1,address_line_2,address_line_3,valid_from,valid_to,insert_date,update_date,delete_date\n");
  m.put("address_id,aws_account_id,email_domain,company_name,country_code,state_or_region,city,postal_code,"
        "address_line_1,address_line_2,address_line_3,valid_from,valid_to,insert_date,update_date,delete_date\n");
  for (u64 b = 0; b < w.B; ++b) {
    const BuyerFlags f = w.flags(b);
    const BuyerProfile x = buyer_profile(w, b);
    Rng r(hash3(w.p.seed, kTagAddrFix, b));
    const Place& billing_place = pick_place(r);
    if (f.is_new) {
      const i64 vf = (w.m0 + f.new_day - 2) * kDay + 6 * 3600;
      address_row(w, m, b, 'm', x, *x.place, x.place->postal, vf, vf, vf, -1);
      ++nm;
      if (f.billing) {
        address_row(w, m, b, 'b', x, billing_place, billing_place.postal, vf, vf, vf, -1);
        ++nm;
      }
    } else {
      const i64 vf = f.since_day * kDay;
      if (f.backfill_fix) {  // first delivered without a postal code, corrected three days later
        address_row(w, a, b, 'm', x, *x.place, "", vf, vf, vf, -1);
        address_row(w, a, b, 'm', x, *x.place, x.place->postal, vf, vf + 3 * kDay, vf + 3 * kDay, -1);
        na += 2;
      } else {
        address_row(w, a, b, 'm', x, *x.place, x.place->postal, vf, vf, vf, -1);
        ++na;
      }
      if (f.billing) {
        address_row(w, a, b, 'b', x, billing_place, billing_place.postal, vf, vf, vf, -1);
        ++na;
      }
      const i64 in_month = (w.m0 + f.addr_day - 1) * kDay + 7 * 3600;
      const Place& moved_place = pick_place(r);
      if (f.month_addr == 1) {  // correction: same valid_from, later update_date
        address_row(w, m, b, 'm', x, moved_place, moved_place.postal, vf, in_month, in_month, -1);
        ++nm;
      } else if (f.month_addr == 2) {  // deleted by one correction, restored by a later one
        address_row(w, m, b, 'm', x, *x.place, x.place->postal, vf, in_month, in_month, in_month);
        address_row(w, m, b, 'm', x, *x.place, x.place->postal, vf, in_month + 3600, in_month + 3600, -1);
        nm += 2;
      } else if (f.month_addr == 3) {  // a new version inside the month
        address_row(w, m, b, 'm', x, moved_place, moved_place.postal, in_month, in_month, in_month, -1);
        ++nm;
      }
      if (f.moved) {  // the new mailing address of the account's second version
        const i64 v2 = (w.m0 + f.move_day - 2) * kDay + 9 * 3600;
        address_row(w, m, b, 'n', x, moved_place, moved_place.postal, v2, v2, v2, -1);
        ++nm;
      }
    }
    bf.drain(a);
    mo.drain(m);
  }
  bf.write(a.s);
  mo.write(m.s);
  bf.close();
  mo.close();
  return {{bf.path(), na, bf.bytes()}, {mo.path(), nm, mo.bytes()}};
}

std::vector<FileStat> write_products_offers(const World& w) {
  std::vector<FileStat> stats;
  {
    OutFile bf(feed_path(w, "product_v1", 2010, 1)), mo(feed_path(w, "product_v1", w.p.year, w.p.month));
    Buf a, m;
    u64 na = 0, nm = 0;
    constexpr std::string_view kHeader = "product_id,manufacturer_account_id,product_code,title,valid_from,insert_date,update_date,delete_date\n";
    a.put(kHeader);
    m.put(kHeader);
    auto row = [&](Buf& o, const Product& p, std::string_view title, i64 vf, i64 upd) {
      o.put(p.id);
      o.comma();
      o.put(w.sellers[p.seller].id);
      o.comma();
      o.text(p.code);
      o.comma();
      o.text(title);
      hist(o, vf, upd, upd, -1);
    };
    for (std::size_t i = 0; i < w.products.size(); ++i) {
      const Product& p = w.products[i];
      Rng r(hash3(w.p.seed, kTagProduct, i));
      const i64 vf = p.since_day * kDay;
      if (r.chance(0.10)) {  // an older version
        row(a, p, p.title + " (legacy)", vf - 400 * kDay, vf - 400 * kDay);
        ++na;
      }
      if (r.chance(0.03)) {  // first delivered with a draft title, then corrected
        row(a, p, p.title + " DRAFT", vf, vf);
        ++na;
        row(a, p, p.title, vf, vf + 2 * kDay);
        ++na;
      } else {
        row(a, p, p.title, vf, vf);
        ++na;
      }
      if (r.chance(0.04)) {  // a new version inside the month
        const i64 t = (w.m0 + static_cast<i64>(r.below(static_cast<u64>(w.ndays)))) * kDay;
        row(m, p, p.title + " v2", t, t);
        ++nm;
      }
    }
    bf.write(a.s);
    mo.write(m.s);
    bf.close();
    mo.close();
    stats.push_back({bf.path(), na, bf.bytes()});
    stats.push_back({mo.path(), nm, mo.bytes()});
  }
  {
    OutFile bf(feed_path(w, "offer_v1", 2010, 1)), mo(feed_path(w, "offer_v1", w.p.year, w.p.month));
    Buf a, m;
    u64 na = 0, nm = 0;
    constexpr std::string_view kHeader =
        "offer_id,offer_revision,name,expiration_date,opportunity_name,opportunity_description,seller_account_id,"
        "opportunity_id,valid_from,insert_date,update_date,delete_date\n";
    a.put(kHeader);
    m.put(kHeader);
    auto row = [&](Buf& o, const Offer& f, u64 rev, std::string_view opp_name, i64 vf, i64 upd) {
      o.put(f.id);
      o.comma();
      o.num(rev);
      o.comma();
      o.text(f.name);
      o.comma();
      o.ts(f.exp_day * kDay);
      o.comma();
      o.text(opp_name);
      o.comma();
      o.text(f.opp_desc);
      o.comma();
      o.put(w.sellers[f.seller].id);
      o.comma();
      o.put(f.opp_id);
      hist(o, vf, upd, upd, -1);
    };
    for (const Offer& f : w.offers) {
      i64 vf = f.since_day * kDay;
      for (u64 rev = 1; rev <= f.revisions; ++rev) {
        const bool last = rev == f.revisions;
        const bool same = last && f.same_valid_from_last;  // same valid_from: the higher revision wins
        if (rev > 1 && !same) vf += 20 * kDay;
        const i64 upd = same ? vf + kDay : vf;
        if (last) {
          row(a, f, rev, f.opp_name, vf, upd);
        } else {
          row(a, f, rev, std::string(f.opp_name) + " (rev " + std::to_string(rev) + ")", vf, upd);
        }
        ++na;
      }
      if (f.month_revision) {
        const i64 t = (w.m0 + 1) * kDay;
        row(m, f, f.revisions + 1, std::string(f.opp_name) + " (amended)", t, t);
        ++nm;
      }
    }
    bf.write(a.s);
    mo.write(m.s);
    bf.close();
    mo.close();
    stats.push_back({bf.path(), na, bf.bytes()});
    stats.push_back({mo.path(), nm, mo.bytes()});
  }
  {
    OutFile en(w.p.out + "/enrollment/enrollment.csv");
    Buf o;
    u64 n = 0;
    o.put("seller_account_id,aws_account_id,enrolled_from,enrolled_until,delivery_name\n");
    for (std::size_t s = 0; s < w.sellers.size(); ++s) {
      const Seller& x = w.sellers[s];
      Rng r(hash3(w.p.seed, kTagEnroll, s));
      const i64 before = w.m0 - 1 - static_cast<i64>(r.below(1500));
      i64 from = before, until = -1;
      switch (x.enroll) {
        case 0: break;
        case 1: until = w.m0 + w.ndays + static_cast<i64>(r.below(400)); break;
        case 2: from = w.m0 + 5 + static_cast<i64>(r.below(15)); break;
        case 3: until = w.m0 - 1 - static_cast<i64>(r.below(60)); break;
        case 4: continue;
        case 5: from = w.m0; break;
      }
      o.put(x.id);
      o.comma();
      o.put(x.aws);
      o.comma();
      o.date(from);
      o.comma();
      if (until >= 0) o.date(until);
      o.comma();
      o.text(x.name);
      o.nl();
      ++n;
    }
    en.write(o.s);
    en.close();
    stats.push_back({en.path(), n, en.bytes()});
  }
  return stats;
}

// ---- billing events ---------------------------------------------------------------------------

constexpr u64 kChunkRows = u64{1} << 16;
constexpr u64 kPayoutBase = u64{1} << 39;
constexpr u64 kFailureBase = (u64{1} << 39) | (u64{1} << 38);

struct PayAcc {
  i64 amount = 0;
  u64 lines = 0;
};
using PayMap = std::unordered_map<u64, PayAcc>;

// (seller, currency, day index) of a payout, as one number (also the payout's id source).
u64 payout_key(u64 seller, u64 cur, u64 di) { return (seller * 4 + cur) * 32 + di; }

struct Payouts {
  const World& w;
  // Day indexes (0-based) of the seller's payouts in the month: weekly or monthly.
  bool is_payout_day(const Seller& s, i64 di) const {
    return s.weekly ? di % 7 == s.payout_off : di == 9 + static_cast<i64>(s.payout_off);
  }
  i64 next(const Seller& s, i64 from) const {
    for (i64 d = std::max<i64>(from, 0); d < w.ndays; ++d)
      if (is_payout_day(s, d)) return d;
    return -1;
  }
  bool failed(u64 seller, u64 cur, i64 di) const {
    return hash4(w.p.seed, kTagPayFail, seller, payout_key(0, cur, static_cast<u64>(di))) % 1000 < 15;
  }
  i64 time(const Seller& s, i64 di) const { return w.t0 + di * kDay + 12 * 3600 + static_cast<i64>(s.payout_minute) * 60; }
};

enum Kind : u8 { kNoAcct, kAws, kSeller, kBuyer };
struct Acct {
  Kind kind = kNoAcct;
  u64 idx = 0;
};

enum Type : u8 {
  kSRS, kARS, kSRSRefund, kARSRefund, kSRSCredit, kARSCredit, kSTS, kSTSRefund, kATS, kATSRefund, kAdjust,
  kDisbursement, kDisbursementFailure
};
constexpr const char* kTypeNames[] = {"SELLER_REV_SHARE",        "AWS_REV_SHARE",           "SELLER_REV_SHARE_REFUND",
                                      "AWS_REV_SHARE_REFUND",    "SELLER_REV_SHARE_CREDIT", "AWS_REV_SHARE_CREDIT",
                                      "SELLER_TAX_SHARE",        "SELLER_TAX_SHARE_REFUND", "AWS_TAX_SHARE",
                                      "AWS_TAX_SHARE_REFUND",    "BALANCE_ADJUSTMENT",      "DISBURSEMENT",
                                      "DISBURSEMENT_FAILURE"};
enum Action : u8 { kInvoiced, kForgiven, kDisbursed };
constexpr const char* kActionNames[] = {"INVOICED", "FORGIVEN", "DISBURSED"};

// One billing row. Ids are row numbers (made into ids by mix40) or payout keys.
struct BRow {
  u64 id = 0;
  bool id_is_payout = false;  // id is kPayoutBase/kFailureBase + payout key
  Acct from, to;
  bool has_buyer_cols = true;  // end user, product, offer
  Action action = kInvoiced;
  Type type = kSRS;
  u64 parent = kNone;
  bool parent_is_payout = false;
  u64 disb = kNone;  // payout key
  i64 amount = 0;
  bool bi = true;
  i64 t = 0;
  i64 due = -1;
  u64 inv = kNone;  // invoice id source
  bool billing_addr = false;
  bool bank_trace = false;
};

struct TxnCtx {
  u64 seller = 0, product = 0, offer = 0, cur = 0;
  u64 end_user = 0;
  u64 payer = 0;
  u64 txn = 0;  // id source of transaction_reference_id
  bool txn_is_payout = false;
  bool period = false;  // usage period columns (metered products)
  i64 period_start = 0, period_end = 0;
  bool broker = false;
  u64 payout_for_trace = 0;
};

void put_acct(Buf& o, const World& w, Acct a) {
  switch (a.kind) {
    case kNoAcct: break;
    case kAws: o.put("AWS"); break;
    case kSeller: o.put(w.sellers[a.idx].id); break;
    case kBuyer: w.put_buyer(o, a.idx); break;
  }
}

void put_be_id(Buf& o, const World& w, u64 id) {
  o.put("be-");
  o.hex(mix40(id, w.key_be), 10);
}

void emit_billing(Buf& o, const World& w, const TxnCtx& c, const BRow& r, bool trim) {
  put_be_id(o, w, r.id);
  o.comma();
  o.put(w.sellers[c.seller].id);
  o.comma();
  put_acct(o, w, r.from);
  o.comma();
  put_acct(o, w, r.to);
  o.comma();
  if (r.has_buyer_cols) {
    w.put_buyer(o, c.end_user);
    o.comma();
    o.put(w.products[c.product].id);
    o.comma();
    o.put(w.offers[c.offer].id);
  } else {
    o.put(",,");
  }
  o.comma();
  o.put(kActionNames[r.action]);
  o.comma();
  o.put(kTypeNames[r.type]);
  o.comma();
  if (r.parent != kNone) put_be_id(o, w, r.parent);
  o.comma();
  if (r.disb != kNone) put_be_id(o, w, kPayoutBase + r.disb);
  o.comma();
  o.put(kCurrencies[c.cur]);
  o.comma();
  o.amount(r.amount, trim);
  o.put(r.bi ? ",1," : ",0,");
  o.ts(r.t);
  o.comma();
  if (r.due >= 0) o.ts(r.due);
  o.comma();
  if (c.period && r.action != kDisbursed) {
    o.ts(c.period_start);
    o.comma();
    o.ts(c.period_end);
  } else {
    o.comma();
  }
  o.comma();
  if (r.inv != kNone) {
    o.put("inv-");
    o.hex(mix40(r.inv, w.key_inv), 10);
  }
  o.comma();
  if (r.billing_addr) w.put_addr(o, c.payer, 'b');
  o.comma();
  o.put("txn-");
  o.hex(mix40(c.txn_is_payout ? kPayoutBase + c.txn : c.txn, w.key_txn), 10);
  o.comma();
  if (r.bank_trace) {
    o.put("TRC");
    o.hex(mix40(c.payout_for_trace, w.key_txn ^ 0xABCDEF), 10);
  }
  o.comma();
  if (c.broker) o.put("brk-0001");
  o.nl();
}

i64 share(i64 amount, i64 parts_per_million) {
  const i128 v = static_cast<i128>(amount) * parts_per_million;
  return static_cast<i64>(v >= 0 ? (v + 500'000) / 1'000'000 : -((-v + 500'000) / 1'000'000));
}

struct BillingGen {
  const World& w;
  Payouts pay{w};

  // Generates rows [first, end) of the billing file: whole transactions, the last one cut down to
  // fit (its optional parts dropped), so every chunk holds exactly its rows.
  void chunk(u64 c, Buf& o, PayMap& payouts) const {
    const u64 first = c * kChunkRows;
    const u64 end = std::min(w.p.events, first + kChunkRows);
    Rng r(hash3(w.p.seed, kTagBilling, c));
    const i64 span = w.t1 - w.t0;
    std::vector<BRow> rows;
    rows.reserve(16);
    u64 row = first;
    while (row < end) {
      const u64 remaining = end - row;
      // Invoice time follows the row position (the file grows through the month), plus jitter;
      // a few are late deliveries of the month before (outside the period).
      i64 t = w.t0 + static_cast<i64>(static_cast<u128>(row) * static_cast<u64>(span) / std::max<u64>(w.p.events, 1));
      t = std::min(t + static_cast<i64>(r.below(900)), w.t1 - 1);
      if (r.chance(0.001)) t = w.t0 - 1 - static_cast<i64>(r.below(6 * 3600));
      const i64 di = floor_div(t - w.t0, kDay);

      TxnCtx x;
      x.seller = w.seller_zipf(r);
      const Seller& s = w.sellers[x.seller];
      const u64 np = std::min<u64>(s.products.size(), w.small_zipf.size() - 1);
      x.product = s.products[w.small_zipf[np](r)];
      const Product& pr = w.products[x.product];
      x.offer = pr.offers[r.below(pr.offers.size())];
      x.cur = pr.cur;
      BuyerFlags bf;
      for (int tries = 0; tries < 8; ++tries) {
        x.payer = w.buyer_zipf(r);
        bf = w.flags(x.payer);
        if (World::usable(bf, di)) break;
      }
      x.end_user = x.payer;
      if (r.chance(0.12)) {
        const u64 e = w.linked(x.payer, r.below(3));
        if (World::usable(w.flags(e), di)) x.end_user = e;
      }
      x.txn = row;
      x.broker = r.chance(0.01);
      x.period = pr.metered;
      if (pr.metered) {  // usage of the month before the invoice
        const i64 day = floor_div(t, kDay);
        i64 y;
        unsigned mo, d;
        civil_from_days(day, y, mo, d);
        const i64 this_month = days_from_civil(y, mo, 1);
        const i64 prev_month = mo == 1 ? days_from_civil(y - 1, 12, 1) : days_from_civil(y, mo - 1, 1);
        x.period_start = prev_month * kDay;
        x.period_end = this_month * kDay - 1;
      }
      const bool billing_addr = bf.billing && r.chance(0.5);
      const bool trim = r.chance(0.02);

      // Amounts (micro-units): fixed prices in whole cents, metered amounts to the micro-unit.
      i64 gross;
      if (pr.metered) {
        gross = static_cast<i64>(std::exp(std::log(0.01) + r.uniform() * (std::log(5000.0) - std::log(0.01))) * 1e6);
        gross = std::max<i64>(gross, 1);
      } else {
        gross = pr.price * (r.chance(0.8) ? 1 : r.between(2, 10));
      }
      const i64 fee = share(gross, static_cast<i64>(s.fee_bps) * 100);
      static constexpr i64 kTaxPpm[] = {62'500, 72'500, 88'750, 100'000, 190'000, 200'000};
      const double tu = r.uniform();
      u8 tax_kind = tu < 0.12 ? 1 : tu < 0.32 ? 2 : 0;  // 1 seller remits, 2 marketplace remits
      const i64 tax = tax_kind ? share(gross, r.pick(kTaxPpm)) : 0;

      // What happens to the transaction later in the month.
      auto later = [&](i64 lo_days, i64 hi_days) { return t + r.between(lo_days, hi_days) * kDay + r.between(0, 7200); };
      const double fate = r.uniform();
      i64 t_forgive = -1, t_refund = -1;
      if (fate < 0.01) t_forgive = later(1, 20);
      else if (fate < 0.04) t_refund = later(2, 15);
      if (t_forgive >= w.t1) t_forgive = -1;
      if (t_refund >= w.t1) t_refund = -1;
      i64 t_credit = r.chance(0.005) ? later(1, 10) : -1;
      i64 t_adjust = r.chance(0.003) ? later(1, 10) : -1;
      if (t_credit >= w.t1 || t_forgive >= 0) t_credit = -1;
      if (t_adjust >= w.t1) t_adjust = -1;
      i64 payout_day = -1, retry_day = -1;
      if (t_forgive < 0 && t_refund < 0 && r.chance(0.40)) {
        payout_day = pay.next(s, di + 3);
        if (payout_day >= 0 && pay.failed(x.seller, x.cur, payout_day) && s.weekly) retry_day = pay.next(s, payout_day + 1);
      }
      i64 refund_amt = r.chance(0.7) ? gross : gross / 2 / 10'000 * 10'000;  // full, or half in cents
      if (refund_amt <= 0) refund_amt = gross;
      const i64 credit_amt = std::max<i64>(gross / 10 / 10'000 * 10'000, 10'000);
      const i64 adjust_amt = (r.chance(0.5) ? -1 : 1) * r.between(1, 5000) * 1'000;

      // Fit into the rows left in the chunk: drop the optional parts, last first.
      auto count = [&] {
        const u64 tax_rows = tax_kind ? 1 : 0;
        u64 n = 2 + tax_rows;
        if (t_forgive >= 0) n += 2 + tax_rows;
        if (t_refund >= 0) n += 2 + tax_rows;
        if (t_credit >= 0) n += 2;
        if (t_adjust >= 0) n += 1;
        const u64 lines = 2 + (tax_kind == 1 ? 1 : 0);
        if (payout_day >= 0) n += lines;
        if (retry_day >= 0) n += lines;
        return n;
      };
      if (count() > remaining) retry_day = -1;
      if (count() > remaining) payout_day = -1;
      if (count() > remaining) t_adjust = -1;
      if (count() > remaining) t_credit = -1;
      if (count() > remaining) t_refund = -1;
      if (count() > remaining) t_forgive = -1;
      if (count() > remaining) tax_kind = 0;

      rows.clear();
      const Acct seller_acct{kSeller, x.seller}, payer_acct{kBuyer, x.payer}, aws{kAws, 0};
      if (remaining == 1) {  // a lone balance adjustment
        BRow a;
        a.id = row;
        a.from = aws;
        a.to = seller_acct;
        a.type = kAdjust;
        a.amount = adjust_amt;
        a.t = t;
        a.inv = row;
        rows.push_back(a);
      } else {
        const u64 srs = row, ars = row + 1, tx = row + 2;
        const i64 due = t + 30 * kDay;
        BRow b;
        b.id = srs;
        b.from = payer_acct;
        b.to = seller_acct;
        b.type = kSRS;
        b.amount = gross;
        b.t = t;
        b.due = due;
        b.inv = row;
        b.billing_addr = billing_addr;
        rows.push_back(b);
        b.id = ars;
        b.from = seller_acct;
        b.to = aws;
        b.type = kARS;
        b.amount = -fee;
        rows.push_back(b);
        if (tax_kind == 1) {
          b.id = tx;
          b.from = payer_acct;
          b.to = seller_acct;
          b.type = kSTS;
          b.amount = tax;
          rows.push_back(b);
        } else if (tax_kind == 2) {
          b.id = tx;
          b.from = payer_acct;
          b.to = aws;
          b.type = kATS;
          b.amount = tax;
          b.bi = false;
          rows.push_back(b);
        }
        const std::size_t invoice_rows = rows.size();
        auto next_id = [&] { return row + rows.size(); };
        if (t_forgive >= 0) {  // the invoice rows mirrored with the opposite sign
          for (std::size_t i = 0; i < invoice_rows; ++i) {
            BRow f = rows[i];
            f.parent = f.id;
            f.id = next_id();
            f.action = kForgiven;
            f.amount = -f.amount;
            f.t = t_forgive;
            rows.push_back(f);
          }
        }
        if (t_refund >= 0) {
          const i64 rfee = share(refund_amt, static_cast<i64>(s.fee_bps) * 100);
          const i64 rtax = tax_kind ? share(tax, refund_amt * 1'000'000 / gross) : 0;
          BRow f;
          f.inv = row | (u64{1} << 38);  // the refund's own invoice id
          f.t = t_refund;
          f.billing_addr = billing_addr;
          f.id = next_id();
          f.parent = srs;
          f.from = payer_acct;
          f.to = seller_acct;
          f.type = kSRSRefund;
          f.amount = -refund_amt;
          rows.push_back(f);
          f.id = next_id();
          f.parent = ars;
          f.from = aws;
          f.type = kARSRefund;
          f.amount = rfee;
          rows.push_back(f);
          if (tax_kind) {
            f.id = next_id();
            f.parent = tx;
            f.from = payer_acct;
            f.to = tax_kind == 1 ? seller_acct : aws;
            f.type = tax_kind == 1 ? kSTSRefund : kATSRefund;
            f.bi = tax_kind == 1;
            f.amount = -rtax;
            rows.push_back(f);
          }
        }
        if (t_credit >= 0) {
          BRow f;
          f.inv = row | (u64{2} << 38);
          f.t = t_credit;
          f.id = next_id();
          f.from = payer_acct;
          f.to = seller_acct;
          f.type = kSRSCredit;
          f.amount = -credit_amt;
          rows.push_back(f);
          f.id = next_id();
          f.from = aws;
          f.type = kARSCredit;
          f.amount = share(credit_amt, static_cast<i64>(s.fee_bps) * 100);
          rows.push_back(f);
        }
        if (t_adjust >= 0) {
          BRow f;
          f.inv = row | (u64{3} << 38);
          f.t = t_adjust;
          f.id = next_id();
          f.from = aws;
          f.to = seller_acct;
          f.type = kAdjust;
          f.amount = adjust_amt;
          rows.push_back(f);
        }
        // Disbursement lines: the balance-impacting invoice rows, sign flipped, pointing at the
        // row they settle and at the payout; again at the retry payout when the first one failed.
        for (const i64 day : {payout_day, retry_day}) {
          if (day < 0) continue;
          const u64 key = payout_key(x.seller, x.cur, static_cast<u64>(day));
          PayAcc& acc = payouts[key];
          for (std::size_t i = 0; i < invoice_rows; ++i) {
            if (!rows[i].bi) continue;
            BRow f = rows[i];
            f.parent = f.id;
            f.id = next_id();
            f.action = kDisbursed;
            f.amount = -f.amount;
            f.disb = key;
            f.t = pay.time(s, day);
            f.due = -1;
            f.inv = kNone;
            f.billing_addr = false;
            acc.amount -= f.amount;
            ++acc.lines;
            rows.push_back(f);
          }
        }
      }
      for (const BRow& b : rows) emit_billing(o, w, x, b, trim);
      row += rows.size();
    }
  }

  // The payouts (and failures) of the month, after every transaction: one DISBURSEMENT per
  // (seller, currency, payout day) with lines, its amount the sum the lines settle.
  u64 payouts(Buf& o, const std::map<u64, PayAcc>& all) const {
    u64 n = 0;
    for (const auto& [key, acc] : all) {
      TxnCtx x;
      x.seller = key / 32 / 4;
      x.cur = key / 32 % 4;
      const i64 day = static_cast<i64>(key % 32);
      x.txn = key;
      x.txn_is_payout = true;
      x.payout_for_trace = key;
      const Seller& s = w.sellers[x.seller];
      BRow p;
      p.id = kPayoutBase + key;
      p.from = {kAws, 0};
      p.to = {kSeller, x.seller};
      p.has_buyer_cols = false;
      p.action = kDisbursed;
      p.type = kDisbursement;
      p.amount = acc.amount;
      p.t = pay.time(s, day);
      p.bank_trace = true;
      emit_billing(o, w, x, p, false);
      ++n;
      if (pay.failed(x.seller, x.cur, day)) {
        BRow f = p;
        f.id = kFailureBase + key;
        f.from = {kSeller, x.seller};
        f.to = {kAws, 0};
        f.type = kDisbursementFailure;
        f.parent = kPayoutBase + key;
        f.amount = -acc.amount;
        f.t = p.t + 2 * 3600;
        emit_billing(o, w, x, f, false);
        ++n;
      }
    }
    return n;
  }
};

constexpr std::string_view kBillingHeader =
    "billing_event_id,recipient_account_id,from_account_id,to_account_id,end_user_account_id,product_id,offer_id,"
    "action,transaction_type,parent_billing_event_id,disbursement_billing_event_id,currency,amount,"
    "balance_impacting,invoice_date,payment_due_date,usage_period_start_date,usage_period_end_date,invoice_id,"
    "billing_address_id,transaction_reference_id,bank_trace_id,broker_id\n";

// ---- usage ------------------------------------------------------------------------------------

constexpr const char* kRegions[] = {"us-east-1", "us-east-1", "us-east-1", "us-east-2",    "us-west-2",      "us-west-2",
                                    "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1"};

constexpr std::string_view kUsageHeader =
    "usage_feed_id,recipient_account_id,usage_date,product_id,offer_id,agreement_id,end_user_account_id,"
    "payer_account_id,region,dimension_key,usage_unit,usage_quantity,pricing_currency,"
    "usage_rate_per_unit_in_pricing_currency,estimated_revenue_in_pricing_currency,charge_item_description,"
    "valid_from,insert_date,update_date,delete_date\n";

struct UsageGen {
  const World& w;

  void row(Buf& o, u64 id, u64 seller, i64 day, u64 product, u64 offer, u64 payer, u64 end_user, const char* region,
           i64 qty, bool trim, i64 ins, i64 upd, i64 del) const {
    const Product& p = w.products[product];
    o.put("uf-");
    o.hex(mix40(id, w.key_uf), 10);
    o.comma();
    o.put(w.sellers[seller].id);
    o.comma();
    o.date(day);
    o.comma();
    o.put(p.id);
    o.comma();
    o.put(w.offers[offer].id);
    o.put(",agmt-");
    o.hex(hash3(w.p.seed, payer, offer) & kMask40, 10);
    o.comma();
    w.put_buyer(o, end_user);
    o.comma();
    w.put_buyer(o, payer);
    o.comma();
    o.put(region);
    o.comma();
    o.put(p.dim_key);
    o.comma();
    o.put(p.unit);
    o.comma();
    o.amount(qty, trim);
    o.comma();
    o.put(kCurrencies[p.cur]);
    o.comma();
    o.amount(p.rate, true);
    o.comma();
    const i128 rev = (static_cast<i128>(qty) * p.rate + 500'000) / 1'000'000;
    o.amount(static_cast<i64>(rev), trim);
    o.comma();
    o.put(p.desc);
    hist(o, day * kDay, ins, upd, del);
  }

  void chunk(u64 c, Buf& o) const {
    const u64 first = c * kChunkRows;
    const u64 end = std::min(w.p.usage, first + kChunkRows);
    Rng r(hash3(w.p.seed, kTagUsage, c));
    u64 n = first;
    while (n < end) {
      const u64 remaining = end - n;
      i64 di = static_cast<i64>(static_cast<u128>(n) * static_cast<u64>(w.ndays) / std::max<u64>(w.p.usage, 1));
      if (r.chance(0.002)) di = -1;  // the last day of the month before, delivered late
      const i64 day = w.m0 + di;
      const u64 seller = w.seller_zipf(r);
      const Seller& s = w.sellers[seller];
      const u64 np = std::min<u64>(s.products.size(), w.small_zipf.size() - 1);
      const u64 product = s.products[w.small_zipf[np](r)];
      const Product& p = w.products[product];
      const u64 offer = p.offers[r.below(p.offers.size())];
      u64 payer = 0;
      for (int tries = 0; tries < 8; ++tries) {
        payer = w.buyer_zipf(r);
        if (World::usable(w.flags(payer), di)) break;
      }
      u64 end_user = payer;
      if (r.chance(0.1)) {
        const u64 e = w.linked(payer, r.below(3));
        if (World::usable(w.flags(e), di)) end_user = e;
      }
      const char* region = r.pick(kRegions);
      i64 qty;
      const double q = r.uniform();
      if (q < 0.6) qty = r.between(1, 1000) * 1'000'000;
      else if (q < 0.9) qty = r.between(1, 744'000'000);  // fractional hours, to the micro-unit
      else qty = r.between(1000, p.rate < 1000 ? 50'000'000 : 100'000) * 1'000'000;  // many requests, few seats
      const bool trim = r.chance(0.3);
      const i64 ins = (day + 1) * kDay + 2 * 3600 + static_cast<i64>(r.below(3600));
      const double fate = r.uniform();
      row(o, n, seller, day, product, offer, payer, end_user, region, qty, trim, ins, ins, -1);
      u64 used = 1;
      if (remaining >= 2 && fate < 0.012) {  // corrected later: same id, later update_date, new quantity
        const i64 upd = ins + r.between(1, 3) * kDay;
        row(o, n, seller, day, product, offer, payer, end_user, region, qty + qty / 10, trim, upd, upd, -1);
        ++used;
      } else if (remaining >= 2 && fate < 0.014) {  // deleted later
        const i64 upd = ins + r.between(1, 3) * kDay;
        row(o, n, seller, day, product, offer, payer, end_user, region, qty, trim, upd, upd, upd);
        ++used;
      }
      n += used;
    }
  }
};

// ---- parallel, ordered chunk writing ----------------------------------------------------------

// Generates chunks 0..n-1 on `threads` threads (gen(chunk, buffer, worker)) and writes them to the
// file in chunk order: the bytes do not depend on the number of threads.
void run_chunks(OutFile& f, u64 n, unsigned threads, const std::function<void(u64, Buf&, unsigned)>& gen) {
  std::atomic<u64> next{0};
  std::mutex m;
  std::condition_variable cv;
  u64 turn = 0;
  std::exception_ptr error;
  auto worker = [&](unsigned wi) {
    Buf b;
    b.s.reserve(kChunkRows * 320);
    for (;;) {
      const u64 c = next.fetch_add(1);
      if (c >= n) return;
      try {
        b.s.clear();
        gen(c, b, wi);
      } catch (...) {
        std::lock_guard lk(m);
        if (!error) error = std::current_exception();
        cv.notify_all();
        return;
      }
      std::unique_lock lk(m);
      cv.wait(lk, [&] { return turn == c || error; });
      if (error) return;
      try {
        f.write(b.s);
      } catch (...) {
        error = std::current_exception();
        cv.notify_all();
        return;
      }
      ++turn;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back(worker, i);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int run(const Params& p) {
  const auto start = std::chrono::steady_clock::now();
  const World w = build_world(p);
  std::vector<FileStat> stats;

  // Dimension feeds: one task per feed, in parallel (each file is written by one thread).
  {
    const auto t = std::chrono::steady_clock::now();
    std::vector<std::function<std::vector<FileStat>()>> tasks = {
        [&] { return write_accounts(w); }, [&] { return write_addresses(w); },
        [&] { return write_products_offers(w); }};
    std::vector<std::vector<FileStat>> results(tasks.size());
    std::vector<std::exception_ptr> errors(tasks.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < std::min<unsigned>(p.threads, static_cast<unsigned>(tasks.size())); ++i)
      pool.emplace_back([&] {
        for (std::size_t k; (k = next.fetch_add(1)) < tasks.size();) {
          try {
            results[k] = tasks[k]();
          } catch (...) {
            errors[k] = std::current_exception();
          }
        }
      });
    for (auto& th : pool) th.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    for (auto& r : results) stats.insert(stats.end(), r.begin(), r.end());
    std::fprintf(stderr, "ba-generate: dimensions and enrollment in %.2f s\n", seconds_since(t));
  }

  // Billing events: chunks in parallel, then the payouts.
  {
    const auto t = std::chrono::steady_clock::now();
    OutFile f(feed_path(w, "billing_event_v1", p.year, p.month));
    f.write(kBillingHeader);
    const BillingGen gen{w};
    std::vector<PayMap> maps(p.threads);
    const u64 nchunks = (p.events + kChunkRows - 1) / kChunkRows;
    run_chunks(f, nchunks, p.threads, [&](u64 c, Buf& b, unsigned wi) { gen.chunk(c, b, maps[wi]); });
    std::map<u64, PayAcc> all;
    for (const auto& mp : maps)
      for (const auto& [k, v] : mp) {
        all[k].amount += v.amount;
        all[k].lines += v.lines;
      }
    Buf b;
    const u64 payouts = gen.payouts(b, all);
    f.write(b.s);
    f.close();
    stats.push_back({f.path(), p.events + payouts, f.bytes()});
    std::fprintf(stderr, "ba-generate: %llu billing events (%llu payout rows) in %.2f s\n",
                 static_cast<unsigned long long>(p.events + payouts), static_cast<unsigned long long>(payouts),
                 seconds_since(t));
  }

  // Usage records.
  {
    const auto t = std::chrono::steady_clock::now();
    OutFile f(feed_path(w, "daily_usage_v1", p.year, p.month));
    f.write(kUsageHeader);
    const UsageGen gen{w};
    const u64 nchunks = (p.usage + kChunkRows - 1) / kChunkRows;
    run_chunks(f, nchunks, p.threads, [&](u64 c, Buf& b, unsigned) { gen.chunk(c, b); });
    f.close();
    stats.push_back({f.path(), p.usage, f.bytes()});
    std::fprintf(stderr, "ba-generate: %llu usage records in %.2f s\n", static_cast<unsigned long long>(p.usage),
                 seconds_since(t));
  }

  u64 total = 0;
  std::printf("%-52s %12s %14s\n", "file (under --out)", "rows", "bytes");
  for (const auto& s : stats) {
    const std::string rel = s.path.compare(0, p.out.size() + 1, p.out + "/") == 0 ? s.path.substr(p.out.size() + 1) : s.path;
    std::printf("%-52s %12llu %14llu\n", rel.c_str(), static_cast<unsigned long long>(s.rows),
                static_cast<unsigned long long>(s.bytes));
    total += s.bytes;
  }
  std::printf("ba-generate: %llu sellers, %llu buyers, %zu products, %zu offers; %.1f MB in %.2f s (%u threads)\n",
              static_cast<unsigned long long>(w.K), static_cast<unsigned long long>(w.B), w.products.size(),
              w.offers.size(), static_cast<double>(total) / 1e6, seconds_since(start), p.threads);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Params p = parse_args(argc, argv);
  try {
    return run(p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ba-generate: error: %s\n", e.what());
    return 1;
  }
}
