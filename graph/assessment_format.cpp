// JSON and text renderings of an Assessment.
#include <sstream>

#include "graph/assessment.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;

json RuleJson(const RuleOutcome& r) {
  json j = {{"id", r.id},           {"kind", RuleKindName(r.kind)}, {"in_force", r.in_force},
            {"applies", r.applies}, {"triggered", r.triggered},     {"reason", r.reason}};
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

std::string YesNo(bool b) { return b ? "yes" : "no"; }

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& id : items) out += (out.empty() ? "" : sep) + id;
  return out;
}

void TextRules(const Assessment& a, std::ostringstream& out) {
  out << "\nRules:\n";
  for (const RuleOutcome& r : a.rules) {
    const bool bites = r.in_force && r.applies && r.triggered;
    out << "  " << r.id << " (" << RuleKindName(r.kind)
        << "): " << (bites ? "REQUIRES A LICENCE" : "no licence on this rule") << "\n"
        << "    in force on " << a.as_of << ": " << YesNo(r.in_force)
        << "; applies: " << YesNo(r.applies) << "; triggered: " << YesNo(r.triggered) << "\n"
        << "    why: " << r.reason << "\n";
    if (r.review_after)
      out << "    review after: " << *r.review_after << (r.review_due ? " (due now)" : "") << "\n";
  }
}

// "n/d", with an approximate decimal when it is not a whole number.
std::string Amount(const Rational& r) {
  std::string s = FormatFraction(r);
  if (boost::multiprecision::denominator(r) != 1) s += " (~" + FormatDecimal(r, 2) + ")";
  return s;
}

void TextContent(const Assessment& a, std::ostringstream& out) {
  out << "\nValue and content (minor currency units, on " << a.mass_basis_g << " g):\n"
      << "  lot value:          " << Amount(a.lot_value) << "\n"
      << "  controlled content: " << Amount(a.controlled_content) << "\n"
      << "  ratio:              " << a.ratio.Fraction() << " = " << a.ratio.Percent() << "\n";
  out << "\nContributors (controlled origin items whose content reaches the lot): "
      << a.contributors.size() << "\n";
  for (const Contributor& c : a.contributors) {
    out << "  " << c.lot << " (made in " << c.origin << "): content " << FormatFraction(c.content)
        << "\n    path: " << Join(c.path, " -> ") << "\n";
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
  if (!a.warnings.empty()) {
    out << "\nWarnings:\n";
    for (const auto& w : a.warnings) out << "  ! " << w << "\n";
  }
}

}  // namespace

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
            {"license_required", a.license_required}};
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
  j["warnings"] = a.warnings;
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

std::string AssessmentText(const Assessment& a) {
  std::ostringstream out;
  out << "Lot " << a.lot << " under " << a.policy << " on " << a.as_of << ": "
      << (a.license_required ? "LICENCE REQUIRED" : "no licence required") << "\n";
  out << "  category " << a.category << ", made in " << a.made_in << "; "
      << (a.controlled_origin_item
              ? "a controlled origin item"
              : (a.foreign_made ? "foreign-made" : "not a controlled origin item"))
      << "\n";
  TextRules(a, out);
  TextContent(a, out);
  TextFindings(a, out);
  return out.str();
}

}  // namespace rareledger::graph
