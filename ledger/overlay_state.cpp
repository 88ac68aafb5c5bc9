#include "ledger/overlay_state.h"

namespace rareledger::ledger {

Result<std::optional<PartyRecord>> OverlayState::FindParty(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto p, pending_.FindParty(id));
  if (p || base_ == nullptr) return p;
  return base_->FindParty(id);
}

Result<std::optional<LotRecord>> OverlayState::FindLot(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto l, pending_.FindLot(id));
  if (l || base_ == nullptr) return l;
  return base_->FindLot(id);
}

Result<std::optional<IdentifierHolder>> OverlayState::FindKeyHolder(const std::string& k) const {
  RL_ASSIGN_OR_RETURN(auto h, pending_.FindKeyHolder(k));
  return h || base_ == nullptr ? h : base_->FindKeyHolder(k);
}

Result<std::optional<IdentifierHolder>> OverlayState::FindGlnHolder(const std::string& g) const {
  RL_ASSIGN_OR_RETURN(auto h, pending_.FindGlnHolder(g));
  return h || base_ == nullptr ? h : base_->FindGlnHolder(g);
}

}  // namespace rareledger::ledger
