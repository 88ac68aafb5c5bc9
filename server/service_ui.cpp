// The web viewer's routes of Service (SPEC "Web viewer", docs/web.md): the
// page and its static files, compiled in from web/, and two JSON reads the
// page needs that the /v1 routes do not give (a lot's custody chain with its
// verdicts, and search). Everything the page shows about the log it checks
// itself against the signed checkpoint (web/verify.js); these reads are for
// display.
#include <algorithm>
#include <cctype>

#include "graph/assessment.h"
#include "graph/ledger_source.h"
#include "ledger/entry.h"
#include "ledger/record_json.h"
#include "server/service.h"
#include "server/web_assets.h"

namespace rareledger::server {

using nlohmann::json;

namespace {

// Nothing from outside the server: scripts, styles, images and fetches come
// from this origin only, no inline script or style, no framing.
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

constexpr size_t kSearchLimit = 50;

Response WithHeaders(Response res) {
  res.set("Content-Security-Policy", kCsp);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  return res;
}

const char* ContentType(std::string_view name) {
  auto ends = [&](std::string_view s) {
    return name.size() >= s.size() && name.substr(name.size() - s.size()) == s;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

Response Asset(std::string_view name) {
  for (const WebAsset& a : WebAssets())
    if (a.name == name)
      return WithHeaders(Reply(200, std::string(a.bytes), ContentType(name), "no-cache"));
  return WithHeaders(ErrorReply(404, "not_found", "no file " + std::string(name)));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Service::UiRoute Service::MatchUi(const std::string& path, const Target& t) {
  const std::string lots = "/ui/lots/", api = "/ui/api/lots/";
  if (path == "/" || (path.rfind(lots, 0) == 0 && path.size() > lots.size()))
    return {"/ui", false, [] { return Asset("index.html"); }};
  if (path == "/ui/app.css" || path == "/ui/app.js" || path == "/ui/verify.js" ||
      path == "/ui/icon.svg")
    return {"/ui/static", false, [name = path.substr(4)] { return Asset(name); }};
  if (path == "/ui/api/search")
    return {"/ui/api/search", true, [this, &t] { return WithHeaders(UiSearch(t)); }};
  if (path.rfind(api, 0) == 0 && path.size() > api.size() &&
      path.find('/', api.size()) == std::string::npos)
    return {"/ui/api/lots/{id}", true, [this, enc = path.substr(api.size()), &t] {
              auto id = PercentDecode(enc);
              if (!id.ok()) return WithHeaders(StatusReply(id.status()));
              return WithHeaders(UiLot(*id, t));
            }};
  return {};
}

Response Service::UiLot(const std::string& id, const Target& t) {
  const auto as_of = t.One("as_of");
  if (as_of && !graph::IsValidDate(*as_of))
    return ErrorReply(400, "invalid_argument", "as_of must be a date YYYY-MM-DD");
  auto gate = sequencer_->ReadLock();
  auto rec = ledger_.GetLot(id);
  if (!rec.ok()) return StatusReply(rec.status());
  graph::LedgerSource source(ledger_);
  json j = {{"lot", ledger::LotJson(*rec)}, {"custody", json::array()}, {"verdicts", json::array()}};
  auto consumers = ledger_.ConsumersOf(id);
  if (!consumers.ok()) return StatusReply(consumers.status());
  j["lot"]["consumed_by"] = *consumers;
  auto notes = graph::AttestationsOf(source, *rec);
  if (!notes.ok()) return StatusReply(notes.status());
  j["lot"]["attestations"] = graph::AttestationsJson(*notes);
  // The transfers of the lot: a scan of the log from the lot's creation
  // (the ledger keeps no per-lot transfer index; docs/web.md, limits).
  const std::string needle = "\"lot\":" + json(id).dump();
  ledger::Status s = ledger_.ScanLeaves(
      rec->created_at, sequencer_->head().size, [&](uint64_t index, std::string_view leaf) {
        if (leaf.find("\"type\":\"transfer\"") == std::string_view::npos ||
            leaf.find(needle) == std::string_view::npos)
          return ledger::Status::Ok();
        RL_ASSIGN_OR_RETURN(ledger::Entry e, ledger::DecodeLeaf(leaf));
        const auto* transfer = std::get_if<ledger::Transfer>(&e.body);
        if (transfer != nullptr && transfer->lot == id) j["custody"].push_back(index);
        return ledger::Status::Ok();
      });
  if (!s.ok()) return StatusReply(s);
  const std::string day = as_of.value_or(graph::TodayUtc());
  for (const graph::Policy& p : options_.policies) {
    auto a = graph::Assess(source, p, id, day);
    if (!a.ok()) return StatusReply(a.status());
    j["verdicts"].push_back({{"policy", p.id},
                             {"title", p.title},
                             {"as_of", day},
                             {"license_required", a->license_required},
                             {"summary", graph::AssessmentSummary(*a)},
                             {"text", graph::AssessmentText(*a)}});
  }
  const graph::Binding b = BindingNow();
  j["ledger"] = b.ledger;
  j["currency"] = b.currency;
  j["size"] = b.size;
  return JsonReply(200, j);
}

Response Service::UiSearch(const Target& t) {
  const std::string q = Lower(t.One("q").value_or(""));
  if (q.empty()) return ErrorReply(400, "invalid_argument", "give q=TEXT (a lot id or a party)");
  auto gate = sequencer_->ReadLock();
  auto parties = ledger_.AllParties();
  if (!parties.ok()) return StatusReply(parties.status());
  json matched_parties = json::array();
  std::vector<std::string> party_ids;
  for (const auto& p : *parties)
    if (Lower(p.id).find(q) != std::string::npos || Lower(p.name).find(q) != std::string::npos) {
      matched_parties.push_back({{"id", p.id}, {"name", p.name}, {"country", p.country}});
      party_ids.push_back(p.id);
    }
  json lots = json::array();
  bool truncated = false;
  ledger::Status s = ledger_.ForEachLot([&](const ledger::LotRecord& l) {
    const bool by_party =
        std::find(party_ids.begin(), party_ids.end(), l.holder) != party_ids.end();
    if (!by_party && Lower(l.id).find(q) == std::string::npos) return ledger::Status::Ok();
    if (lots.size() == kSearchLimit) {
      truncated = true;
      return ledger::Status::NotFound("enough");  // stops the scan
    }
    lots.push_back({{"lot", l.id}, {"material", l.material}, {"category", l.category},
                    {"holder", l.holder}, {"made_in", l.made_in}});
    return ledger::Status::Ok();
  });
  if (!s.ok() && !truncated) return StatusReply(s);
  return JsonReply(200, {{"lots", lots}, {"parties", matched_parties}, {"truncated", truncated}});
}

}  // namespace rareledger::server
