#include "ledger/ledger.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <future>
#include <map>
#include <unordered_map>

#include "ledger/canonical_json.h"
#include "ledger/envelope.h"
#include "ledger/overlay_state.h"
#include "ledger/verifier.h"
#include "ledger/checkpoint.h"
#include "ledger/record_json.h"
#include "ledger/records.h"
#include "ledger/replay.h"
#include "ledger/sequencer.h"
#include "ledger/store_format.h"
#include "ledger/vocabulary.h"

namespace rareledger::ledger {
std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// A new store at `path` whose entry 0 is `entry` (decided into `m`); a
// failed commit leaves no directory behind that was not there before.
Result<std::unique_ptr<Store>> CreateWithGenesis(const std::string& path,
                                                 const std::string& ledger_id,
                                                 const std::string& currency, const Entry& entry,
                                                 const Mutation& m) {
  bool existed = std::filesystem::exists(path);
  RL_ASSIGN_OR_RETURN(auto store, Store::Open(path, Store::Mode::kCreate));
  Frontier frontier;
  Store::Batch batch;
  batch.PutEntry(0, entry.leaf, entry.party, entry.seq);
  batch.PutMutation(m);
  batch.PutNodes(frontier.Append(LeafHash(entry.leaf)));
  batch.PutMeta(format::kMetaFormat, format::kFormatVersion);
  batch.PutMeta(format::kMetaLedgerId, ledger_id);
  batch.PutMeta(format::kMetaCurrency, currency);
  batch.PutMeta(format::kMetaFrontier, frontier.Serialize());
  Status s = store->Commit(batch);
  if (!s.ok()) {
    store.reset();
    std::error_code ec;
    if (!existed) std::filesystem::remove_all(path, ec);
    return s;
  }
  return store;
}

Status CheckCurrency(const std::string& currency) {
  if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(), ::isupper))
    return Status::InvalidArgument("currency must be an ISO 4217 code like USD, got \"" +
                                   currency + "\"");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Ledger>> Ledger::Init(const std::string& path,
                                             const std::string& ledger_id,
                                             const std::string& currency,
                                             const std::string& operator_country,
                                             const Signer& operator_key,
                                             const std::string& time) {
  RL_RETURN_IF_ERROR(CheckCurrency(currency));
  nlohmann::json payload = {{"type", "register_party"},
                            {"ledger", ledger_id},
                            {"party", kOperatorId},
                            {"seq", 1},
                            {"time", time},
                            {"id", kOperatorId},
                            {"name", "operator"},
                            {"country", operator_country},
                            {"roles", {"operator"}},
                            {"pubkey", operator_key.public_key().ToBase64()}};
  // Validate everything before anything touches the disk.
  RL_ASSIGN_OR_RETURN(std::string envelope, SignEnvelope(payload, operator_key));
  RL_ASSIGN_OR_RETURN(Entry entry, DecodeEnvelope(envelope));
  MemoryState empty;
  RL_ASSIGN_OR_RETURN(Mutation m, Apply(empty, LedgerIdentity{ledger_id}, entry, 0));

  RL_ASSIGN_OR_RETURN(auto store, CreateWithGenesis(path, ledger_id, currency, entry, m));
  return std::unique_ptr<Ledger>(new Ledger(std::move(store)));
}

Result<std::unique_ptr<Ledger>> Ledger::InitReplica(const std::string& path,
                                                    std::string_view leaf,
                                                    const std::string& currency) {
  RL_RETURN_IF_ERROR(CheckCurrency(currency));
  RL_ASSIGN_OR_RETURN(Entry entry, DecodeLeaf(leaf));
  if (entry.type != EntryType::kRegisterParty || entry.party != kOperatorId || entry.seq != 1)
    return Status::VerificationFailed("entry 0 is not the operator's register_party");
  MemoryState empty;
  RL_ASSIGN_OR_RETURN(std::string key_raw, ExpectedSigningKey(empty, entry, 0));
  RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(key_raw));
  RL_ASSIGN_OR_RETURN(Verifier verifier, Verifier::Create(key));
  RL_RETURN_IF_ERROR(verifier.Verify(entry.signed_bytes, entry.sig).WithContext("entry 0"));
  const std::string ledger_id = entry.ledger;
  RL_ASSIGN_OR_RETURN(Mutation m, Apply(empty, LedgerIdentity{ledger_id}, entry, 0));
  RL_ASSIGN_OR_RETURN(auto store, CreateWithGenesis(path, ledger_id, currency, entry, m));
  return std::unique_ptr<Ledger>(new Ledger(std::move(store)));
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path, bool writable) {
  RL_ASSIGN_OR_RETURN(auto store,
                      Store::Open(path, writable ? Store::Mode::kReadWrite : Store::Mode::kReadOnly));
  return std::unique_ptr<Ledger>(new Ledger(std::move(store)));
}

