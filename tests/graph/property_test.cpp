// Random supply webs (fixed seeds): the cone-local engine (Assess) must agree
// with the slow whole-log reference (ReferenceAssessAll) on every lot.
#include <catch2/catch.hpp>
#include <cstdint>

#include "graph/assessment.h"
#include "tests/oracles/graph_reference.h"
#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using testing::Out;
using testing::Web;

// splitmix64: the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t In(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % (hi - lo + 1)); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Next() % v.size()];
  }

 private:
  uint64_t s_;
};

const std::vector<std::string> kCountries = {"CN", "CN", "JP", "US", "DE", "VN"};
const std::vector<std::string> kCategories = {"re_ore",    "re_oxide",  "re_metal",  "re_alloy",
                                              "re_magnet", "re_target", "component", "product"};
const std::vector<std::string> kProcesses = {"mining",   "separation",           "metal_smelting",
                                             "alloying", "magnet_manufacturing", "recycling",
                                             "assembly"};

std::optional<ledger::Elements> RandomElements(Rng& r) {
  switch (r.In(0, 4)) {
    case 0:
      return std::nullopt;
    case 1:
      return ledger::Elements{};
    case 2:
      return ledger::Elements{{"Nd", r.In(1, 50)}};
    case 3:
      return ledger::Elements{{"Dy", r.In(0, 5)}, {"Nd", r.In(1, 50)}};
    default:
      return ledger::Elements{{"Tb", r.In(1, 5)}};
  }
}

class WebGenerator {
 public:
  explicit WebGenerator(uint64_t seed) : r_(seed) {}

  Web Build(int steps) {
    Web w;
    for (int i = 0; i < 5; ++i) {
      parties_.push_back("p" + std::to_string(i));
      w.Party(parties_.back(), r_.Pick(kCountries));
    }
    for (int i = 0; i < steps; ++i) Step(w);
    // Corrections at the end of the log, after their lots were consumed:
    // every determination reads the corrected records.
    for (int i = 0; i < r_.In(0, 3); ++i) Correct(w);
    return w;
  }

 private:
  std::string NewLot() { return "L" + std::to_string(next_lot_++); }

  // Lots with mass left held by `party` (or anyone, when empty).
  std::vector<std::string> Live(const Web& w, const std::string& party = "") {
    std::vector<std::string> out;
    for (const auto& [id, lot] : w.state().lots())
      if (lot.remaining_g > 0 && (party.empty() || lot.holder == party)) out.push_back(id);
    return out;
  }

  void Step(Web& w) {
    auto live = Live(w);
    int kind = live.empty() ? 0 : static_cast<int>(r_.In(0, 9));
    if (kind <= 2) {
      w.Create(r_.Pick(parties_), NewLot(), r_.Pick(kCategories), r_.In(1, 1000),
               r_.In(0, 9) == 0 ? 0 : r_.In(1, 100000), r_.Pick(kCountries), RandomElements(r_));
    } else if (kind <= 4) {
      const auto& lot = w.state().lots().at(r_.Pick(live));
      std::optional<int64_t> value;
      if (r_.In(0, 1)) value = r_.In(0, 200000);
      std::string to = r_.Pick(parties_);
      if (to == lot.holder) to = parties_[(std::stoul(to.substr(1)) + 1) % parties_.size()];
      w.Transfer(lot.holder, lot.id, to, value);
    } else if (kind == 5) {
      const auto& lot = w.state().lots().at(r_.Pick(live));
      int64_t left = lot.remaining_g;
      std::vector<ledger::LotMass> parts;
      for (int i = 0; i < r_.In(1, 2) && left > 0; ++i) {
        int64_t m = r_.In(1, left);
        left -= m;
        parts.push_back({NewLot(), m});
      }
      w.Split(lot.holder, lot.id, parts);
    } else {
      Transform(w, w.state().lots().at(r_.Pick(live)).holder);
    }
  }

