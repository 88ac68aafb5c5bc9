// Text, JSON and Graphviz renderings of a Trace.
#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include "graph/amount.h"
#include "graph/assessment.h"
#include "graph/trace.h"

namespace rareledger::graph {
namespace {

using json = nlohmann::json;

std::string DerivationLabel(const TracedDerivation& t) {
  const Derivation& d = t.derivation;
  std::string s = "entry " + std::to_string(d.index) + ": ";
  if (d.kind == ledger::EntryType::kSplit) return s + "split " + FormatGrams(d.mass_g);
  s += t.process + " in " + t.facility_country;
  if (!t.technology_origin.empty()) s += " (" + t.technology_origin + " technology)";
  s += ", " + FormatGrams(d.mass_g) + " in";
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

std::string LotLine(const TracedLot& l, const std::string& currency) {
  std::ostringstream out;
  out << l.id << "  " << l.category << " (" << l.material << "), made in " << l.made_in
      << ", held by " << l.holder << "\n      " << l.created_by << " at entry " << l.created_at
      << "; mass " << FormatGrams(l.mass_g) << ", remaining " << FormatGrams(l.remaining_g)
      << "; value " << FormatMoney(l.value, currency);
  if (l.content) out << "; controlled content " << FormatMoney(*l.content, currency);
  if (l.controlled_origin_item) out << "  [controlled origin item]";
  for (const auto& a : l.attestations)
    out << "\n      attested by " << a.auditor << " at entry " << a.index << ": " << a.claim;
  for (const auto& c : l.corrections) {
    out << "\n      corrected by entry " << c.index;
    if (c.lot != l.id) out << " (a correction of " << c.lot << ")";
    for (const auto& f : c.changes) out << "; " << f.field << " was " << f.before.dump();
  }
  return out.str();
}

constexpr const char* kFont = "\"DejaVu Sans\"";
constexpr const char* kRed = "#c0392b";
constexpr const char* kCoiFill = "#f4b6b6";

// Breaks `text` into lines of at most `width` characters at spaces.
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string line;
  for (std::string w; words >> w;) {
    if (!line.empty() && line.size() + 1 + w.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<std::string> Title(const Trace& t, const DotOptions& o) {
  std::vector<std::string> lines = {
      "Provenance " + std::string(t.direction == Direction::kUp ? "upstream" : "downstream") +
      " of " + t.root + (t.policy.empty() ? "" : ", controlled content under " + t.policy)};
  if (o.verdict) {
    for (auto& l : Wrap(AssessmentSummary(*o.verdict) + " (as of " + o.verdict->as_of + ")", 110))
      lines.push_back(l);
  }
  lines.push_back(" ");
  return lines;
}

// Lot id -> tier: 0 without a parent in the cone, else one more than its
// deepest parent. Lots are in log order, parents before children.
std::map<int, std::vector<std::string>> Tiers(const Trace& t) {
  std::map<std::string, std::vector<std::string>> parents;
  for (const TracedDerivation& d : t.derivations)
    parents[d.derivation.to].push_back(d.derivation.from);
  std::map<std::string, int> tier;
  std::map<int, std::vector<std::string>> out;
  for (const TracedLot& l : t.lots) {
    int n = 0;
    for (const std::string& p : parents[l.id])
      if (auto it = tier.find(p); it != tier.end()) n = std::max(n, it->second + 1);
    tier[l.id] = n;
    out[n].push_back(l.id);
  }
  return out;
}

std::string LotNode(const TracedLot& l, const Trace& t, const DotOptions& o) {
  std::vector<std::string> lines = {
      l.id, l.category + ", made in " + l.made_in + ", held by " + l.holder,
      FormatGrams(l.remaining_g) + " left of " + FormatGrams(l.mass_g),
      "value " + FormatMoney(l.value, o.currency)};
  if (l.content) lines.push_back("controlled content " + FormatMoney(*l.content, o.currency));
  if (l.controlled_origin_item) lines.push_back("CONTROLLED ORIGIN ITEM");
  const bool root = l.id == t.root;
  if (root && o.verdict)
    lines.push_back(
        std::string(o.verdict->verdict == Verdict::kProhibited ? "PROHIBITED"
                    : o.verdict->license_required             ? "LICENCE REQUIRED"
                    : o.verdict->verdict == Verdict::kUnknown ? "LICENCE MAY BE REQUIRED"
                                                              : "no licence required") +
        " (" + o.verdict->policy + ", " + o.verdict->as_of + ")");
  std::string attrs = "[label=" + QuoteLines(lines);
  if (l.controlled_origin_item)
    attrs += std::string(", style=\"rounded,filled\", fillcolor=\"") + kCoiFill + "\"";
  if (root) {
    attrs += ", penwidth=3";
    if (o.verdict)
      attrs += o.verdict->license_required               ? ", color=\"#c0392b\""
               : o.verdict->verdict == Verdict::kUnknown ? ", color=\"#d68910\""
                                                         : ", color=\"#1e8449\"";
  }
  return attrs + "]";
}

std::vector<std::string> EdgeLines(const TracedDerivation& t) {
  const Derivation& d = t.derivation;
  std::vector<std::string> lines = {"entry " + std::to_string(d.index)};
  if (d.kind == ledger::EntryType::kSplit) {
    lines[0] += ": split, " + FormatGrams(d.mass_g);
    return lines;
  }
  lines[0] += ": " + t.process + " in " + t.facility_country;
  if (!t.technology_origin.empty()) lines.push_back(t.technology_origin + " technology");
  std::string in = FormatGrams(d.mass_g) + " in";
  if (d.allocation)
    in += ", share " + std::to_string(d.allocation->num) + "/" + std::to_string(d.allocation->den);
  lines.push_back(in);
  return lines;
}

std::string Legend(const Trace& t) {
  std::ostringstream out;
  out << "  subgraph cluster_legend {\n    label=\"Legend\"; fontsize=11; color=\"#bdc3c7\";\n"
      << "    legend [shape=plain, fontsize=10, label=<<TABLE BORDER=\"0\" CELLSPACING=\"4\">"
      << "<TR><TD BORDER=\"1\" BGCOLOR=\"" << kCoiFill
      << "\">  lot  </TD><TD ALIGN=\"LEFT\">controlled origin item"
      << (t.policy.empty() ? "" : " under " + t.policy) << "</TD></TR>"
      << "<TR><TD BORDER=\"3\">  lot  </TD><TD ALIGN=\"LEFT\">the traced lot (" << t.root
      << "); green or red border: its verdict</TD></TR>"
      << "<TR><TD><FONT COLOR=\"" << kRed << "\"><B>&#9473;&#9473;&#9473;&#9654;</B></FONT></TD>"
      << "<TD ALIGN=\"LEFT\">carries a non-zero share of controlled content</TD></TR>"
      << "<TR><TD><FONT COLOR=\"" << kRed << "\">&#9644; &#9644; &#9654;</FONT></TD>"
      << "<TD ALIGN=\"LEFT\">split of a controlled origin item (the part is one too)</TD></TR>"
      << "<TR><TD><FONT COLOR=\"#7f8c8d\">&#9472;&#9472;&#9472;&#9654;</FONT></TD>"
      << "<TD ALIGN=\"LEFT\">no controlled content (or none measured: no policy)</TD></TR>"
      << "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\">amounts: value and content on the remaining mass "
      << "(or the mass at the last value declaration)</TD></TR>"
      << "</TABLE>>];\n  }\n";
  return out.str();
}

}  // namespace

std::string TraceText(const Trace& t, const std::string& currency) {
  std::ostringstream out;
  out << "Trace " << DirectionName(t.direction)
      << (t.direction == Direction::kUp ? " from " : " from ") << "lot " << t.root << ": "
      << t.lots.size() << " lot(s), " << t.derivations.size() << " derivation(s)"
      << (t.policy.empty() ? "" : "; content under " + t.policy) << "\n\nLots (log order):\n";
  for (const TracedLot& l : t.lots)
    out << (l.id == t.root ? "  * " : "    ") << LotLine(l, currency) << "\n";
  out << "\nDerivations:\n";
  for (const TracedDerivation& d : t.derivations) {
    out << "    " << d.derivation.from << " -> " << d.derivation.to << "  (" << DerivationLabel(d)
        << ")" << (d.carries_content ? "  [carries controlled content]" : "")
        << (d.controlled_split ? "  [split of a controlled origin item]" : "") << "\n";
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
    if (!l.attestations.empty()) o["attestations"] = AttestationsJson(l.attestations);
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
    if (!t.policy.empty()) {
      o["carries_content"] = d.carries_content;
      o["controlled_split"] = d.controlled_split;
    }
    j["derivations"].push_back(std::move(o));
  }
  return j;
}

std::string TraceDot(const Trace& t, const DotOptions& options) {
  std::ostringstream out;
  out << "digraph provenance {\n"
      << "  graph [rankdir=TB, fontname=" << kFont << ", fontsize=14, labelloc=t, "
      << "nodesep=0.4, ranksep=0.5, newrank=true];\n"
      << "  node [shape=box, style=\"rounded\", fontname=" << kFont << ", fontsize=11];\n"
      << "  edge [fontname=" << kFont << ", fontsize=9, color=\"#7f8c8d\"];\n"
      << "  label=" << QuoteLines(Title(t, options)) << ";\n";
  for (const TracedLot& l : t.lots)
    out << "  " << Quote(l.id) << " " << LotNode(l, t, options) << ";\n";
  for (const TracedDerivation& d : t.derivations) {
    out << "  " << Quote(d.derivation.from) << " -> " << Quote(d.derivation.to)
        << " [label=" << QuoteLines(EdgeLines(d));
    if (d.carries_content)
      out << ", color=\"" << kRed << "\", fontcolor=\"" << kRed << "\", penwidth=2";
    if (d.controlled_split)
      out << ", color=\"" << kRed << "\", fontcolor=\"" << kRed << "\", style=dashed, penwidth=2";
    out << "];\n";
  }
  for (const auto& [tier, ids] : Tiers(t)) {
    out << "  { rank=same;";
    for (const std::string& id : ids) out << " " << Quote(id) << ";";
    out << " }  // tier " << tier << "\n";
  }
  out << Legend(t) << "}\n";
  return out.str();
}

}  // namespace rareledger::graph