LedgerInfo Ledger::Info() const {
  return {store_->ledger_id(), store_->currency(), store_->frontier().size(),
          store_->frontier().Root()};
}

Hash Ledger::RootWith(const std::vector<std::string>& leaves) const {
  Frontier f = store_->frontier();
  for (const std::string& leaf : leaves) f.Append(LeafHash(leaf));
  return f.Root();
}

SubmitReport Ledger::Submit(const std::function<bool(std::string*)>& next_line,
                            const std::function<void(const SubmitOutcome&)>& on_outcome,
                            const SubmitOptions& options) {
  size_t line_no = 0;
  return Submit(
      [&](std::string* text, size_t* number) {
        while (next_line(text)) {
          ++line_no;
          if (text->find_first_not_of(" \t\r\n") == std::string::npos) continue;  // blank
          *number = line_no;
          return true;
        }
        return false;
      },
      on_outcome, options);
}

SubmitReport Ledger::Submit(const std::function<bool(std::string*, size_t*)>& next,
                            const std::function<void(const SubmitOutcome&)>& on_outcome,
                            const SubmitOptions& options) {
  Sequencer sequencer(*store_, {options.chunk_entries, options.threads,
                                2 * std::max<size_t>(1, options.chunk_entries)});
  auto stream = sequencer.Open(on_outcome);
  std::string text;
  size_t line_no = 0;
  while (next(&text, &line_no))
    if (!stream->Add(std::move(text), line_no)) break;  // a line was rejected
  return stream->Finish();
}

Status Ledger::CheckAppend(const std::vector<std::string>& envelopes) const {
  OverlayState overlay(store_.get());
  const LedgerIdentity id{store_->ledger_id()};
  uint64_t index = store_->frontier().size();
  for (size_t i = 0; i < envelopes.size(); ++i, ++index) {
    const std::string where = "envelope " + std::to_string(i + 1);
    auto entry = DecodeEnvelope(envelopes[i]);
    if (!entry.ok()) return entry.status().WithContext(where);
    auto key = ExpectedSigningKey(overlay, *entry, index);
    if (!key.ok()) return key.status().WithContext(where);
    auto public_key = PublicKey::FromRaw(*key);
    if (!public_key.ok()) return public_key.status().WithContext(where);
    auto verifier = Verifier::Create(*public_key);
    if (!verifier.ok()) return verifier.status().WithContext(where);
    Status sig = verifier->Verify(entry->signed_bytes, entry->sig);
    if (!sig.ok()) return sig.WithContext(where);
    auto mutation = Apply(overlay, id, *entry, index);
    if (!mutation.ok()) return mutation.status().WithContext(where);
    overlay.Commit(*mutation);
  }
  return Status::Ok();
}

std::unique_ptr<Sequencer> Ledger::NewSequencer(const SequencerOptions& options) {
  return std::make_unique<Sequencer>(*store_, options);
}

namespace {

// "party X was revoked at entry N", with the reason when the record has it.
std::string RevokedText(const PartyRecord& p) {
  return "party " + p.id + " was revoked at entry " + std::to_string(*p.revoked_at) +
         (p.revoke_reason.empty() ? "" : ": " + p.revoke_reason);
}

}  // namespace

Result<SignerIdentity> Ledger::ResolveSigner(const PublicKey& key, const std::string& party) const {
  // One key, one party, for ever: the keys index names the only party that
  // ever held it.
  RL_ASSIGN_OR_RETURN(std::optional<IdentifierHolder> held, store_->FindKeyHolder(key.raw()));
  if (!party.empty()) {
    RL_ASSIGN_OR_RETURN(PartyRecord named, GetParty(party));
    if (held && held->party != party)
      return Status::Rejected("the key is party " + held->party + "'s, not " + party + "'s");
    if (!held) return Status::Rejected("the key is not party " + party + "'s (nor any party's)");
  }
  if (!held) return Status::Rejected("no registered party holds this key");
  RL_ASSIGN_OR_RETURN(PartyRecord holder, GetParty(held->party));
  if (holder.revoked_at) return Status::Rejected(RevokedText(holder));
  if (auto retired = holder.KeyRetiredAt(key.raw()))
    return Status::Rejected("the key was party " + holder.id + "'s until entry " +
                            std::to_string(*retired) + ", when it was rotated; sign with its current key");
  return SignerIdentity{holder.id, holder.last_seq + 1};
}

