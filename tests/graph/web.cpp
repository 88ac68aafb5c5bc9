#include "tests/graph/web.h"

#include <stdexcept>

namespace rareledger::graph::testing {
namespace {

ledger::EntryType TypeOf(const ledger::Body& body) {
  static const ledger::EntryType kTypes[] = {
      ledger::EntryType::kRegisterParty, ledger::EntryType::kCreateLot,
      ledger::EntryType::kTransfer,      ledger::EntryType::kSplit,
      ledger::EntryType::kTransform,     ledger::EntryType::kAttest,
      ledger::EntryType::kRotateKey,     ledger::EntryType::kRevokeParty,
      ledger::EntryType::kCorrectLot,    ledger::EntryType::kLicence,
      ledger::EntryType::kRevokeLicence};
  return kTypes[body.index()];
}

}  // namespace

Web::Web() {
  ledger::RegisterParty op{
      ledger::kOperatorId, "Operator", "CH", {"operator"}, std::string(32, 'o'), std::nullopt};
  Append(Make(ledger::kOperatorId, op));
}

ledger::Entry Web::Make(const std::string& party, ledger::Body body) {
  ledger::Entry e;
  e.type = TypeOf(body);
  e.ledger = "test-ledger";
  e.party = party;
  e.seq = ++seq_[party];
  e.time = time_;
  e.body = std::move(body);
  return e;
}

uint64_t Web::Append(ledger::Entry e) {
  const uint64_t index = entries_.size();
  auto m = ledger::Apply(state_, ledger::LedgerIdentity{"test-ledger"}, e, index);
  if (!m.ok())
    throw std::runtime_error("entry " + std::to_string(index) + ": " + m.status().ToString());
  state_.Commit(*m);
  entries_.push_back(std::move(e));
  return index;
}

uint64_t Web::Party(const std::string& id, const std::string& country) {
  // One key per party (a key belongs to one party for ever).
  const size_t n = state_.parties().size();
  std::string key(32, static_cast<char>('a' + n % 26));
  key[0] = static_cast<char>(n / 26);
  return Append(Make(ledger::kOperatorId,
                     ledger::RegisterParty{id, id, country,
                                           {"producer", "processor", "manufacturer"}, key,
                                           std::nullopt}));
}

uint64_t Web::Create(const std::string& party, const std::string& lot, const std::string& category,
                     int64_t mass_g, int64_t value, const std::string& origin,
                     std::optional<ledger::Elements> elements) {
  ledger::CreateLot c{lot, "material of " + lot, category, mass_g, value, origin, elements, {}};
  return Append(Make(party, c));
}

uint64_t Web::Transfer(const std::string& party, const std::string& lot, const std::string& to,
                       std::optional<int64_t> value) {
  ledger::Transfer t;
  t.lot = lot;
  t.to = to;
  t.value = value;
  return Append(Make(party, std::move(t)));
}

uint64_t Web::Split(const std::string& party, const std::string& lot,
                    std::vector<ledger::LotMass> parts) {
  return Append(Make(party, ledger::Split{lot, std::move(parts)}));
}

uint64_t Web::Transform(const std::string& party, const std::string& process,
                        const std::string& facility, std::optional<std::string> technology,
                        std::vector<ledger::LotMass> inputs, std::vector<Out> outputs,
                        std::optional<std::map<std::string, ledger::Fraction>> allocation) {
  ledger::Transform t;
  t.process = process;
  t.facility_country = facility;
  t.technology_origin = std::move(technology);
  t.inputs = std::move(inputs);
  for (auto& o : outputs) {
    t.outputs.push_back({o.lot, "material of " + o.lot, o.category, o.mass_g, o.value, o.elements});
  }
  t.allocation = std::move(allocation);
  return Append(Make(party, std::move(t)));
}

}  // namespace rareledger::graph::testing

namespace rareledger::graph::testing {

uint64_t Web::Regulator(const std::string& id, const std::string& country) {
  const size_t n = state_.parties().size();
  std::string key(32, static_cast<char>('a' + n % 26));
  key[0] = static_cast<char>(n / 26);
  key[1] = 'R';
  return Append(Make(ledger::kOperatorId,
                     ledger::RegisterParty{id, id, country, {"regulator"}, key, std::nullopt}));
}

uint64_t Web::Licence(const std::string& party, ledger::Licence l) {
  return Append(Make(party, std::move(l)));
}

uint64_t Web::RevokeLicence(const std::string& party, const std::string& licence,
                            const std::string& reason) {
  return Append(Make(party, ledger::RevokeLicence{licence, reason}));
}

uint64_t Web::Correct(const std::string& party, ledger::CorrectLot c) {
  return Append(Make(party, std::move(c)));
}

}  // namespace rareledger::graph::testing
