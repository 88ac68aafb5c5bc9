// JSON and text renderings of an Assessment.
#include <algorithm>
#include <sstream>

#include "graph/amount.h"
#include "graph/assessment.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;

void AddBinding(const Binding& b, json* j) {
  (*j)["ledger"] = b.ledger;
  (*j)["currency"] = b.currency.empty() ? json(nullptr) : json(b.currency);
  (*j)["size"] = b.size;
  (*j)["root"] = b.root;
  (*j)["checkpoint"] = b.checkpoint
                           ? json{{"size", b.checkpoint->size}, {"note", b.checkpoint->note}}
                           : json(nullptr);
  (*j)["tool"] = b.tool;
}

json RuleJson(const RuleOutcome& r) {
  json j = {{"id", r.id},
            {"kind", RuleKindName(r.kind)},
            {"in_force", r.status_unknown ? json("unknown") : json(r.in_force)},
            {"applies", r.applies},
            {"triggered", r.triggered},
            {"reason", r.reason}};
  if (r.status_unknown) {
    j["status_unknown"] = {{"since", r.unknown_since}, {"checked", r.status_checked}};
  }
  if (!r.source.empty()) j["source"] = r.source;
  if (!r.confidence.empty()) j["confidence"] = r.confidence;
  if (r.kind == RuleKind::kValueRatio) {
    j["threshold"] = r.threshold;
    j["comparator"] = r.comparator;
  }
  if (r.review_after) {
    j["review_after"] = *r.review_after;
    j["review_due"] = r.review_due;
  }
  return j;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& id : items) out += (out.empty() ? "" : sep) + id;
  return out;
}

bool Bites(const RuleOutcome& r) { return r.in_force && r.applies && r.triggered; }
bool MayBite(const RuleOutcome& r) { return r.status_unknown && r.applies && r.triggered; }

// The rules that decide the verdict: those that bite when a licence is
// required (or the lot is prohibited), those of unknown status that would
// bite when the verdict is unknown, and every rule when none is needed.
bool Decides(const Assessment& a, const RuleOutcome& r) {
  switch (a.verdict) {
    case Verdict::kLicenceRequired:
    case Verdict::kProhibited:
      return Bites(r);
    case Verdict::kUnknown:
      return MayBite(r);
    case Verdict::kNotRequired:
      return true;
  }
  return true;
}

std::string VerdictText(const Assessment& a) {
  switch (a.verdict) {
    case Verdict::kLicenceRequired:
      return "LICENCE REQUIRED";
    case Verdict::kProhibited:
      return "PROHIBITED (no licence can cure it)";
    case Verdict::kUnknown:
      return "LICENCE MAY BE REQUIRED (status unconfirmed)";
    case Verdict::kNotRequired:
      return a.exemption ? "no licence required (" + *a.exemption +
                               " exemption: a report is due, see the warnings)"
                         : "no licence required";
  }
  return "?";
}

std::string RuleVerdictText(const RuleOutcome& r) {
  if (Bites(r)) return "REQUIRES A LICENCE";
  if (MayBite(r)) return "MAY REQUIRE A LICENCE (status unconfirmed since " + r.unknown_since + ")";
  return "no licence on this rule";
}

std::string Currency(const Assessment& a) { return a.binding ? a.binding->currency : ""; }

// "USD 1,040.00", with the exact minor units beside it when not whole.
std::string Amount(const Assessment& a, const Rational& minor) {
  std::string s = FormatMoney(minor, Currency(a));
  if (boost::multiprecision::denominator(minor) != 1)
    s += " (exactly " + FormatFraction(minor) + " minor units)";
  return s;
}

std::string KindText(const RuleOutcome& r) {
  if (r.kind == RuleKind::kEndUser) return "end user screening";
  if (r.kind == RuleKind::kProcessLocation) return "process location";
  if (r.kind == RuleKind::kEndUse) return "end use";
  if (r.kind == RuleKind::kValueRatio)
    return "value ratio " + r.comparator + " " + FormatPercent(*ParseRational(r.threshold)) + " (" +
           r.threshold + ")";
  return r.kind == RuleKind::kTechnology ? "technology" : "origin item";
}

void TextRules(const Assessment& a, std::ostringstream& out) {
  out << "\nRules:\n";
  for (const RuleOutcome& r : a.rules) {
    out << "  " << r.id << " (" << KindText(r)
        << "): " << RuleVerdictText(r) << "\n"
        << "    " << r.in_force_why << "\n"
        << "    " << r.applies_why << "\n";
    if (r.kind != RuleKind::kOriginItem) out << "    " << r.triggered_why << "\n";
  }
}