Status Ledger::ScanLeaves(uint64_t from, uint64_t to,
                          const std::function<Status(uint64_t, std::string_view)>& fn) const {
  return store_->ScanEntries(from, to, fn);
}

Result<std::vector<PartyRecord>> Ledger::AllParties() const { return store_->AllParties(); }

Result<std::optional<IdentifierHolder>> Ledger::FindKeyHolder(const std::string& pubkey) const {
  return store_->FindKeyHolder(pubkey);
}

Status Ledger::ForEachLot(const std::function<Status(const LotRecord&)>& fn) const {
  return store_->ForEachLot(fn);
}

Result<Entry> Ledger::GetEntry(uint64_t index) const {
  RL_ASSIGN_OR_RETURN(std::string leaf, store_->GetLeaf(index));
  return DecodeLeaf(leaf);
}

Result<LotRecord> Ledger::GetLot(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto lot, store_->FindLot(id));
  if (lot) return std::move(*lot);
  // Only on a miss: a scan of the lot ids (keys only, bounded), for the
  // user who mistyped one.
  constexpr size_t kMaxScanned = 1000000;
  const size_t max_distance = std::max<size_t>(2, id.size() / 4);
  std::vector<std::pair<size_t, std::string>> near;
  size_t scanned = 0;
  (void)store_->ForEachRaw(format::kCfLots, [&](std::string_view key, std::string_view) {
    if (++scanned > kMaxScanned) return Status::NotFound("scan bound");
    const size_t d = EditDistance(id, key);
    if (d <= max_distance) near.emplace_back(d, std::string(key));
    return Status::Ok();
  });
  std::sort(near.begin(), near.end());
  std::string hint;
  for (size_t i = 0; i < near.size() && i < 3; ++i) hint += (i == 0 ? "" : ", ") + near[i].second;
  std::string quoted;
  AppendJsonString(id, &quoted);
  return Status::NotFound("no lot " + quoted + (hint.empty() ? "" : " (did you mean " + hint + "?)"));
}

Result<PartyRecord> Ledger::GetParty(const std::string& id) const {
  RL_ASSIGN_OR_RETURN(auto p, store_->FindParty(id));
  if (!p) return Status::NotFound("no party \"" + id + "\"");
  return std::move(*p);
}

Result<std::vector<uint64_t>> Ledger::ConsumersOf(const std::string& lot) const {
  return store_->ConsumersOf(lot);
}

Result<InclusionProofInfo> Ledger::ProveInclusion(uint64_t index,
                                                  std::optional<uint64_t> size) const {
  InclusionProofInfo p;
  p.index = index;
  p.size = size.value_or(store_->frontier().size());
  if (p.size == 0 || p.size > store_->frontier().size())
    return Status::InvalidArgument("size " + std::to_string(p.size) + " is not in 1.." +
                                   std::to_string(store_->frontier().size()));
  if (index >= p.size)
    return Status::InvalidArgument("index " + std::to_string(index) + " is not below size " +
                                   std::to_string(p.size));
  // The leaf hash is the stored level-0 node (verify checks the stored
  // tree against the leaves); the root of the whole log is the frontier's.
  RL_ASSIGN_OR_RETURN(std::vector<Hash> leaf_node, store_->GetNodes({NodeId{0, index}}));
  p.leaf_hash = leaf_node[0];
  RL_ASSIGN_OR_RETURN(p.path, InclusionProof(*store_, index, p.size));
  if (p.size == store_->frontier().size()) {
    p.root = store_->frontier().Root();
  } else {
    RL_ASSIGN_OR_RETURN(p.root, RootAt(*store_, p.size));
  }
  return p;
}

Result<ConsistencyProofInfo> Ledger::ProveConsistency(uint64_t old_size,
                                                      std::optional<uint64_t> new_size) const {
  ConsistencyProofInfo p;
  p.old_size = old_size;
  p.new_size = new_size.value_or(store_->frontier().size());
  if (p.new_size > store_->frontier().size())
    return Status::InvalidArgument("new size " + std::to_string(p.new_size) +
                                   " is beyond the log size " +
                                   std::to_string(store_->frontier().size()));
  if (old_size == 0 || old_size > p.new_size)
    return Status::InvalidArgument("old size must be in 1.." + std::to_string(p.new_size) +
                                   ", got " + std::to_string(old_size));
  RL_ASSIGN_OR_RETURN(p.path, ConsistencyProof(*store_, old_size, p.new_size));
  RL_ASSIGN_OR_RETURN(p.old_root, RootAt(*store_, old_size));
  RL_ASSIGN_OR_RETURN(p.new_root, RootAt(*store_, p.new_size));
  return p;
}

