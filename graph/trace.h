// Trace: a lot's provenance upstream (what it was made from) or downstream
// (what was made from it), with masses, values and controlled content, and
// renderers for people (text), programs (JSON) and Graphviz (DOT).
//
// Content needs a policy (it defines controlled origin items); without one
// the trace shows masses and values only. The DOT output renders with
// `dot -Tsvg`: controlled origin items are filled red, the traced lot has a
// bold border, and derivations that carry controlled content are red.
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
  // With a policy only:
  bool controlled_origin_item = false;
  std::optional<Rational> content;  // controlled content on mass_basis_g
};

struct TracedDerivation {
  Derivation derivation;
  std::string process;            // transform only
  std::string facility_country;   // transform only
  std::string technology_origin;  // transform only, may be empty
  bool carries_content = false;   // controlled content flows along it
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

std::string TraceText(const Trace& trace);
nlohmann::json TraceJson(const Trace& trace);
std::string TraceDot(const Trace& trace);

}  // namespace rareledger::graph

#endif  // RARELEDGER_GRAPH_TRACE_H_
