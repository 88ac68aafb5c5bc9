#include "graph/trace.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "tests/graph/test_policy.h"
#include "tests/graph/web.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;
using testing::Out;
using testing::Web;

// CN Dy oxide (10 g, 1000) + JP iron -> JP magnet MAG (value 100000) -> US motor.
Web MotorWeb() {
  Web w;
  w.Party("cn", "CN");
  w.Party("jp", "JP");
  w.Create("cn", "DYOX", "re_oxide", 10, 1000, "CN", ledger::Elements{{"Dy", 8}});
  w.Transfer("cn", "DYOX", "jp");
  w.Create("jp", "FE", "other", 500, 500, "JP");
  w.Transform("jp", "magnet_manufacturing", "JP", std::string("CN"), {{"DYOX", 1}, {"FE", 399}},
              {Out{"MAG", "re_magnet", 400, 100000}});
  w.Transform("jp", "assembly", "JP", std::nullopt, {{"MAG", 400}},
              {Out{"MOTOR", "product", 2000, 300000}});
  return w;
}

TEST_CASE("trace: upstream with content and highlighted paths", "[trace]") {
  Web w = MotorWeb();
  Policy p = testing::TestPolicy();
  auto t = TraceLot(w.source(), "MOTOR", Direction::kUp, &p);
  REQUIRE(t.ok());
  json j = TraceJson(*t);
  CHECK(j["root"] == "MOTOR");
  CHECK(j["direction"] == "up");
  REQUIRE(j["lots"].size() == 4);
  CHECK(j["lots"][0]["lot"] == "DYOX");
  CHECK(j["lots"][0]["controlled_origin_item"] == true);
  CHECK(j["lots"][0]["controlled_content"] == "900/1");  // 9 g left at 100
  CHECK(j["lots"][3]["lot"] == "MOTOR");
  CHECK(j["lots"][3]["controlled_content"] == "100/1");
  REQUIRE(j["derivations"].size() == 3);
  CHECK(j["derivations"][0]["from"] == "DYOX");
  CHECK(j["derivations"][0]["carries_content"] == true);
  CHECK(j["derivations"][0]["technology_origin"] == "CN");
  CHECK(j["derivations"][1]["from"] == "FE");
  CHECK(j["derivations"][1]["carries_content"] == false);
  std::string text = TraceText(*t);
  CHECK(text.find("DYOX -> MAG") != std::string::npos);
  CHECK(text.find("[controlled origin item]") != std::string::npos);
}

TEST_CASE("trace: a corrected lot shows as corrected and names the entry", "[trace]") {
  Web w = MotorWeb();
  ledger::CorrectLot fix;
  fix.lot = "FE";
  fix.category = "re_alloy";
  fix.material = "FeB alloy";
  fix.reason = "wrong category";
  const uint64_t at = w.Correct("jp", fix);
  Policy p = testing::TestPolicy();
  auto t = TraceLot(w.source(), "MOTOR", Direction::kUp, &p);
  REQUIRE(t.ok());
  json j = TraceJson(*t);
  REQUIRE(j["lots"][1]["lot"] == "FE");
  CHECK(j["lots"][1]["category"] == "re_alloy");
  CHECK(j["lots"][1]["material"] == "FeB alloy");
  REQUIRE(j["lots"][1]["corrections"].size() == 1);
  CHECK(j["lots"][1]["corrections"][0]["entry"] == at);
  CHECK(j["lots"][1]["corrections"][0]["reason"] == "wrong category");
  CHECK_FALSE(j["lots"][0].contains("corrections"));
  std::string text = TraceText(*t);
  CHECK(text.find("corrected by entry " + std::to_string(at) + "; material was \"material of FE\"") !=
        std::string::npos);
}

TEST_CASE("trace: downstream from a suspect lot", "[trace]") {
  Web w = MotorWeb();
  Policy p = testing::TestPolicy();
  auto t = TraceLot(w.source(), "DYOX", Direction::kDown, &p);
  REQUIRE(t.ok());
  REQUIRE(t->lots.size() == 3);  // DYOX, MAG, MOTOR (FE is not downstream)
  CHECK(t->lots[1].id == "MAG");
  CHECK(FormatFraction(*t->lots[1].content) == "100/1");
  auto plain = TraceLot(w.source(), "DYOX", Direction::kDown, nullptr);
  REQUIRE(plain.ok());
  CHECK(!plain->lots[0].content);
  CHECK(!TraceJson(*plain).contains("policy"));
}

TEST_CASE("trace: DOT output renders with graphviz", "[trace]") {
  Web w = MotorWeb();
  Policy p = testing::TestPolicy();
  auto t = TraceLot(w.source(), "MOTOR", Direction::kUp, &p);
  REQUIRE(t.ok());
  std::string dot = TraceDot(*t);
  CHECK(dot.find("fillcolor") != std::string::npos);
  CHECK(dot.find("\"DYOX\" -> \"MAG\"") != std::string::npos);
  // scripts/deps.sh installs graphviz: a missing `dot` is a broken setup,
  // not a reason to skip.
  INFO("graphviz's `dot` is not on PATH: run scripts/deps.sh");
  REQUIRE(std::system("command -v dot > /dev/null 2>&1") == 0);
  const std::string path = "graph_trace_test.dot";
  std::ofstream(path) << dot;
  CHECK(std::system(("dot -Tsvg " + path + " -o graph_trace_test.svg").c_str()) == 0);
  std::remove(path.c_str());
  std::remove("graph_trace_test.svg");
}

}  // namespace
}  // namespace rareledger::graph