Result<std::string> Ledger::IssueCheckpoint(const Signer& operator_key) {
  RL_ASSIGN_OR_RETURN(PartyRecord op, GetParty(kOperatorId));
  if (operator_key.public_key().raw() != op.current_key())
    return Status::InvalidArgument("the key given is not the operator's current key");
  Checkpoint cp{store_->ledger_id(), store_->frontier().size(), store_->frontier().Root()};
  RL_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(cp, operator_key));
  RL_ASSIGN_OR_RETURN(auto existing, store_->Checkpoints());
  Store::Batch batch;
  batch.PutCheckpoint(existing.size(), note);
  RL_RETURN_IF_ERROR(store_->Commit(batch));
  return note;
}

Result<std::string> Ledger::ReadTile(const TileId& tile, uint64_t size) const {
  RL_RETURN_IF_ERROR(CheckTileInTree(tile, size));
  if (!tile.entries) return ReadHashTile(*store_, tile);
  std::vector<std::string> leaves;
  leaves.reserve(tile.width);
  const uint64_t first = tile.index * kTileWidth;
  RL_RETURN_IF_ERROR(store_->ScanEntries(first, first + tile.width,
                                         [&](uint64_t, std::string_view leaf) {
                                           leaves.emplace_back(leaf);
                                           return Status::Ok();
                                         }));
  if (leaves.size() != tile.width)
    return Status::Corruption(TilePath(tile) + ": the store holds " +
                              std::to_string(leaves.size()) + " of its entries");
  return EncodeEntryBundle(leaves);
}

Result<std::vector<std::string>> Ledger::Checkpoints() const { return store_->Checkpoints(); }

Status Ledger::RecordCheckpoint(const std::string& note) {
  RL_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(note));
  const std::string& id = store_->ledger_id();
  if (cp.origin != id)
    return Status::VerificationFailed("checkpoint origin " + cp.origin + " is not ledger " + id);
  const uint64_t size = store_->frontier().size();
  if (cp.size > size)
    return Status::VerificationFailed("checkpoint of size " + std::to_string(cp.size) +
                                      " is past the log's " + std::to_string(size));
  RL_ASSIGN_OR_RETURN(std::vector<std::string> existing, store_->Checkpoints());
  if (!existing.empty()) {
    if (existing.back() == note) return Status::Ok();
    RL_ASSIGN_OR_RETURN(Checkpoint last, ParseCheckpoint(existing.back()));
    if (cp.size < last.size)
      return Status::VerificationFailed("checkpoint of size " + std::to_string(cp.size) +
                                        " is older than the latest recorded (" +
                                        std::to_string(last.size) + ")");
  }
  RL_ASSIGN_OR_RETURN(Hash root, RootAt(*store_, cp.size));
  if (root != cp.root)
    return Status::VerificationFailed("checkpoint root at size " + std::to_string(cp.size) +
                                      " does not match the log's");
  // The operator key current at cp.size: the last one introduced before it.
  RL_ASSIGN_OR_RETURN(PartyRecord op, GetParty(kOperatorId));
  std::string key_raw = op.keys.front().pubkey;
  for (const auto& k : op.keys)
    if (k.from_index < cp.size) key_raw = k.pubkey;
  RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(key_raw));
  RL_ASSIGN_OR_RETURN(Checkpoint checked, VerifyCheckpoint(note, id, key));
  (void)checked;
  Store::Batch batch;
  batch.PutCheckpoint(existing.size(), note);
  return store_->Commit(batch);
}

namespace {
nlohmann::json HashList(const std::vector<Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hashes) out.push_back(HexEncode(h));
  return out;
}
}  // namespace

nlohmann::json EntryJson(uint64_t index, const Entry& e) {
  return {{"index", index},
          {"leaf_hash", HexEncode(LeafHash(e.leaf))},
          {"payload", PayloadJson(e)},
          {"sig", Base64Encode(e.sig)}};
}

nlohmann::json InclusionProofJson(const InclusionProofInfo& p) {
  return {{"index", p.index},
          {"size", p.size},
          {"leaf_hash", HexEncode(p.leaf_hash)},
          {"path", HashList(p.path)},
          {"root", HexEncode(p.root)}};
}

nlohmann::json ConsistencyProofJson(const ConsistencyProofInfo& p) {
  return {{"old", p.old_size},
          {"new", p.new_size},
          {"old_root", HexEncode(p.old_root)},
          {"new_root", HexEncode(p.new_root)},
          {"path", HashList(p.path)}};
}

}  // namespace rareledger::ledger
