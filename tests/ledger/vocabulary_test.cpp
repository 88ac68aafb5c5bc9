// Tests for ledger/vocabulary.h: the closed category, process and country
// vocabularies and the near-miss suggestions.
#include "ledger/vocabulary.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace rareledger::ledger {
namespace {

TEST_CASE("the ISO 3166-1 list holds the 249 officially assigned codes, sorted, once each",
          "[vocabulary]") {
  const auto& codes = IsoCountryCodes();
  CHECK(codes.size() == 249);
  std::set<std::string> unique(codes.begin(), codes.end());
  CHECK(unique.size() == 249);
  for (size_t i = 1; i < codes.size(); ++i) {
    INFO(codes[i - 1] << " " << codes[i]);
    CHECK(std::string(codes[i - 1]) < std::string(codes[i]));
  }
  for (const char* c : codes) {
    INFO(c);
    CHECK(std::string(c).size() == 2);
    CHECK(IsCountryCode(c));
  }
}

TEST_CASE("country codes: assigned ones and XK pass, reserved and user-assigned ones fail",
          "[vocabulary]") {
  for (const char* ok : {"CN", "DE", "JP", "AU", "US", "SS", "XK", "GB", "MY", "VN", "EE", "BQ",
                         "CW", "SX", "AX", "ZW", "AD"})
    CHECK(IsCountryCode(ok));
  for (const char* bad : {"UK", "EU", "ZZ", "XX", "AA", "QM", "QZ", "XA", "XZ", "EL", "AN", "YU",
                          "CS", "TP", "cn", "C", "CHN", "", "UN"}) {
    INFO(bad);
    CHECK_FALSE(IsCountryCode(bad));
  }
}

TEST_CASE("near misses get the closest valid value, far misses none", "[vocabulary]") {
  CHECK(ClosestValue("magnet", LotCategories()) == std::optional<std::string>("re_magnet"));
  CHECK(ClosestValue("RE_ORE", LotCategories()) == std::optional<std::string>("re_ore"));
  CHECK(ClosestValue("re_oxyde", LotCategories()) == std::optional<std::string>("re_oxide"));
  CHECK(ClosestValue("seperation", TransformProcesses()) ==
        std::optional<std::string>("separation"));
  CHECK(ClosestValue("alchemy", TransformProcesses()) == std::nullopt);
  CHECK(ClosestValue("zzzzzz", LotCategories()) == std::nullopt);
  CHECK(ClosestCountry("UK") == std::optional<std::string>("GB"));
  CHECK(ClosestCountry("cn") == std::optional<std::string>("CN"));
  CHECK(ClosestCountry("CHN") == std::optional<std::string>("CN"));
  CHECK(ClosestCountry("ZZ") == std::nullopt);
}

TEST_CASE("the vocabularies are SPEC's ten categories and nine processes", "[vocabulary]") {
  CHECK(LotCategories().size() == 10);
  CHECK(TransformProcesses().size() == 9);
  CHECK(LotCategories().front() == "re_ore");
  CHECK(TransformProcesses().back() == "other");
}

}  // namespace
}  // namespace rareledger::ledger