std::string MassBasisText(const Assessment& a) {
  if (a.remaining_g > 0) return "on " + FormatGrams(a.mass_basis_g) + " of remaining mass";
  return "on " + FormatGrams(a.mass_basis_g) +
         ", its mass at its last value declaration (none of it remains)";
}

void TextContent(const Assessment& a, std::ostringstream& out) {
  out << "\nValue and content, " << MassBasisText(a) << ":\n"
      << "  lot value:          " << Amount(a, a.lot_value) << "\n"
      << "  controlled content: " << Amount(a, a.controlled_content) << "\n"
      << "  ratio:              "
      << (a.ratio.infinite() ? std::string("infinite (1/0: zero value, some content)")
                             : FormatPercent(a.ratio.value()) + " (exactly " + a.ratio.Fraction() +
                                   "; percentages are rounded half-up to " +
                                   std::to_string(kPercentDigits) + " places)")
      << "\n";
  out << "\nHow content is counted: a controlled origin item counts at the whole of its value"
         " when it is\nconsumed (its full price per gram, not only the share of its mass that"
         " is a controlled\nelement); that content then travels by value through every"
         " transform and split.\n";
  out << "\nContributors (controlled origin items whose content reaches the lot): "
      << a.contributors.size() << "\n";
  for (const Contributor& c : a.contributors) {
    out << "  " << c.lot << " (made in " << c.origin << "): " << Amount(a, c.content)
        << " of the content\n    path: " << Join(c.path, " -> ") << "\n";
  }
}

const LicenceNote* Covering(const Assessment& a) {
  for (const LicenceNote& n : a.licences)
    if (a.covered_by && n.licence == *a.covered_by) return &n;
  return nullptr;
}

// "covered by licence L (issued by P)", "no licence of H covers it", or "".
std::string CoverageText(const Assessment& a) {
  if (a.verdict != Verdict::kLicenceRequired && a.verdict != Verdict::kUnknown) return "";
  if (a.licences.empty() && !a.to) return "";  // nothing was asked or held
  const std::string ship = a.to ? " to " + *a.to : "";
  if (const LicenceNote* n = Covering(a))
    return "covered by licence " + n->licence +
           (n->issued ? " (issued by " + n->issuer + ")" : " (declared by " + n->issuer + ", not issued by a regulator)");
  std::string why;
  for (const LicenceNote& n : a.licences) why += (why.empty() ? " (" : "; ") + n.licence + ": " + n.reason;
  return "no licence of " + a.holder + " covers the shipment" + ship + (why.empty() ? "" : why + ")");
}

void TextScreening(const Assessment& a, std::ostringstream& out) {
  if (!a.to) return;
  out << "\nShipment to " << *a.to << " (" << a.to_name << ", " << a.to_country << ")"
      << (a.end_use ? ", end use " + *a.end_use : std::string(", end use not given"))
      << (a.end_user ? ", end user \"" + *a.end_user + "\"" : std::string()) << "\n";
  if (a.screening.empty() && !a.list_sha256.empty())
    out << "  screening: on none of this policy's lists on " << a.as_of << "\n";
  for (const ScreeningHit& h : a.screening)
    out << "  SCREENING HIT: \"" << h.name << "\" on " << h.list << " (listed " << h.listed
        << ", matched by " << h.matched_by << "; " << h.confidence << ": " << h.source << ")\n";
}

void TextLicences(const Assessment& a, std::ostringstream& out) {
  TextScreening(a, out);
  if (a.licences.empty() && !a.to) return;
  out << "\nLicences of " << a.holder << " under " << a.policy
      << (a.to ? " for the shipment to " + *a.to : std::string()) << ": " << a.licences.size()
      << "\n";
  for (const LicenceNote& n : a.licences) {
    out << "  " << n.licence << " (" << n.kind << ", " << (n.issued ? "issued" : "declared")
        << " by " << n.issuer << ", " << n.authority << ", valid " << n.valid_from << " to "
        << n.valid_to << ", entry " << n.index << "): " << (n.covers ? "COVERS" : "does not cover")
        << " — " << n.reason << "\n";
  }
}

