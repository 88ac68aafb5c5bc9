// OverlayState: changes not yet in the store, layered over a base view.
//
// The pipeline decides chunk k+1 before chunk k is committed: chunk k+1's
// overlay reads through chunk k's overlay, then the store. Replay has no
// base at all: everything is pending in memory.
#ifndef RARELEDGER_LEDGER_OVERLAY_STATE_H_
#define RARELEDGER_LEDGER_OVERLAY_STATE_H_

#include <optional>
#include <string>

#include "ledger/state.h"

namespace rareledger::ledger {

class OverlayState : public StateView {
 public:
  // `base` (may be null) is borrowed and must outlive its use here.
  explicit OverlayState(const StateView* base) : base_(base) {}
  Result<std::optional<PartyRecord>> FindParty(const std::string& id) const override;
  Result<std::optional<LotRecord>> FindLot(const std::string& id) const override;
  Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const override;
  Result<std::optional<IdentifierHolder>> FindGlnHolder(const std::string& gln) const override;
  void Commit(const Mutation& m) { pending_.Commit(m); }
  void set_base(const StateView* base) { base_ = base; }
  const MemoryState& pending() const { return pending_; }

 private:
  const StateView* base_;
  MemoryState pending_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_OVERLAY_STATE_H_
