// notice / verify-notice: the CLI over graph/notice.h.
#include <iostream>

#include "cli/cli.h"
#include "graph/notice.h"
#include "graph/policy.h"
#include "ledger/cosignature.h"
#include "ledger/proof_check.h"

namespace rareledger::cli {

using ledger::Status;

int CmdNotice(Context& c, const NoticeOptions& o) {
  if (o.as_of && !graph::IsValidDate(*o.as_of))
    return UsageError("notice: --as-of \"" + *o.as_of + "\" is not a valid YYYY-MM-DD date");
  if (o.valid_until && !graph::IsValidDate(*o.valid_until))
    return UsageError("notice: --valid-until \"" + *o.valid_until + "\" is not a valid YYYY-MM-DD date");
  auto file = ResolvePolicyFile(o.policy);
  if (!file.ok()) return Fail(file.status());
  auto policy = graph::LoadPolicy(*file);
  if (!policy.ok()) return Fail(policy.status());
  auto key = LoadSigner(o.key);
  if (!key.ok()) return Fail(key.status());
  if (Status s = c.Open(Access::kRead); !s.ok()) return Fail(s);
  graph::NoticeRequest request;
  request.lot = o.lot;
  request.shipment.to = o.to;
  if (!o.end_use.empty()) request.shipment.end_use = o.end_use;
  if (!o.end_user.empty()) request.shipment.end_user = o.end_user;
  request.as_of = o.as_of.value_or(graph::TodayUtc());
  request.issued = ledger::UtcNow();
  request.valid_until = o.valid_until.value_or("");
  auto notice = graph::MakeNotice(c.ledger(), *policy, request, *key);
  if (!notice.ok()) return Fail(notice.status());
  const std::string text = notice->dump(2) + "\n";
  if (o.out.empty() || o.out == "-") {
    std::cout << text;
  } else if (Status s = WriteFileAtomically(o.out, text); !s.ok()) {
    return Fail(s);
  }
  // The notice as its recipient will check it, with the defaults: say now
  // if that fails (a quiet log's checkpoint looks old without a witness).
  graph::NoticeCheckOptions self;
  if (auto op = c.ledger().GetParty(ledger::kOperatorId); op.ok()) {
    self.operator_key = op->current_key();
    self.at = graph::TodayUtc();
    if (auto check = graph::VerifyNotice(text, self); !check.ok())
      Warn("a recipient checking this notice with the defaults would refuse it: " +
           check.status().message());
  }
  if (!c.g.quiet)
    std::cerr << "notice: " << o.lot << " to " << o.to << " under " << policy->id << ": "
              << (*notice)["verdict"].get<std::string>() << ", ratio "
              << (*notice)["ratio"].get<std::string>() << ", "
              << (*notice)["proofs"].size() << " entries proven against checkpoint "
              << (*notice)["assessment"]["size"] << "\n";
  return kExitOk;
}

namespace {

// The policy to recompute with: --policy, else the shipped one of the
// notice's policy id (RecheckNotice then requires its SHA-256).
ledger::Result<graph::Policy> RecomputePolicy(const VerifyNoticeOptions& o, const std::string& id) {
  RL_ASSIGN_OR_RETURN(std::string file, ResolvePolicyFile(o.policy.empty() ? id : o.policy));
  return graph::LoadPolicy(file);
}

}  // namespace

int CmdVerifyNotice(Context& c, const VerifyNoticeOptions& o) {
  const Globals& g = c.g;
  if (o.at && !graph::IsValidDate(*o.at))
    return UsageError("verify-notice: --at \"" + *o.at + "\" is not a valid YYYY-MM-DD date");
  if (o.max_checkpoint_age_days < 0)
    return UsageError("verify-notice: --max-checkpoint-age must be 0 or more days");
  auto text = ReadInput(o.file);
  if (!text.ok()) return Fail(text.status());
  auto op = ledger::PublicKey::FromPemFile(o.operator_key);
  if (!op.ok()) return Fail(op.status().WithContext("--operator-key"));
  graph::NoticeCheckOptions options;
  options.operator_key = op->raw();
  options.at = o.at.value_or(graph::TodayUtc());
  options.max_checkpoint_age_days = o.max_checkpoint_age_days;
  if (!o.policy.empty()) {
    auto file = ResolvePolicyFile(o.policy);
    if (!file.ok()) return Fail(file.status());
    auto policy = graph::LoadPolicy(*file);
    if (!policy.ok()) return Fail(policy.status());
    options.policy_id = policy->id;
    options.policy_sha256 = policy->sha256;
  }
  for (const std::string& v : g.witness_vkeys) {
    auto k = ledger::ParseCosignerKey(v);
    if (!k.ok()) return Fail(k.status().WithContext("--witness-vkey"));
    options.witnesses.push_back(*std::move(k));
  }
  auto r = graph::VerifyNotice(*text, options);
  if (r.ok()) {  // the quorum, when one is asked for
    if (Status s = CheckWitnesses(g, r->checkpoint_note); !s.ok()) r = s;
  }
  if (r.ok() && o.recompute) {  // the determination again, from the log
    Status s = c.Open(Access::kRead);
    auto policy = RecomputePolicy(o, r->policy);
    if (s.ok() && !policy.ok()) s = policy.status();
    if (s.ok()) s = graph::RecheckNotice(c.ledger(), *policy, *text);
    if (!s.ok()) r = s.WithContext("--recompute");
  }
  if (g.json) {
    nlohmann::json j = {{"ok", r.ok()}};
    if (r.ok()) {
      j.update({{"ledger", r->ledger},       {"lot", r->lot},
                {"from", r->from},           {"to", r->to},
                {"policy", r->policy},       {"as_of", r->as_of},
                {"verdict", r->verdict},     {"ratio", r->ratio},
                {"covered_by", r->covered_by ? nlohmann::json(*r->covered_by) : nlohmann::json()},
                {"issued", r->issued},       {"valid_until", r->valid_until},
                {"checkpoint_size", r->checkpoint_size},
                {"entries", r->entries},     {"newest_entry_time", r->newest_entry_time},
                {"checkpoint_time", r->checkpoint_time},
                {"checkpoint_time_from", r->checkpoint_time_from},
                {"holder_key_sha256", r->holder_key_fingerprint},
                {"recomputed", o.recompute}});
    } else {
      j["error"] = r.status().ToString();
    }
    std::cout << j.dump() << "\n";
    return r.ok() ? kExitOk : kExitFailure;
  }
  if (!r.ok()) return Fail(r.status().WithContext("notice " + o.file));
  std::cout << "notice ok: " << r->lot << " from " << r->from << " to " << r->to << " under "
            << r->policy << " on " << r->as_of << ": " << r->verdict << ", ratio " << r->ratio
            << (r->covered_by ? ", covered by licence " + *r->covered_by : std::string()) << "\n"
            << "  " << r->entries << " cited entries proven in ledger " << r->ledger
            << " at the operator's checkpoint of size " << r->checkpoint_size
            << ", dated " << r->checkpoint_time << " by " << r->checkpoint_time_from << "\n"
            << "  signed by " << r->from << " (key SHA-256 " << r->holder_key_fingerprint
            << ") at " << r->issued << ", valid through " << r->valid_until << "\n"
            << (o.recompute
                    ? "  recomputed from the log at --db: the same determination\n"
                    : "  the ratio and verdict are the holder's determination from the cited "
                      "entries;\n  with the log, `verify-notice --recompute --db DIR` "
                      "recomputes them\n");
  return kExitOk;
}

}  // namespace rareledger::cli
