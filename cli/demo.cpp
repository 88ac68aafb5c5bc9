// `rareledger demo`: a realistic sample supply chain in a fresh ledger,
// then its export-control assessments: No. 61 on two dates (inside the
// No. 70 suspension, and after it, when its status is unknown), No. 18
// (still in force), and two shipments of Chinese Tb oxide, one covered by a
// general licence, one to a party on China's control list.
//
// The web: Chinese separation -> Dy oxide -> a Singapore trader's split ->
// a Japanese magnet maker (with Australian NdPr oxide and local iron) -> a
// German motor maker -> a US vehicle maker. Values are US cents.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/binding.h"
#include "cli/cli.h"
#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "graph/policy.h"
#include "graph/trace.h"
#include "ledger/envelope.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"

namespace rareledger::cli {
namespace {

using ledger::Result;
using ledger::Status;
using nlohmann::json;

constexpr const char* kLedgerId = "demo.rareledger.example";

struct Actor {
  std::string id, name, country;
  std::vector<std::string> roles;
  ledger::Signer key;
  int64_t seq = 0;
};

class DemoWeb {
 public:
  Status AddActor(const std::string& id, const std::string& name, const std::string& country,
                  std::vector<std::string> roles) {
    RL_ASSIGN_OR_RETURN(ledger::Signer key, ledger::Signer::Generate());
    actors_.emplace(id, Actor{id, name, country, std::move(roles), std::move(key), 0});
    return Status::Ok();
  }
  Actor& actor(const std::string& id) { return actors_.at(id); }

  // Signs `body` as `who` and queues the envelope.
  Status Sign(const std::string& who, const std::string& type, json body,
              const std::string& time) {
    Actor& a = actors_.at(who);
    body["type"] = type;
    RL_RETURN_IF_ERROR(ledger::FillHeader(&body, {kLedgerId, who, ++a.seq, time}));
    RL_ASSIGN_OR_RETURN(std::string envelope, ledger::SignEnvelope(body, a.key));
    lines_.push_back(std::move(envelope));
    return Status::Ok();
  }
  Status Register(const std::string& id, const std::string& time) {
    const Actor& a = actors_.at(id);
    return Sign("operator", "register_party",
                {{"id", a.id}, {"name", a.name}, {"country", a.country}, {"roles", a.roles},
                 {"pubkey", a.key.public_key().ToBase64()}},
                time);
  }
  std::vector<std::string>& lines() { return lines_; }
  std::map<std::string, Actor>& actors() { return actors_; }

