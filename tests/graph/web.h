// Test helper: builds a supply web as typed entries (no signatures: Apply
// checks rules, not signatures), applies each to a MemoryState and exposes
// it as a MemorySource.
#ifndef RARELEDGER_TESTS_GRAPH_WEB_H_
#define RARELEDGER_TESTS_GRAPH_WEB_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/source.h"
#include "ledger/entry.h"
#include "ledger/state.h"

namespace rareledger::graph::testing {

struct Out {
  std::string lot;
  std::string category;
  int64_t mass_g;
  int64_t value;
  std::optional<ledger::Elements> elements = std::nullopt;
};

class Web {
 public:
  Web();  // entry 0: the operator's register_party

  // register_party by the operator; roles producer, processor, manufacturer.
  uint64_t Party(const std::string& id, const std::string& country);
  uint64_t Create(const std::string& party, const std::string& lot, const std::string& category,
                  int64_t mass_g, int64_t value, const std::string& origin,
                  std::optional<ledger::Elements> elements = std::nullopt);
  uint64_t Transfer(const std::string& party, const std::string& lot, const std::string& to,
                    std::optional<int64_t> value = std::nullopt);
  uint64_t Split(const std::string& party, const std::string& lot,
                 std::vector<ledger::LotMass> parts);
  uint64_t Transform(
      const std::string& party, const std::string& process, const std::string& facility,
      std::optional<std::string> technology, std::vector<ledger::LotMass> inputs,
      std::vector<Out> outputs,
      std::optional<std::map<std::string, ledger::Fraction>> allocation = std::nullopt);

  // A party with role regulator (it may issue licences).
  uint64_t Regulator(const std::string& id, const std::string& country);
  uint64_t Licence(const std::string& party, ledger::Licence l);
  uint64_t RevokeLicence(const std::string& party, const std::string& licence,
                         const std::string& reason);
  // The `time` of the entries made from now on (default 2025-06-01T00:00:00Z).
  void set_time(std::string time) { time_ = std::move(time); }

  // correct_lot by the lot's creator.
  uint64_t Correct(const std::string& party, ledger::CorrectLot c);

  // Applies any entry; throws std::runtime_error when Apply rejects it.
  uint64_t Append(ledger::Entry e);

  const graph::MemorySource& source() const { return source_; }
  const std::vector<ledger::Entry>& entries() const { return entries_; }
  const ledger::MemoryState& state() const { return state_; }

 private:
  ledger::Entry Make(const std::string& party, ledger::Body body);

  ledger::MemoryState state_;
  std::vector<ledger::Entry> entries_;
  std::map<std::string, int64_t> seq_;
  std::string time_ = "2025-06-01T00:00:00Z";
  graph::MemorySource source_{state_, entries_};
};

}  // namespace rareledger::graph::testing

#endif  // RARELEDGER_TESTS_GRAPH_WEB_H_
