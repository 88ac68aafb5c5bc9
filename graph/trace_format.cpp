// Text, JSON and Graphviz renderings of a Trace.
#include <sstream>
#include <vector>

#include "graph/trace.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;

std::string DerivationLabel(const TracedDerivation& t) {
  const Derivation& d = t.derivation;
  std::string s = "entry " + std::to_string(d.index) + ": ";
  if (d.kind == ledger::EntryType::kSplit) return s + "split " + std::to_string(d.mass_g) + " g";
  s += t.process + " in " + t.facility_country;
  if (!t.technology_origin.empty()) s += " (" + t.technology_origin + " technology)";
  s += ", " + std::to_string(d.mass_g) + " g in";
  if (d.allocation)
    s += ", share " + std::to_string(d.allocation->num) + "/" + std::to_string(d.allocation->den);
  return s;
}

// A DOT double-quoted string.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A DOT string of several lines (joined with DOT's \n escape).
std::string QuoteLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    std::string q = Quote(line);
    out += (out.empty() ? "" : "\\n") + q.substr(1, q.size() - 2);
  }
  return "\"" + out + "\"";
}

std::string LotLine(const TracedLot& l) {
  std::ostringstream out;
  out << l.id << "  " << l.category << " (" << l.material << "), made in " << l.made_in
      << ", held by " << l.holder << "\n      " << l.created_by << " at entry " << l.created_at
      << "; mass " << l.mass_g << " g, remaining " << l.remaining_g << " g; value "
      << FormatFraction(l.value);
  if (l.content) out << "; controlled content " << FormatFraction(*l.content);
  if (l.controlled_origin_item) out << "  [controlled origin item]";
  for (const auto& c : l.corrections) {
    out << "\n      corrected by entry " << c.index;
    if (c.lot != l.id) out << " (a correction of " << c.lot << ")";
    for (const auto& f : c.changes) out << "; " << f.field << " was " << f.before.dump();
  }
  return out.str();
}

}  // namespace

std::string TraceText(const Trace& t) {
  std::ostringstream out;
  out << "Trace " << DirectionName(t.direction)
      << (t.direction == Direction::kUp ? " from " : " from ") << "lot " << t.root << ": "
      << t.lots.size() << " lot(s), " << t.derivations.size() << " derivation(s)"
      << (t.policy.empty() ? "" : "; content under " + t.policy) << "\n\nLots (log order):\n";
  for (const TracedLot& l : t.lots) out << (l.id == t.root ? "  * " : "    ") << LotLine(l) << "\n";
  out << "\nDerivations:\n";
  for (const TracedDerivation& d : t.derivations) {
    out << "    " << d.derivation.from << " -> " << d.derivation.to << "  (" << DerivationLabel(d)
        << ")" << (d.carries_content ? "  [carries controlled content]" : "") << "\n";
  }
  return out.str();
}

json TraceJson(const Trace& t) {
  json j = {{"root", t.root}, {"direction", DirectionName(t.direction)}};
  if (!t.policy.empty()) j["policy"] = t.policy;
  j["lots"] = json::array();
  for (const TracedLot& l : t.lots) {
    json o = {{"lot", l.id},
              {"material", l.material},
              {"category", l.category},
              {"made_in", l.made_in},
              {"holder", l.holder},
              {"created_at", l.created_at},
              {"created_by", l.created_by},
              {"mass_g", l.mass_g},
              {"remaining_g", l.remaining_g},
              {"value", FormatFraction(l.value)}};
    if (l.content) {
      o["controlled_content"] = FormatFraction(*l.content);
      o["controlled_origin_item"] = l.controlled_origin_item;
    }
    if (!l.corrections.empty()) {
      o["corrections"] = json::array();
      for (const auto& c : l.corrections) {
        json changes = json::array();
        for (const auto& f : c.changes)
          changes.push_back({{"field", f.field}, {"before", f.before}, {"after", f.after}});
        o["corrections"].push_back(
            {{"entry", c.index}, {"lot", c.lot}, {"reason", c.reason}, {"changes", changes}});
      }
    }
    j["lots"].push_back(std::move(o));
  }
  j["derivations"] = json::array();
  for (const TracedDerivation& d : t.derivations) {
    const Derivation& x = d.derivation;
    json o = {{"from", x.from},
              {"to", x.to},
              {"index", x.index},
              {"type", ledger::EntryTypeName(x.kind)},
              {"mass_g", x.mass_g}};
    if (x.kind == ledger::EntryType::kTransform) {
      o["process"] = d.process;
      o["facility_country"] = d.facility_country;
      if (!d.technology_origin.empty()) o["technology_origin"] = d.technology_origin;
      if (x.allocation)
        o["allocation"] =
            std::to_string(x.allocation->num) + "/" + std::to_string(x.allocation->den);
    }
    if (!t.policy.empty()) o["carries_content"] = d.carries_content;
    j["derivations"].push_back(std::move(o));
  }
  return j;
}

std::string TraceDot(const Trace& t) {
  std::ostringstream out;
  out << "digraph provenance {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=10];\n  label="
      << Quote("trace " + std::string(DirectionName(t.direction)) + " from " + t.root +
               (t.policy.empty() ? "" : " (" + t.policy + ")"))
      << ";\n";
  for (const TracedLot& l : t.lots) {
    std::vector<std::string> lines = {
        l.id, l.category + ", made in " + l.made_in,
        std::to_string(l.remaining_g) + " of " + std::to_string(l.mass_g) + " g left",
        "value " + FormatFraction(l.value)};
    if (l.content) lines.push_back("content " + FormatFraction(*l.content));
    out << "  " << Quote(l.id) << " [label=" << QuoteLines(lines);
    if (l.controlled_origin_item) out << ", style=filled, fillcolor=\"#f4b6b6\"";
    if (l.id == t.root) out << ", penwidth=3";
    out << "];\n";
  }
  for (const TracedDerivation& d : t.derivations) {
    out << "  " << Quote(d.derivation.from) << " -> " << Quote(d.derivation.to)
        << " [label=" << Quote(DerivationLabel(d));
    if (d.carries_content) out << ", color=\"#c0392b\", penwidth=2";
    out << "];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace rareledger::graph
