// Trace: a lot's provenance upstream (what it was made from) or downstream
// (what was made from it), with masses, values and controlled content, and
// renderers for people (text), programs (JSON) and Graphviz (DOT).
//
// Content needs a policy (it defines controlled origin items); without one
// the trace shows masses and values only. The DOT output renders with
// `dot -Tsvg` / `-Tpng`, top to bottom, one row per tier (a lot's tier is
// one more than its deepest parent's in the cone): controlled origin items
// are filled red, the traced lot has a bold border (and, with a verdict, the
// verdict), derivations that carry a non-zero share of controlled content
// are red, splits of a controlled origin item are dashed red; a legend says
// so.
#ifndef RARELEDGER_GRAPH_TRACE_H_
#define RARELEDGER_GRAPH_TRACE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "graph/policy.h"
#include "graph/provenance.h"
#include "graph/rational.h"
#include "graph/source.h"
#include "ledger/status.h"

namespace rareledger::graph {

struct TracedLot {
  std::string id;
  std::string material;
  std::string category;
  std::string made_in;
  std::string holder;
  uint64_t created_at = 0;
  std::string created_by;  // "create_lot", "split" or "transform"
  int64_t mass_g = 0;      // at creation
  int64_t remaining_g = 0;
  int64_t mass_basis_g = 0;  // remaining, or mass at last declaration
  Rational value = 0;        // value per gram now x mass_basis_g
  // The fields above are as corrected; these are the correcting entries.
  std::vector<ledger::LotCorrection> corrections;
  std::vector<AttestationNote> attestations;  // auditors' claims about it
  // With a policy only:
  bool controlled_origin_item = false;
  std::optional<Rational> content;  // controlled content on mass_basis_g
};

struct TracedDerivation {
  Derivation derivation;
  std::string process;            // transform only
  std::string facility_country;   // transform only
  std::string technology_origin;  // transform only, may be empty
  // A non-zero share of controlled content flows along it to a lot that is
  // not itself a controlled origin item.
  bool carries_content = false;
  // A split of a controlled origin item (the part is one too).
  bool controlled_split = false;
};

struct Trace {
  std::string root;
  Direction direction = Direction::kUp;
  std::string policy;                         // empty without a policy
  std::vector<TracedLot> lots;                // by (created_at, id)
  std::vector<TracedDerivation> derivations;  // by (index, from, to)
};

// `policy` may be null (no content). NotFound for an unknown lot.
ledger::Result<Trace> TraceLot(const ProvenanceSource& source, const std::string& lot,
                               Direction direction, const Policy* policy);

struct Assessment;

struct DotOptions {
  std::string currency;                 // of the amounts; "" = minor units
  const Assessment* verdict = nullptr;  // the traced lot's, shown when set
};

// `currency` names the amounts ("" prints minor units).
std::string TraceText(const Trace& trace, const std::string& currency = "");
nlohmann::json TraceJson(const Trace& trace);
std::string TraceDot(const Trace& trace, const DotOptions& options = {});

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_TRACE_H_
