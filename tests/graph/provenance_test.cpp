#include "graph/provenance.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using testing::Out;
using testing::Web;

// ORE -> (separation) OX -> split OX-1; OX-1 + FE -> (alloying) ALY, SLAG.
Web SmallWeb() {
  Web w;
  w.Party("a", "AU");
  w.Create("a", "ORE", "re_ore", 1000, 100, "AU");  // 2
  w.Transform("a", "separation", "AU", std::nullopt, {{"ORE", 1000}},
              {Out{"OX", "re_oxide", 100, 1000}});  // 3
  w.Split("a", "OX", {{"OX-1", 40}});               // 4
  w.Create("a", "FE", "other", 500, 50, "AU");      // 5
  w.Transform("a", "alloying", "AU", std::nullopt, {{"OX-1", 40}, {"FE", 60}},
              {Out{"ALY", "re_alloy", 90, 5000}, Out{"SLAG", "other", 10, 0}},
              std::map<std::string, ledger::Fraction>{{"ALY", {1, 1}}, {"SLAG", {0, 1}}});  // 6
  return w;
}

size_t Pos(const std::vector<std::string>& order, const std::string& id) {
  return std::find(order.begin(), order.end(), id) - order.begin();
}

TEST_CASE("provenance: upstream cone holds ancestors only", "[provenance]") {
  Web w = SmallWeb();
  auto g = ProvenanceGraph::Load(w.source(), "ALY", Direction::kUp);
  REQUIRE(g.ok());
  CHECK(g->LotCount() == 5);  // ALY, OX-1, FE, OX, ORE
  CHECK(!g->Contains("SLAG"));
  auto order = g->TopologicalOrder();
  REQUIRE(order.size() == 5);
  CHECK(Pos(order, "ORE") < Pos(order, "OX"));
  CHECK(Pos(order, "OX") < Pos(order, "OX-1"));
  CHECK(Pos(order, "OX-1") < Pos(order, "ALY"));
  CHECK(Pos(order, "FE") < Pos(order, "ALY"));
  auto into = g->Into("ALY");
  REQUIRE(into.size() == 2);
  CHECK(into[0].from == "FE");
  CHECK(into[0].mass_g == 60);
  CHECK(into[0].index == 6);
  CHECK(into[0].allocation->num == 1);
  CHECK(into[1].from == "OX-1");
  auto split = g->Into("OX-1");
  REQUIRE(split.size() == 1);
  CHECK(split[0].kind == ledger::EntryType::kSplit);
  CHECK(split[0].mass_g == 40);
  CHECK(g->Derivations().size() == 4);
}

TEST_CASE("provenance: downstream cone follows consumers", "[provenance]") {
  Web w = SmallWeb();
  auto g = ProvenanceGraph::Load(w.source(), "OX", Direction::kDown);
  REQUIRE(g.ok());
  CHECK(g->LotCount() == 4);  // OX, OX-1, ALY, SLAG
  CHECK(!g->Contains("FE"));
  auto out = g->OutOf("OX-1");
  REQUIRE(out.size() == 2);
  CHECK(out[0].to == "ALY");
  CHECK(out[1].to == "SLAG");
  CHECK(out[1].allocation->num == 0);
  auto leaf = ProvenanceGraph::Load(w.source(), "SLAG", Direction::kDown);
  REQUIRE(leaf.ok());
  CHECK(leaf->LotCount() == 1);
}

TEST_CASE("provenance: smallest path respects the allowed intermediates", "[provenance]") {
  Web w = SmallWeb();
  auto g = ProvenanceGraph::Load(w.source(), "ALY", Direction::kUp);
  REQUIRE(g.ok());
  auto any = [](const std::string&) { return true; };
  CHECK(g->SmallestPath("ORE", "ALY", any) == std::vector<std::string>{"ORE", "OX", "OX-1", "ALY"});
  CHECK(g->SmallestPath("ALY", "ALY", any) == std::vector<std::string>{"ALY"});
  auto not_ox1 = [](const std::string& id) { return id != "OX-1"; };
  CHECK(!g->SmallestPath("ORE", "ALY", not_ox1));
  CHECK(!g->SmallestPath("ALY", "ORE", any));
}

TEST_CASE("provenance: unknown lot is NotFound", "[provenance]") {
  Web w = SmallWeb();
  auto g = ProvenanceGraph::Load(w.source(), "NOPE", Direction::kUp);
  REQUIRE(!g.ok());
  CHECK(g.status().code() == ledger::Code::kNotFound);
}

}  // namespace
}  // namespace rareledger::graph