  void Correct(Web& w) {
    std::vector<std::string> ids;
    for (const auto& [id, lot] : w.state().lots()) ids.push_back(id);
    const auto& lot = w.state().lots().at(r_.Pick(ids));
    ledger::CorrectLot c;
    c.lot = lot.id;
    c.reason = "random correction";
    if (r_.In(0, 1)) c.category = r_.Pick(kCategories);
    if (c.category == lot.category) c.category.reset();
    auto elements = RandomElements(r_);
    int64_t grams = 0;
    if (elements)
      for (const auto& [sym, g] : *elements) grams += g;
    if (elements && grams <= lot.mass_g &&
        (elements != lot.elements || lot.elements_basis_g != lot.mass_g))
      c.elements = elements;
    if (c.category || c.elements) w.Correct(lot.creator, c);
  }

  void Transform(Web& w, const std::string& party) {
    auto mine = Live(w, party);
    std::vector<ledger::LotMass> inputs;
    for (int i = 0; i < r_.In(1, 3) && !mine.empty(); ++i) {
      size_t k = r_.Next() % mine.size();
      inputs.push_back({mine[k], r_.In(1, w.state().lots().at(mine[k]).remaining_g)});
      mine.erase(mine.begin() + k);
    }
    std::vector<Out> outs;
    const int n = static_cast<int>(r_.In(1, 3));
    for (int i = 0; i < n; ++i)
      outs.push_back(Out{NewLot(), r_.Pick(kCategories), r_.In(1, 1000),
                         r_.In(0, 6) == 0 ? 0 : r_.In(1, 300000), RandomElements(r_)});
    std::optional<std::map<std::string, ledger::Fraction>> allocation;
    if (r_.In(0, 2) == 0) {
      uint64_t den = r_.In(1, 12), left = den;
      allocation.emplace();
      for (int i = 0; i < n; ++i) {
        uint64_t num = i + 1 == n ? left : r_.In(0, left);
        left -= num;
        (*allocation)[outs[i].lot] = {num, den};
      }
    }
    std::optional<std::string> tech;
    if (r_.In(0, 2) > 0) tech = r_.Pick(kCountries);
    w.Transform(party, r_.Pick(kProcesses), r_.Pick(kCountries), tech, inputs, outs, allocation);
  }

  Rng r_;
  std::vector<std::string> parties_;
  int next_lot_ = 0;
};

const std::vector<std::string> kEndUses = {"civil", "military", "humanitarian", "research",
                                           "unknown"};

// Dates on and around the edges of StatesPolicy's windows.
const std::vector<std::string> kStateDates = {"2025-06-01", "2026-02-28", "2026-03-01",
                                              "2026-06-30", "2026-07-01", "2026-09-30",
                                              "2026-10-01", "2027-01-01"};

// How much of the interesting ground the random webs covered.
struct Coverage {
  size_t lots = 0, licensed = 0, foreign_content = 0, infinite = 0, multi = 0, unknown = 0, screened = 0,
         exempt = 0, located = 0, partial = 0;
};

