// The JSON read routes of Service: records, traces, assessments, proofs.

#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "graph/trace.h"
#include "ledger/crypto.h"
#include "ledger/record_json.h"
#include "ledger/version.h"
#include "server/graphviz.h"
#include "server/service.h"

namespace rareledger::server {

using nlohmann::json;

namespace {

Response BadParam(const std::string& message) {
  return ErrorReply(400, "invalid_argument", message);
}

constexpr uint64_t kDefaultListLimit = 1000;
constexpr uint64_t kMaxListLimit = 10000;

}  // namespace

graph::Binding Service::BindingNow() {
  const ledger::LedgerInfo info = ledger_.Info();
  graph::Binding b{info.ledger_id, info.currency, info.size, ledger::HexEncode(info.root),
                   std::nullopt,   ledger::ToolName()};
  std::lock_guard<std::mutex> lock(note_mu_);
  if (!note_.empty() && note_size_ <= info.size)
    b.checkpoint = graph::LogCheckpoint{note_size_, note_};
  return b;
}

Response Service::LogStatus() {
  auto gate = sequencer_->ReadLock();
  const graph::Binding b = BindingNow();
  json j = {{"ledger", b.ledger},   {"currency", b.currency}, {"size", b.size},
            {"root", b.root},       {"tool", b.tool},         {"checkpoint", nullptr},
            {"policies", json::array()}};
  if (b.checkpoint) j["checkpoint"] = {{"size", b.checkpoint->size}, {"note", b.checkpoint->note}};
  for (const auto& p : options_.policies)
    j["policies"].push_back({{"id", p.id}, {"title", p.title}, {"sha256", p.sha256}});
  return JsonReply(200, j);
}

Response Service::Lot(const std::string& id) {
  auto gate = sequencer_->ReadLock();
  auto rec = ledger_.GetLot(id);
  if (!rec.ok()) return StatusReply(rec.status());
  json j = ledger::LotJson(*rec);
  auto consumers = ledger_.ConsumersOf(id);
  if (!consumers.ok()) return StatusReply(consumers.status());
  j["consumed_by"] = *consumers;
  auto attestations = graph::AttestationsOf(graph::LedgerSource(ledger_), *rec);
  if (!attestations.ok()) return StatusReply(attestations.status());
  j["attestations"] = graph::AttestationsJson(*attestations);
  return JsonReply(200, j);
}

Response Service::Lots(const Target& t) {
  uint64_t limit = kDefaultListLimit;
  if (auto l = t.One("limit")) {
    auto v = ParseUint(*l);
    if (!v || *v == 0 || *v > kMaxListLimit)
      return BadParam("limit must be 1.." + std::to_string(kMaxListLimit));
    limit = *v;
  }
  const std::string holder = t.One("holder").value_or("");
  const std::string category = t.One("category").value_or("");
  const std::string after = t.One("after").value_or("");
  json lots = json::array();
  bool truncated = false;
  auto gate = sequencer_->ReadLock();
  ledger::Status s = ledger_.ForEachLot([&](const ledger::LotRecord& l) {
    if (!after.empty() && l.id <= after) return ledger::Status::Ok();
    if (!holder.empty() && l.holder != holder) return ledger::Status::Ok();
    if (!category.empty() && l.category != category) return ledger::Status::Ok();
    if (lots.size() == limit) {
      truncated = true;
      return ledger::Status::NotFound("enough");  // stops the scan
    }
    lots.push_back(ledger::LotJson(l));
    return ledger::Status::Ok();
  });
  if (!s.ok() && !truncated) return StatusReply(s);
  json j = {{"lots", lots}, {"truncated", truncated}};
  if (truncated) j["next_after"] = lots.back()["lot"];
  return JsonReply(200, j);
}

Response Service::EntryAt(const std::string& n) {
  auto index = ParseUint(n);
  if (!index) return BadParam("entry index \"" + n.substr(0, 40) + "\" is not a number");
  auto gate = sequencer_->ReadLock();
  if (*index >= sequencer_->head().size)
    return ErrorReply(404, "not_found",
                      "no entry " + n + " (the log has " +
                          std::to_string(sequencer_->head().size) + ")");
  auto e = ledger_.GetEntry(*index);
  if (!e.ok()) return StatusReply(e.status());
  return JsonReply(200, ledger::EntryJson(*index, *e));
}

Response Service::Party(const std::string& id) {
  auto gate = sequencer_->ReadLock();
  auto p = ledger_.GetParty(id);
  if (!p.ok()) return StatusReply(p.status());
  json j = ledger::PartyJson(*p);
  j["next_seq"] = p->last_seq + 1;
  return JsonReply(200, j);
}

Response Service::Parties() {
  auto gate = sequencer_->ReadLock();
  auto parties = ledger_.AllParties();
  if (!parties.ok()) return StatusReply(parties.status());
  json out = json::array();
  for (const auto& p : *parties) {
    json j = ledger::PartyJson(p);
    j["next_seq"] = p.last_seq + 1;
    out.push_back(std::move(j));
  }
  return JsonReply(200, {{"parties", out}});
}

Response Service::Signer(const std::string& hex_key, const Target& t) {
  auto raw = ledger::HexDecode(hex_key);
  if (!raw.ok() || raw->size() != 32)
    return BadParam("the key must be 64 hex digits (the raw Ed25519 public key)");
  auto key = ledger::PublicKey::FromRaw(*raw);
  if (!key.ok()) return StatusReply(key.status());
  auto gate = sequencer_->ReadLock();
  auto holder = ledger_.FindKeyHolder(key->raw());
  if (!holder.ok()) return StatusReply(holder.status());
  if (!*holder) return ErrorReply(404, "not_found", "no party holds or ever held this key");
  auto who = ledger_.ResolveSigner(*key, t.One("party").value_or(""));
  if (!who.ok()) return StatusReply(who.status());
  return JsonReply(200, {{"ledger", ledger_.Info().ledger_id},
                         {"party", who->party},
                         {"next_seq", who->next_seq}});
}

Response Service::LotTrace(const std::string& id, const Target& t) {
  const std::string direction = t.One("direction").value_or("up");
  const std::string format = t.One("format").value_or("json");
  if (direction != "up" && direction != "down") return BadParam("direction must be up or down");
  if (format != "json" && format != "dot" && format != "svg")
    return BadParam("format must be json, dot or svg");
  const auto as_of = t.One("as_of");
  if (as_of && !graph::IsValidDate(*as_of)) return BadParam("as_of must be a date YYYY-MM-DD");
  const auto policy_id = t.One("policy");
  if (options_.policies.empty()) return ErrorReply(500, "no_policy", "the server serves no policy");
  const graph::Policy* policy = &options_.policies.front();
  for (const auto& p : options_.policies)
    if (policy_id ? p.id == *policy_id : p.id == "CN-MOFCOM-2025-61") policy = &p;
  if (policy_id && policy->id != *policy_id)
    return ErrorReply(404, "not_found", "no served policy " + *policy_id);
  std::string dot;
  {
    auto gate = sequencer_->ReadLock();
    graph::LedgerSource source(ledger_);
    auto trace = graph::TraceLot(source, id,
                                 direction == "down" ? graph::Direction::kDown : graph::Direction::kUp,
                                 policy);
    if (!trace.ok()) return StatusReply(trace.status());
    if (format == "json") return JsonReply(200, graph::TraceJson(*trace));
    graph::DotOptions options;
    options.currency = ledger_.Info().currency;
    std::optional<graph::Assessment> verdict;
    if (policy_id) {  // a verdict only under a policy the client chose, as `trace`
      auto a = graph::Assess(source, *policy, id, as_of.value_or(graph::TodayUtc()));
      if (!a.ok()) return StatusReply(a.status());
      verdict = *std::move(a);
      options.verdict = &*verdict;
    }
    dot = graph::TraceDot(*trace, options);
  }
  if (format == "dot") return Reply(200, std::move(dot), "text/vnd.graphviz; charset=utf-8");
  auto svg = RenderSvg(options_.dot, dot);  // outside the read lock
  if (!svg.ok()) return StatusReply(svg.status());
  return Reply(200, *std::move(svg), "image/svg+xml");
}

Response Service::LotAssessment(const std::string& id, const Target& t) {
  const auto as_of = t.One("as_of");
  if (as_of && !graph::IsValidDate(*as_of)) return BadParam("as_of must be a date YYYY-MM-DD");
  std::vector<const graph::Policy*> chosen;
  const std::vector<std::string> asked = t.All("policy");
  for (const std::string& want : asked) {
    const graph::Policy* found = nullptr;
    for (const auto& p : options_.policies)
      if (p.id == want) found = &p;
    if (found == nullptr) {
      std::string served;
      for (const auto& p : options_.policies) served += (served.empty() ? "" : ", ") + p.id;
      return ErrorReply(404, "not_found", "no served policy \"" + want.substr(0, 80) +
                                              "\" (served: " + served + ")");
    }
    chosen.push_back(found);
  }
  if (asked.empty())
    for (const auto& p : options_.policies) chosen.push_back(&p);
  json out = json::array();
  auto gate = sequencer_->ReadLock();
  const graph::Binding binding = BindingNow();
  graph::LedgerSource source(ledger_);
  for (const graph::Policy* p : chosen) {
    auto a = graph::Assess(source, *p, id, as_of.value_or(graph::TodayUtc()));
    if (!a.ok()) return StatusReply(a.status());
    a->binding = binding;
    out.push_back(graph::AssessmentJson(*a));
  }
  return JsonReply(200, asked.size() == 1 ? out[0] : out);
}

Response Service::Inclusion(const Target& t) {
  auto index = t.One("index") ? ParseUint(*t.One("index")) : std::nullopt;
  if (!index) return BadParam("give index=N");
  std::optional<uint64_t> size;
  if (auto s = t.One("size")) {
    size = ParseUint(*s);
    if (!size) return BadParam("size must be a number");
  }
  auto gate = sequencer_->ReadLock();  // the proof reads the frontier
  const uint64_t head = sequencer_->head().size;
  const uint64_t at = size.value_or(head);
  if (at > head) return ErrorReply(404, "not_found", "the log has " + std::to_string(head) + " entries");
  auto p = ledger_.ProveInclusion(*index, at);
  if (!p.ok()) return StatusReply(p.status());
  return JsonReply(200, ledger::InclusionProofJson(*p));
}

Response Service::Consistency(const Target& t) {
  auto old_size = t.One("old") ? ParseUint(*t.One("old")) : std::nullopt;
  if (!old_size) return BadParam("give old=M");
  std::optional<uint64_t> new_size;
  if (auto s = t.One("new")) {
    new_size = ParseUint(*s);
    if (!new_size) return BadParam("new must be a number");
  }
  auto gate = sequencer_->ReadLock();
  const uint64_t head = sequencer_->head().size;
  const uint64_t at = new_size.value_or(head);
  if (at > head) return ErrorReply(404, "not_found", "the log has " + std::to_string(head) + " entries");
  auto p = ledger_.ProveConsistency(*old_size, at);
  if (!p.ok()) return StatusReply(p.status());
  return JsonReply(200, ledger::ConsistencyProofJson(*p));
}

}  // namespace rareledger::server