void TextFindings(const Assessment& a, std::ostringstream& out) {
  if (!a.technology_findings.empty()) {
    out << "\nTechnology findings (transforms abroad using controlling-country technology):\n";
    for (const TechnologyFinding& f : a.technology_findings) {
      out << "  entry " << f.index << ": " << f.process << " in " << f.facility_country << " with "
          << f.technology_origin << " technology, made " << Join(f.lots, ", ") << "\n";
    }
  }
  if (!a.process_findings.empty()) {
    out << "\nProcess findings (listed processes in listed countries, at or upstream):\n";
    for (const ProcessFinding& f : a.process_findings)
      out << "  entry " << f.index << ": " << f.process << " in " << f.country << ", made "
          << Join(f.lots, ", ") << " (" << Join(f.rules, ", ") << ")\n";
  }
  if (!a.attestations.empty()) {
    out << "\nAttestations about " << a.lot << " (auditors' signed claims):\n";
    for (const AttestationNote& n : a.attestations) {
      out << "  entry " << n.index << ", " << n.auditor << " (" << n.time << "): " << n.claim;
      if (n.detail) out << " — " << *n.detail;
      out << "\n";
    }
  }
  TextLicences(a, out);
  if (!a.warnings.empty()) {
    out << "\nWarnings:\n";
    for (const auto& w : a.warnings) out << "  ! " << w << "\n";
  }
  if (!a.caveats.empty()) {
    out << "\nCaveats (points of this policy its authors could not confirm):\n";
    for (const auto& c : a.caveats) out << "  - " << c << "\n";
  }
}

void TextBinding(const Assessment& a, std::ostringstream& out) {
  out << "\nComputed from:\n";
  if (a.binding) {
    const Binding& b = *a.binding;
    out << "  ledger " << b.ledger << ": " << b.size << " entries, root " << b.root << "\n"
        << "  values in "
        << (b.currency.empty() ? "minor units (currency not recorded)" : b.currency) << "\n";
    if (!b.checkpoint) {
      out << "  no signed checkpoint: nothing here is covered by the operator's signature\n";
    } else {
      const uint64_t later = b.size - b.checkpoint->size;
      out << "  latest signed checkpoint: size " << b.checkpoint->size
          << (later == 0   ? std::string(" (covers the whole log)")
              : later == 1 ? std::string(" (1 later entry is not covered yet)")
                           : " (" + std::to_string(later) + " later entries are not covered yet)")
          << "\n";
      std::istringstream note(b.checkpoint->note);
      for (std::string line; std::getline(note, line);) out << "    | " << line << "\n";
    }
  }
  out << "  policy " << a.policy << ", file SHA-256 " << a.policy_sha256 << "\n";
  for (const auto& [id, sha] : a.list_sha256)
    out << "  screening list " << id << ", file SHA-256 " << sha << "\n";
  if (a.binding) out << "  " << a.binding->tool << "\n";
}

}  // namespace

json AttestationsJson(const std::vector<AttestationNote>& notes) {
  json out = json::array();
  for (const AttestationNote& n : notes) {
    json one = {{"entry", n.index}, {"auditor", n.auditor}, {"time", n.time}, {"claim", n.claim}};
    if (n.detail) one["detail"] = *n.detail;
    out.push_back(std::move(one));
  }
  return out;
}