void Compare(const Web& w, const Policy& p, const std::string& as_of, Coverage* cov,
             const ReferenceShipment* ship = nullptr) {
  const auto reference = ReferenceAssessAll(w.entries(), p, as_of, ship);
  REQUIRE(reference.size() == w.state().lots().size());
  std::optional<Shipment> shipment;
  if (ship) shipment = Shipment{ship->to, ship->end_user, ship->end_use};
  for (const auto& [id, want] : reference) {
    auto got = Assess(w.source(), p, id, as_of, shipment);
    REQUIRE(got.ok());
    INFO("lot " << id << " policy " << p.id << " on " << as_of);
    CHECK(got->controlled_origin_item == want.controlled_origin_item);
    CHECK(got->foreign_made == want.foreign_made);
    CHECK(FormatFraction(got->lot_value) == want.lot_value);
    CHECK(FormatFraction(got->controlled_content) == want.controlled_content);
    CHECK(got->ratio.Fraction() == want.ratio);
    CHECK(got->license_required == want.license_required);
    CHECK(VerdictName(got->verdict) == want.verdict);
    std::map<std::string, std::string> contents;
    std::map<std::string, std::vector<std::string>> paths;
    for (const auto& c : got->contributors) {
      contents[c.lot] = FormatFraction(c.content);
      paths[c.lot] = c.path;
    }
    CHECK(contents == want.contributors);
    CHECK(paths == want.paths);
    std::vector<uint64_t> tech;
    for (const auto& f : got->technology_findings) tech.push_back(f.index);
    CHECK(tech == want.technology_indexes);
    for (const auto& rule : got->rules) CHECK(rule.triggered == want.rule_triggered.at(rule.id));
    ++cov->lots;
    cov->licensed += got->license_required;
    cov->foreign_content += got->controlled_content > 0 && !got->controlled_origin_item;
    cov->infinite += got->ratio.infinite();
    cov->multi += got->contributors.size() > 1;
    cov->unknown += got->verdict == Verdict::kUnknown;
    cov->screened += !got->screening.empty() && got->verdict != Verdict::kNotRequired;
    cov->exempt += got->exemption.has_value();
    for (const auto& rule : got->rules)
      cov->located += rule.kind == RuleKind::kProcessLocation && rule.applies && rule.triggered;
    cov->partial += got->covered_mass_share && *got->covered_mass_share > 0 &&
                    *got->covered_mass_share < 1;
  }
}

TEST_CASE("property: cone engine matches the reference on random webs", "[property]") {
  const Policy ge = testing::TestPolicy(">=");
  const Policy gt = testing::TestPolicy(">");
  const Policy p61 = testing::ShippedPolicy("cn-mofcom-2025-61.json");
  const Policy states = testing::StatesPolicy();
  const Policy screening = testing::ScreeningPolicy();
  const Policy banned = testing::ScreeningPolicy("prohibition");
  const Policy dfars = testing::ShippedPolicy("us-dfars-252-225-7052.json");
  Coverage cov;
  for (uint64_t seed = 1; seed <= 500; ++seed) {
    WebGenerator gen(seed);
    Web w = gen.Build(static_cast<int>(10 + seed % 50));
    Compare(w, seed % 2 ? ge : gt, "2025-06-01", &cov);
    if (seed % 5 == 0) Compare(w, p61, seed % 10 ? "2025-10-20" : "2026-11-11", &cov);
    // The states: in force, suspended, unknown, around each window's edges.
    Compare(w, states, kStateDates[seed % kStateDates.size()], &cov);
    // Screening: a shipment of every lot to one party, with an end use.
    Rng r(seed * 7919);
    ReferenceShipment ship{"p" + std::to_string(r.In(0, 4)), std::nullopt, std::nullopt};
    if (r.In(0, 2) == 0) ship.end_user = r.In(0, 1) ? "shell  CO" : "someone else";
    if (r.In(0, 4) > 0) ship.end_use = r.Pick(kEndUses);
    Compare(w, seed % 3 ? screening : banned, kStateDates[(seed / 3) % kStateDates.size()], &cov,
            &ship);
    // Mass shares and process locations (DFARS), before and after 2027.
    Compare(w, dfars, seed % 2 ? "2026-06-01" : "2027-01-01", &cov);
  }
  CHECK(cov.lots > 10000);
  CHECK(cov.licensed > 1000);
  CHECK(cov.foreign_content > 1000);
  CHECK(cov.infinite > 100);
  CHECK(cov.multi > 300);
  CHECK(cov.unknown > 200);
  CHECK(cov.screened > 100);
  CHECK(cov.exempt > 50);
  CHECK(cov.located > 200);
  CHECK(cov.partial > 200);
}

}  // namespace
}  // namespace rareledger::graph