 private:
  std::map<std::string, Actor> actors_;
  std::vector<std::string> lines_;
};

json Lot(const std::string& lot, const std::string& material, const std::string& category,
         int64_t mass_g, int64_t value) {
  return {{"lot", lot}, {"material", material}, {"category", category}, {"mass_g", mass_g},
          {"value", value}};
}

Status BuildWeb(DemoWeb& w) {
  const std::vector<std::tuple<std::string, std::string, std::string, std::vector<std::string>>>
      parties = {
          {"cn-sep", "Baotou Rare Earth Separation Co.", "CN", {"producer", "processor"}},
          {"au-ndpr", "Kalgoorlie NdPr Oxide Pty", "AU", {"producer"}},
          {"sg-trade", "Straits Metals Trading Pte", "SG", {"processor"}},
          {"jp-mag", "Kansai Magnetics K.K.", "JP", {"manufacturer"}},
          {"de-motor", "Rheinland Antriebe GmbH", "DE", {"manufacturer"}},
          {"us-car", "Great Lakes Vehicles Inc.", "US", {"manufacturer"}},
          {"ch-audit", "Geneva Supply Audit SA", "CH", {"auditor"}},
          {"cn-mofcom", "Ministry of Commerce of the PRC (dual-use export licensing)", "CN",
           {"regulator"}},
          {"jp-ihi-aero", "IHI Aerospace", "JP", {"manufacturer"}},
      };
  for (const auto& [id, name, country, roles] : parties) {
    RL_RETURN_IF_ERROR(w.AddActor(id, name, country, roles));
    RL_RETURN_IF_ERROR(w.Register(id, "2026-01-05T09:00:00Z"));
  }
  // 1 t of Dy oxide separated in China (Dy2O3 is 87.1% Dy), $350/kg.
  json ox = Lot("DYOX-2026-001", "dysprosium oxide Dy2O3 99.5%", "re_oxide", 1000000, 35000000);
  ox["origin"] = "CN";
  ox["elements"] = {{"Dy", 871000}};
  ox["hs"] = "284690";
  RL_RETURN_IF_ERROR(w.Sign("cn-sep", "create_lot", ox, "2026-02-02T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("ch-audit", "attest",
                            {{"subject", {{"lot", "DYOX-2026-001"}}},
                             {"claim", "origin CN confirmed by mill certificate"},
                             {"detail", "site visit 2026-02-03"}},
                            "2026-02-04T10:00:00Z"));
  // The trader buys it all, sells 200 kg on to Japan at $42/kg.
  RL_RETURN_IF_ERROR(w.Sign("cn-sep", "transfer",
                            {{"lot", "DYOX-2026-001"}, {"to", "sg-trade"}, {"value", 38000000}},
                            "2026-02-10T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("sg-trade", "split",
                            {{"lot", "DYOX-2026-001"},
                             {"parts", {{{"lot", "DYOX-2026-001-A"}, {"mass_g", 200000}}}}},
                            "2026-02-20T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("sg-trade", "transfer",
                            {{"lot", "DYOX-2026-001-A"}, {"to", "jp-mag"}, {"value", 8400000}},
                            "2026-02-21T08:00:00Z"));
  // 2 t of Australian NdPr oxide (not a controlled element), $60/kg.
  json ndpr = Lot("NDPR-AU-77", "NdPr oxide", "re_oxide", 2000000, 12000000);
  ndpr["origin"] = "AU";
  ndpr["elements"] = {{"Nd", 1280000}, {"Pr", 420000}};
  RL_RETURN_IF_ERROR(w.Sign("au-ndpr", "create_lot", ndpr, "2026-02-15T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("au-ndpr", "transfer",
                            {{"lot", "NDPR-AU-77"}, {"to", "jp-mag"}, {"value", 13000000}},
                            "2026-02-25T08:00:00Z"));
  json fe = Lot("FE-JP-3", "electrolytic iron and ferroboron", "other", 5000000, 500000);
  fe["origin"] = "JP";
  RL_RETURN_IF_ERROR(w.Sign("jp-mag", "create_lot", fe, "2026-03-01T08:00:00Z"));
  // 1 t of sintered NdFeB magnets, $80/kg, made with Japanese technology.
  json mag = Lot("MAG-1", "sintered NdFeB magnets, grade 48SH", "re_magnet", 1000000, 8000000);
  mag["elements"] = {{"Dy", 17420}, {"Nd", 192000}, {"Pr", 63000}};
  RL_RETURN_IF_ERROR(w.Sign("jp-mag", "transform",
                            {{"process", "magnet_manufacturing"},
                             {"facility_country", "JP"},
                             {"technology_origin", "JP"},
                             {"inputs", {{{"lot", "DYOX-2026-001-A"}, {"mass_g", 20000}},
                                         {{"lot", "NDPR-AU-77"}, {"mass_g", 300000}},
                                         {{"lot", "FE-JP-3"}, {"mass_g", 700000}}}},
                             {"outputs", {mag}}},
                            "2026-03-10T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("jp-mag", "split",
                            {{"lot", "MAG-1"}, {"parts", {{{"lot", "MAG-1-DE"}, {"mass_g", 100000}}}}},
                            "2026-03-20T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("jp-mag", "transfer",
                            {{"lot", "MAG-1-DE"}, {"to", "de-motor"}, {"value", 900000}},
                            "2026-03-21T08:00:00Z"));
  // 1000 traction motors (5 kg each), $300 each.
  json cu = Lot("CU-DE-9", "copper windings, steel laminations, housings", "other", 4900000, 6000000);
  cu["origin"] = "DE";
  RL_RETURN_IF_ERROR(w.Sign("de-motor", "create_lot", cu, "2026-04-01T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("de-motor", "transform",
                            {{"process", "component_manufacturing"},
                             {"facility_country", "DE"},
                             {"inputs", {{{"lot", "MAG-1-DE"}, {"mass_g", 100000}},
                                         {{"lot", "CU-DE-9"}, {"mass_g", 4900000}}}},
                             {"outputs", {Lot("MOTOR-DE-1", "traction motors x1000", "component",
                                              5000000, 30000000)}}},
                            "2026-04-15T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("de-motor", "split",
                            {{"lot", "MOTOR-DE-1"}, {"parts", {{{"lot", "MOTOR-DE-1-US"}, {"mass_g", 200000}}}}},
                            "2026-05-01T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("de-motor", "transfer",
                            {{"lot", "MOTOR-DE-1-US"}, {"to", "us-car"}, {"value", 1240000}},
                            "2026-05-02T08:00:00Z"));
  // 100 kg of Tb oxide (Tb4O7 is 85% Tb), $1,000/kg, under a MOFCOM
  // general licence for the separator's oxide exports (JL Mag-style, one
  // year, issued December 2025-style; here from 2026-07-01).
  json tb = Lot("TBOX-2026-002", "terbium oxide Tb4O7 99.99%", "re_oxide", 100000, 10000000);
  tb["origin"] = "CN";
  tb["elements"] = {{"Tb", 85000}};
  tb["hs"] = "284690";
  RL_RETURN_IF_ERROR(w.Sign("cn-sep", "create_lot", tb, "2026-06-20T08:00:00Z"));
  RL_RETURN_IF_ERROR(w.Sign("cn-mofcom", "licence",
                            {{"licence", "MOFCOM-GL-2026-0042"},
                             {"authority", "MOFCOM"},
                             {"policy", "CN-MOFCOM-2025-18"},
                             {"licensee", "cn-sep"},
                             {"kind", "general"},
                             {"scope", {{"categories", {"re_oxide"}}}},
                             {"valid", {{"from", "2026-07-01"}, {"to", "2027-07-01"}}}},
                            "2026-06-25T08:00:00Z"));
  // 40 vehicles, $30,000 each.
  json body = Lot("BODY-US-4", "bodies, batteries and trim for 40 vehicles", "other", 59800000, 110000000);
  body["origin"] = "US";
  RL_RETURN_IF_ERROR(w.Sign("us-car", "create_lot", body, "2026-05-10T08:00:00Z"));
  return w.Sign("us-car", "transform",
                {{"process", "assembly"},
                 {"facility_country", "US"},
                 {"inputs", {{{"lot", "MOTOR-DE-1-US"}, {"mass_g", 200000}},
                             {{"lot", "BODY-US-4"}, {"mass_g", 59800000}}}},
                 {"outputs", {Lot("CAR-2026-40", "electric vehicles x40", "product", 60000000,
                                  120000000)}}},
                "2026-06-01T08:00:00Z");
}

std::string OneLine(const graph::Assessment& a) {
  return a.lot + " (" + a.category + ", made in " + a.made_in + ")\n      " +
         graph::AssessmentSummary(a);
}

}  // namespace

int CmdDemo(Context& c, const std::string& policy_dir_arg) {
  const Globals& g = c.g;
  namespace fs = std::filesystem;
  std::string policy_dir = policy_dir_arg;
  if (policy_dir.empty()) {
    auto dir = PolicyDir();
    if (!dir.ok()) return Fail(dir.status());
    policy_dir = *dir;
  }
  std::error_code ec;
  if (fs::exists(g.db, ec))
    return Fail(Status::InvalidArgument("demo builds a fresh ledger, but " + g.db +
                                        " exists: pass --db NEWDIR"));
  auto policy = graph::LoadPolicy(policy_dir + "/cn-mofcom-2025-61.json");
  if (!policy.ok()) return Fail(policy.status());
  auto no18 = graph::LoadPolicy(policy_dir + "/cn-mofcom-2025-18.json");
  if (!no18.ok()) return Fail(no18.status());
  auto control = graph::LoadPolicy(policy_dir + "/cn-mofcom-2026-control-list.json");
  if (!control.ok()) return Fail(control.status());
  auto dfars = graph::LoadPolicy(policy_dir + "/us-dfars-252-225-7052.json");
  if (!dfars.ok()) return Fail(dfars.status());

  DemoWeb web;
  Status s = web.AddActor("operator", "operator", "CH", {"operator"});
  // Init writes the operator's seq 1; the queued entries start at seq 2.
  if (s.ok()) web.actor("operator").seq = 1;
  if (s.ok()) s = BuildWeb(web);
  if (!s.ok()) return Fail(s);
  auto l = ledger::Ledger::Init(g.db, kLedgerId, "USD", "CH", web.actor("operator").key,
                                "2026-01-05T08:00:00Z");
  if (!l.ok()) return Fail(l.status());
  size_t next = 0;
  auto report = (*l)->Submit(
      [&](std::string* line) {
        if (next >= web.lines().size()) return false;
        *line = web.lines()[next++];
        return true;
      },
      nullptr);
  if (!report.error.ok()) return Fail(report.error);
  auto cp = (*l)->IssueCheckpoint(web.actor("operator").key);
  if (!cp.ok()) return Fail(cp.status());
  // Keep the keys so the user can go on appending to the demo ledger.
  fs::path keys = fs::path(g.db + "-keys");
  fs::create_directories(keys, ec);
  for (auto& [id, actor] : web.actors()) (void)ledger::WriteKeyPair(actor.key, (keys / id).string());

  auto info = (*l)->Info();
  std::cout << "rareledger demo: ledger \"" << info.ledger_id << "\" at " << g.db << "\n"
            << "  " << info.size << " signed entries from " << web.actors().size()
            << " parties, checkpoint signed at size "
            << info.size << ", keys in " << keys.string() << "\n\n"
            << "The supply chain (rareledger --db " << g.db << " trace CAR-2026-40 --up):\n"
            << "  CN  cn-sep    separates 1 t of Dy oxide (DYOX-2026-001), audited by ch-audit\n"
            << "  SG  sg-trade  buys it, splits off 200 kg (DYOX-2026-001-A), sells it to Japan\n"
            << "  JP  jp-mag    makes 1 t of NdFeB magnets (MAG-1) from 20 kg of that oxide,\n"
            << "                300 kg of Australian NdPr oxide and iron; sells 100 kg (MAG-1-DE)\n"
            << "  DE  de-motor  builds 1000 motors (MOTOR-DE-1); 40 go to the US (MOTOR-DE-1-US)\n"
            << "  US  us-car    assembles 40 vehicles (CAR-2026-40)\n"
            << "  CN  cn-sep    also makes 100 kg of Tb oxide (TBOX-2026-002) under a general\n"
            << "                licence from cn-mofcom (a regulator party); jp-ihi-aero (IHI\n"
            << "                Aerospace) is on China's 2026 control list\n\n";

  graph::LedgerSource source(**l);
  auto binding = LedgerBinding(**l);
  if (!binding.ok()) return Fail(binding.status());
  auto assess_under = [&](const graph::Policy& p, const char* lot,
                          const char* date) -> Result<graph::Assessment> {
    RL_ASSIGN_OR_RETURN(graph::Assessment a, graph::Assess(source, p, lot, date));
    a.binding = *binding;
    return a;
  };
  auto assess = [&](const char* lot, const char* date) {
    return assess_under(*policy, lot, date);
  };
  const char* dates[] = {"2026-06-01", "2026-12-01"};
  for (const char* date : dates) {
    std::cout << "== Under " << policy->id << " on " << date
              << (std::string(date) < "2026-11-11"
                      ? " (inside the No. 70 suspension)"
                      : " (the No. 70 window has ended; what followed is not public)")
              << " ==\n";
    for (const char* lot : {"MAG-1-DE", "MOTOR-DE-1-US", "CAR-2026-40"}) {
      auto a = assess(lot, date);
      if (!a.ok()) return Fail(a.status());
      std::cout << "  " << OneLine(*a) << "\n";
    }
    std::cout << "\n";
  }
  std::cout << "== Under " << no18->id << " on " << dates[1]
            << " (No. 18 was never suspended: still in force) ==\n";
  for (const char* lot : {"DYOX-2026-001-A", "MAG-1-DE"}) {
    auto a = assess_under(*no18, lot, dates[1]);
    if (!a.ok()) return Fail(a.status());
    std::cout << "  " << OneLine(*a) << "\n";
  }
  std::cout << "\n";
  // Two shipments of the Tb oxide: one covered by the general licence, one
  // to a party on China's control list.
  std::cout << "== Shipping TBOX-2026-002 (Chinese Tb oxide, held by cn-sep) on " << dates[1]
            << " ==\n";
  for (const char* to : {"jp-mag", "jp-ihi-aero"}) {
    std::cout << "  to " << to << " (" << web.actor(to).name << ")\n";
    for (const graph::Policy* p : {&*no18, &*control}) {
      auto a = graph::Assess(source, *p, "TBOX-2026-002", dates[1],
                             graph::Shipment{to, std::nullopt, std::string("civil")});
      if (!a.ok()) return Fail(a.status());
      std::cout << "      " << graph::AssessmentSummary(*a) << "\n";
    }
  }
  std::cout << "  (assess TBOX-2026-002 --to jp-ihi-aero --end-use civil --as-of " << dates[1]
            << " explains both)\n\n";
  // The same engine on a mass-based, process-location rule.
  std::cout << "== Under " << dfars->id << " (mass share of covered magnets; the Dy came from "
            << "China) ==\n";
  for (const char* date : {dates[1], "2027-01-01"}) {
    for (const char* lot : {"MAG-1-DE", "MOTOR-DE-1-US"}) {
      auto a = assess_under(*dfars, lot, date);
      if (!a.ok()) return Fail(a.status());
      std::cout << "  " << lot << " on " << date << "\n      " << graph::AssessmentSummary(*a)
                << "\n";
    }
  }
  std::cout << "\n";
  auto magnet = assess("MAG-1-DE", dates[1]);
  if (!magnet.ok()) return Fail(magnet.status());
  std::cout << "Why the magnet may need a licence (assess MAG-1-DE --as-of " << dates[1]
            << "):\n\n"
            << graph::AssessmentsText({*magnet}) << "\n";
  auto car = assess("CAR-2026-40", dates[1]);
  if (!car.ok()) return Fail(car.status());
  std::cout << "Why the car does not (assess CAR-2026-40 --as-of " << dates[1] << "):\n\n"
            << graph::AssessmentsText({*car}) << "\n";

  auto trace = graph::TraceLot(source, "CAR-2026-40", graph::Direction::kUp, &*policy);
  if (trace.ok()) {
    std::string dot_path = g.db + "-car.dot", svg_path = g.db + "-car.svg";
    if (FILE* f = std::fopen(dot_path.c_str(), "w")) {
      graph::DotOptions dot_options;
      dot_options.currency = binding->currency;
      dot_options.verdict = &*car;
      std::string dot = graph::TraceDot(*trace, dot_options);
      std::fwrite(dot.data(), 1, dot.size(), f);
      std::fclose(f);
      std::string cmd = "command -v dot >/dev/null 2>&1 && dot -Tsvg '" + dot_path + "' -o '" +
                        svg_path + "'";
      if (std::system(cmd.c_str()) == 0)
        std::cout << "Provenance graph of the car: " << svg_path << "\n";
      else
        std::cout << "Provenance graph of the car (Graphviz DOT): " << dot_path << "\n";
    }
  }
  return kExitOk;
}

}  // namespace rareledger::cli
