#include "ledger/vocabulary.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace rareledger::ledger {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const std::vector<std::string>& LotCategories() {
  static const std::vector<std::string> kCategories = {
      "re_ore",    "re_concentrate", "re_oxide",  "re_metal", "re_alloy",
      "re_magnet", "re_target",      "component", "product",  "other"};
  return kCategories;
}

const std::vector<std::string>& TransformProcesses() {
  static const std::vector<std::string> kProcesses = {
      "mining",    "separation",
      "metal_smelting", "alloying",
      "magnet_manufacturing", "recycling",
      "component_manufacturing", "assembly",
      "other"};
  return kProcesses;
}

bool IsCountryCode(std::string_view code) {
  if (code == "XK") return true;
  const auto& codes = IsoCountryCodes();
  return std::binary_search(codes.begin(), codes.end(), code,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

std::optional<std::string> ClosestValue(std::string_view got,
                                        const std::vector<std::string>& vocabulary) {
  const std::string low = Lower(got);
  for (const auto& v : vocabulary)
    if (Lower(v) == low) return v;
  if (low.size() >= 3) {
    for (const auto& v : vocabulary)
      if (v.find(low) != std::string::npos || low.find(v) != std::string::npos) return v;
  }
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(1, low.size() / 3) + 1;
  for (const auto& v : vocabulary) {
    size_t d = EditDistance(low, v);
    if (d < best_distance) best = v, best_distance = d;
  }
  return best;
}

std::optional<std::string> ClosestCountry(std::string_view got) {
  static const std::map<std::string, std::string> kCommon = {
      {"UK", "GB"},  {"EL", "GR"},  {"CHN", "CN"}, {"USA", "US"}, {"DEU", "DE"},
      {"JPN", "JP"}, {"AUS", "AU"}, {"GBR", "GB"}, {"FRA", "FR"}, {"KOR", "KR"},
      {"MYS", "MY"}, {"VNM", "VN"}, {"MMR", "MM"}, {"IND", "IN"}, {"RUS", "RU"},
      {"CAN", "CA"}, {"BRA", "BR"}, {"ZAF", "ZA"}, {"EST", "EE"}, {"TWN", "TW"}};
  std::string up(got);
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (auto it = kCommon.find(up); it != kCommon.end()) return it->second;
  if (up != got && IsCountryCode(up)) return up;
  return std::nullopt;
}

}  // namespace rareledger::ledger