json AssessmentJson(const Assessment& a) {
  json j = {{"lot", a.lot},
            {"category", a.category},
            {"made_in", a.made_in},
            {"policy", a.policy},
            {"as_of", a.as_of},
            {"controlled_origin_item", a.controlled_origin_item},
            {"foreign_made", a.foreign_made},
            {"mass_g", a.mass_basis_g},
            {"lot_value", FormatFraction(a.lot_value)},
            {"controlled_content", FormatFraction(a.controlled_content)},
            {"ratio", a.ratio.Fraction()},
            {"ratio_decimal", a.ratio.Decimal()},
            {"license_required",
             a.verdict == Verdict::kUnknown ? json("unknown") : json(a.license_required)},
            {"verdict", VerdictName(a.verdict)}};
  j["rules"] = json::array();
  for (const auto& r : a.rules) j["rules"].push_back(RuleJson(r));
  j["contributors"] = json::array();
  for (const auto& c : a.contributors) {
    j["contributors"].push_back({{"lot", c.lot},
                                 {"origin", c.origin},
                                 {"content", FormatFraction(c.content)},
                                 {"path", c.path}});
  }
  j["technology_findings"] = json::array();
  for (const auto& f : a.technology_findings) {
    j["technology_findings"].push_back({{"index", f.index},
                                        {"process", f.process},
                                        {"facility_country", f.facility_country},
                                        {"technology_origin", f.technology_origin},
                                        {"lots", f.lots}});
  }
  if (a.covered_mass_share) {
    j["covered_mass_share"] = FormatFraction(*a.covered_mass_share);
    j["process_findings"] = json::array();
    for (const auto& f : a.process_findings)
      j["process_findings"].push_back({{"index", f.index},
                                       {"process", f.process},
                                       {"country", f.country},
                                       {"lots", f.lots},
                                       {"rules", f.rules}});
  }
  j["warnings"] = a.warnings;
  j["caveats"] = a.caveats;
  j["policy_sha256"] = a.policy_sha256;
  j["lists_sha256"] = a.list_sha256;
  if (a.binding) AddBinding(*a.binding, &j);
  j["attestations"] = AttestationsJson(a.attestations);
  j["holder"] = a.holder;
  j["to"] = a.to ? json(*a.to) : json(nullptr);
  j["licences"] = json::array();
  for (const LicenceNote& n : a.licences) {
    json one = {{"licence", n.licence},  {"issuer", n.issuer},
                {"entry", n.index},      {"issued", n.issued},
                {"kind", n.kind},        {"authority", n.authority},
                {"valid", {{"from", n.valid_from}, {"to", n.valid_to}}},
                {"covers", n.covers},    {"reason", n.reason}};
    if (n.document_sha256) one["document_sha256"] = *n.document_sha256;
    j["licences"].push_back(std::move(one));
  }
  j["covered_by"] = a.covered_by ? json(*a.covered_by) : json(nullptr);
  j["end_user"] = a.end_user ? json(*a.end_user) : json(nullptr);
  j["end_use"] = a.end_use ? json(*a.end_use) : json(nullptr);
  j["screening"] = json::array();
  for (const ScreeningHit& h : a.screening)
    j["screening"].push_back({{"list", h.list},
                              {"name", h.name},
                              {"listed", h.listed},
                              {"matched_by", h.matched_by},
                              {"source", h.source},
                              {"confidence", h.confidence}});
  j["exemption"] = a.exemption ? json(*a.exemption) : json(nullptr);
  j["corrections"] = json::array();
  for (const auto& c : a.corrections) {
    json changes = json::array();
    for (const auto& f : c.changes)
      changes.push_back({{"field", f.field}, {"before", f.before}, {"after", f.after}});
    j["corrections"].push_back({{"lot", c.lot},
                                {"entry", c.index},
                                {"corrected_lot", c.corrected_lot},
                                {"reason", c.reason},
                                {"changes", changes}});
  }
  return j;
}

std::string AssessmentSummary(const Assessment& a) {
  // Required: the rules that require it (named when more than one); not
  // required: every rule, with what keeps it from requiring one.
  std::vector<const RuleOutcome*> rules;
  for (const RuleOutcome& r : a.rules)
    if (Decides(a, r)) rules.push_back(&r);
  std::vector<std::string> why;
  if (rules.size() == 1 && a.verdict != Verdict::kNotRequired) why.push_back(rules[0]->short_why);
  // Rules with the same reason share one clause: "A, B: not applicable (...)".
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const RuleOutcome* r : rules) {
    if (!why.empty()) break;
    auto same = [&](const auto& g) { return g.first == r->short_why; };
    auto it = std::find_if(groups.begin(), groups.end(), same);
    if (it == groups.end()) it = groups.insert(groups.end(), {r->short_why, {}});
    it->second.push_back(r->id);
  }
  for (const auto& [reason, ids] : groups) why.push_back(Join(ids, ", ") + ": " + reason);
  if (why.empty()) why.push_back("the policy has no rules");
  const std::string coverage = CoverageText(a);
  return a.policy + ": " + VerdictText(a) + " — " + Join(why, "; ") +
         (coverage.empty() ? "" : "; " + coverage);
}

std::string AssessmentText(const Assessment& a) {
  std::ostringstream out;
  out << "Lot " << a.lot << " under " << a.policy << " on " << a.as_of << ": " << VerdictText(a)
      << "\n";
  if (!a.policy_title.empty()) out << "  policy: " << a.policy_title << "\n";
  out << "  category " << a.category << ", made in " << a.made_in << "; "
      << (a.controlled_origin_item
              ? "a controlled origin item"
              : (a.foreign_made ? "foreign-made" : "not a controlled origin item"))
      << "\n";
  TextRules(a, out);
  TextContent(a, out);
  TextFindings(a, out);
  TextBinding(a, out);
  return out.str();
}

std::string AssessmentsText(const std::vector<Assessment>& all) {
  std::string out;
  for (const Assessment& a : all) out += AssessmentSummary(a) + "\n";
  for (const Assessment& a : all) out += "\n" + AssessmentText(a);
  return out;
}

}  // namespace rareledger::graph
