// The DOT rendering of a trace: a ten-tier chain must parse and render with
// Graphviz (a build dependency: without `dot` these tests fail, they never
// skip), one row per tier, red only where controlled content flows.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "graph/assessment.h"
#include "graph/trace.h"
#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using testing::Out;
using testing::Web;

// Tier 0 CN Dy oxide T0 (COI) -> tier 1 split part T1 (COI) -> tier 2 JP
// metal T2, with a 0/1 share to scrap Z2 -> T3 .. T9, one transform each.
Web TenTiers() {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "T0", "re_oxide", 1000, 100000, "CN", ledger::Elements{{"Dy", 800}});
  w.Split("cn", "T0", {{"T1", 500}});
  w.Transfer("cn", "T1", "jp");
  w.Transform("jp", "metal_smelting", "JP", std::nullopt, {{"T1", 500}},
              {Out{"T2", "re_metal", 400, 200000}, Out{"Z2", "other", 50, 0}},
              std::map<std::string, ledger::Fraction>{{"T2", {1, 1}}, {"Z2", {0, 1}}});
  const char* cats[] = {"re_alloy",  "re_magnet", "component", "component",
                        "component", "component", "product"};
  for (int i = 3; i <= 9; ++i) {
    const std::string from = "T" + std::to_string(i - 1), to = "T" + std::to_string(i);
    w.Transform("jp", "component_manufacturing", "JP", std::nullopt, {{from, 100}},
                {Out{to, cats[i - 3], 100, 1000000 * i}});
  }
  return w;
}

std::string Render(const std::string& dot, const std::string& format) {
  REQUIRE(std::system("command -v dot > /dev/null 2>&1") == 0);  // graphviz is required
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("rl-dot-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "t.dot") << dot;
  const std::string cmd = "dot -T" + format + " " + (dir / "t.dot").string() + " -o " +
                          (dir / ("t." + format)).string() + " 2>" + (dir / "err").string();
  const int rc = std::system(cmd.c_str());
  std::ifstream err(dir / "err");
  std::string errors((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  const auto size = fs::exists(dir / ("t." + format)) ? fs::file_size(dir / ("t." + format)) : 0;
  fs::remove_all(dir);
  INFO(errors);
  CHECK(rc == 0);
  CHECK(errors.empty());  // no warnings either (syntax, fonts, HTML labels)
  CHECK(size > 0);
  return errors;
}

TEST_CASE("dot: a ten-tier chain parses and renders, one rank per tier", "[dot]") {
  Web w = TenTiers();
  Policy p = testing::TestPolicy();
  auto t = TraceLot(w.source(), "T9", Direction::kUp, &p);
  REQUIRE(t.ok());
  REQUIRE(t->lots.size() == 10);  // T0..T9; Z2 is not upstream of T9
  auto a = Assess(w.source(), p, "T9", "2025-06-01");
  REQUIRE(a.ok());
  DotOptions options;
  options.currency = "EUR";
  options.verdict = &*a;
  const std::string dot = TraceDot(*t, options);
  Render(dot, "svg");
  Render(dot, "png");
  CHECK(dot.find("rankdir=TB") != std::string::npos);
  for (int i = 0; i <= 9; ++i)
    CHECK(dot.find("{ rank=same; \"T" + std::to_string(i) + "\"; }  // tier " +
                   std::to_string(i)) != std::string::npos);
  CHECK(dot.find("cluster_legend") != std::string::npos);
  CHECK(dot.find("TEST-CN: no licence required") != std::string::npos);  // the verdict
  CHECK(dot.find("value EUR 90,000.00") != std::string::npos);           // T9: 100 g at 90000
  // One font everywhere.
  std::regex font("fontname=([^,\\]]+)");
  std::set<std::string> fonts;
  for (auto it = std::sregex_iterator(dot.begin(), dot.end(), font); it != std::sregex_iterator();
       ++it)
    fonts.insert((*it)[1]);
  CHECK(fonts.size() == 1);
}

TEST_CASE("dot: red only where a non-zero share flows, a controlled split is marked", "[dot]") {
  Web w = TenTiers();
  Policy p = testing::TestPolicy();
  auto t = TraceLot(w.source(), "T1", Direction::kDown, &p);
  REQUIRE(t.ok());
  const TracedDerivation* to_scrap = nullptr;
  const TracedDerivation* to_metal = nullptr;
  for (const auto& d : t->derivations) {
    if (d.derivation.to == "Z2") to_scrap = &d;
    if (d.derivation.to == "T2") to_metal = &d;
  }
  REQUIRE(to_scrap);
  REQUIRE(to_metal);
  CHECK(!to_scrap->carries_content);  // allocated 0/1: nothing flows
  CHECK(to_metal->carries_content);
  const std::string dot = TraceDot(*t);
  CHECK(dot.find(
            "\"T1\" -> \"Z2\" [label=\"entry 6: metal_smelting in JP\\n500 g in, share 0/1\"];") !=
        std::string::npos);
  auto up = TraceLot(w.source(), "T1", Direction::kUp, &p);
  REQUIRE(up.ok());
  REQUIRE(up->derivations.size() == 1);
  CHECK(up->derivations[0].controlled_split);
  CHECK(!up->derivations[0].carries_content);
  CHECK(TraceDot(*up).find("style=dashed") != std::string::npos);
  Render(TraceDot(*up), "svg");
}

}  // namespace
}  // namespace rareledger::graph
