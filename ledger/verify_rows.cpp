// The rows each derived column family must hold (ledger/verify.h,
// ImpliedRows), from a finished replay. One class per family; a new column
// family gets one here and a line in ImpliedFamilies.
#include <algorithm>
#include <map>

#include "ledger/canonical_json.h"
#include "ledger/records.h"
#include "ledger/store_format.h"
#include "ledger/verify.h"

namespace rareledger::ledger::verify {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

namespace {

Status Bad(const std::string& what) { return Status::VerificationFailed(what); }

// "P" 0x00 be64(n): the keys of party_seq and consumers.
bool SplitKey(std::string_view key, std::string_view* id, uint64_t* n) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return false;
  *id = key.substr(0, key.size() - 9);
  return format::ParseBe64(key.substr(key.size() - 8), n);
}

// parties and lots: id -> the encoding of the replayed record.
template <typename Record>
class RecordRows : public ImpliedRows {
 public:
  RecordRows(const char* family, const char* what, const std::map<std::string, Record>& records,
             std::string (*encode)(const Record&))
      : family_(family), what_(what), records_(records), encode_(encode) {}
  const char* family() const override { return family_; }
  uint64_t count() const override { return records_.size(); }
  Status Check(std::string_view key, std::string_view value) const override {
    auto it = records_.find(std::string(key));
    if (it == records_.end())
      return Bad("stored record of " + std::string(what_) + " " + Quote(key) +
                 " is not in the log");
    // Byte for byte: the store writes exactly this encoding, which names
    // the record, so a record filed under another key differs too.
    if (encode_(it->second) != value)
      return Bad("stored record of " + std::string(what_) + " " + Quote(key) +
                 " does not match the log");
    return Status::Ok();
  }
  void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    for (const auto& [id, r] : records_)
      if (!fn(id, std::string(what_) + " record " + Quote(id))) return;
  }

 private:
  const char* family_;
  const char* what_;
  const std::map<std::string, Record>& records_;
  std::string (*encode_)(const Record&);
};

// party_seq: (party, seq) -> be64(index of that entry).
class PartySeqRows : public ImpliedRows {
 public:
  explicit PartySeqRows(const PartySeqs& seqs) : seqs_(seqs) {
    for (const auto& [party, at] : seqs_) count_ += at.size();
  }
  const char* family() const override { return format::kCfPartySeq; }
  uint64_t count() const override { return count_; }
  Status Check(std::string_view key, std::string_view value) const override {
    std::string_view party;
    uint64_t seq = 0;
    if (!SplitKey(key, &party, &seq))
      return Bad("malformed party_seq key " + HexEncode(key) + " in the store");
    const std::string row = "stored party_seq row (party " + Quote(party) + ", seq " +
                            std::to_string(seq) + ")";
    auto it = seqs_.find(std::string(party));
    if (it == seqs_.end() || seq == 0 || seq > it->second.size())
      return Bad(row + " is not in the log");
    const uint64_t index = it->second[seq - 1];
    if (value != format::Be64(index))
      return Bad(row + " does not point to entry " + std::to_string(index) +
                 ", where the log has it");
    return Status::Ok();
  }
  void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    for (const auto& [party, at] : seqs_)
      for (uint64_t s = 1; s <= at.size(); ++s)
        if (!fn(format::PartySeqKey(party, s), "party_seq row (party " + Quote(party) + ", seq " +
                                                   std::to_string(s) + ")"))
          return;
  }

 private:
  const PartySeqs& seqs_;
  uint64_t count_ = 0;
};

// consumers: (lot, index) -> "" for every split/transform consuming the lot.
class ConsumerRows : public ImpliedRows {
 public:
  explicit ConsumerRows(const MemoryState& state) {
    for (const auto& [lot, record] : state.lots()) {
      std::vector<uint64_t> at = state.ConsumersOf(lot);
      at.erase(std::unique(at.begin(), at.end()), at.end());  // ascending already
      if (at.empty()) continue;
      count_ += at.size();
      by_lot_.emplace(lot, std::move(at));
    }
  }
  const char* family() const override { return format::kCfConsumers; }
  uint64_t count() const override { return count_; }
  Status Check(std::string_view key, std::string_view value) const override {
    std::string_view lot;
    uint64_t index = 0;
    if (!SplitKey(key, &lot, &index))
      return Bad("malformed consumers key " + HexEncode(key) + " in the store");
    const std::string row = "stored consumers row (lot " + Quote(lot) + ", entry " +
                            std::to_string(index) + ")";
    auto it = by_lot_.find(std::string(lot));
    if (it == by_lot_.end() || !std::binary_search(it->second.begin(), it->second.end(), index))
      return Bad(row + " is not in the log");
    if (!value.empty()) return Bad(row + " holds a value; the store writes none");
    return Status::Ok();
  }
  void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    for (const auto& [lot, at] : by_lot_)
      for (uint64_t index : at)
        if (!fn(format::ConsumerKey(lot, index), "consumers row (lot " + Quote(lot) + ", entry " +
                                                      std::to_string(index) + ")"))
          return;
  }

 private:
  std::map<std::string, std::vector<uint64_t>> by_lot_;
  uint64_t count_ = 0;
};

// tree: every complete subtree of a log of `size` leaves, (level, index)
// with index < size >> level. Their hashes were compared one by one during
// the replay (CheckStoredTree); here nothing else may be there.
class TreeRows : public ImpliedRows {
 public:
  explicit TreeRows(uint64_t size) : size_(size) {
    for (unsigned level = 0; level < 64 && (size >> level) > 0; ++level) count_ += size >> level;
  }
  const char* family() const override { return format::kCfTree; }
  uint64_t count() const override { return count_; }
  Status Check(std::string_view key, std::string_view value) const override {
    uint64_t index = 0;
    if (key.size() != 9 || !format::ParseBe64(key.substr(1), &index))
      return Bad("malformed tree key " + HexEncode(key) + " in the store");
    const NodeId id{static_cast<uint8_t>(key[0]), index};
    if (id.level >= 64 || index >= (size_ >> id.level))
      return Bad("stored Merkle tree node " + ToString(id) + " is not in a log of " +
                 std::to_string(size_) + " entries");
    if (value.size() != sizeof(Hash))
      return Bad("stored Merkle tree node " + ToString(id) + " is not 32 bytes");
    return Status::Ok();
  }
  void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    for (unsigned level = 0; level < 64 && (size_ >> level) > 0; ++level) {
      for (uint64_t i = 0; i < (size_ >> level); ++i) {
        const NodeId id{static_cast<uint8_t>(level), i};
        if (!fn(format::TreeKey(id), "tree node " + ToString(id))) return;
      }
    }
  }

 private:
  uint64_t size_;
  uint64_t count_ = 0;
};

// default: the meta keys. The frontier must be the replayed one byte for
// byte; the ledger id is the one every entry was checked against. The
// currency is the one meta value the log does not carry: any ISO 4217-like
// code passes (docs/robustness.md).
class MetaRows : public ImpliedRows {
 public:
  MetaRows(std::string ledger_id, std::string frontier, Hash root)
      : ledger_id_(std::move(ledger_id)), frontier_(std::move(frontier)), root_(root) {}
  const char* family() const override { return "default"; }
  uint64_t count() const override { return 4; }
  Status Check(std::string_view key, std::string_view value) const override {
    const std::string row = "stored meta key " + Quote(key);
    if (key == format::kMetaFormat)
      return value == format::kFormatVersion ? Status::Ok() : Bad(row + " is not " + format::kFormatVersion);
    if (key == format::kMetaLedgerId)
      return value == ledger_id_ ? Status::Ok() : Bad(row + " is not the ledger id the log carries");
    if (key == format::kMetaCurrency)
      return value.size() == 3 && std::all_of(value.begin(), value.end(),
                                              [](char c) { return c >= 'A' && c <= 'Z'; })
                 ? Status::Ok()
                 : Bad(row + " is not a currency code");
    if (key == format::kMetaFrontier) {
      if (value == frontier_) return Status::Ok();
      auto stored = Frontier::Deserialize(value);
      return Bad(row + " does not match the replayed log" +
                 (stored.ok() ? " (root " + HexEncode(stored->Root()) + ", the entries give " +
                                    HexEncode(root_) + ")"
                              : ""));
    }
    return Bad("unknown " + row.substr(7) + " in the store");
  }
  void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    for (const char* k : {format::kMetaFormat, format::kMetaLedgerId, format::kMetaCurrency,
                          format::kMetaFrontier})
      if (!fn(k, "meta key " + Quote(k))) return;
  }

 private:
  std::string ledger_id_, frontier_;
  Hash root_;
};

// keys and glns: identifier -> be64(since) || party, for every key any
// party ever held and every GLN, as the replay assigned them.
class HolderRows : public ImpliedRows {
 public:
  HolderRows(const char* family, const char* what,
             const std::map<std::string, IdentifierHolder>& holders, bool binary_key)
      : family_(family), what_(what), holders_(holders), binary_key_(binary_key) {}
  const char* family() const override { return family_; }
  uint64_t count() const override { return holders_.size(); }
  Status Check(std::string_view key, std::string_view value) const override {
    const std::string row = Row(key);
    auto it = holders_.find(std::string(key));
    if (it == holders_.end()) return Bad("stored " + row + " is not in the log");
    if (value != format::HolderValue(it->second.since, it->second.party))
      return Bad("stored " + row + " does not name party " + Quote(it->second.party) +
                 " since entry " + std::to_string(it->second.since) + ", as the log does");
    return Status::Ok();
  }
  void ForEachImplied(
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    for (const auto& [id, holder] : holders_)
      if (!fn(id, Row(id))) return;
  }

 private:
  std::string Row(std::string_view key) const {
    return std::string(what_) + " row " + (binary_key_ ? Base64Encode(key) : Quote(key));
  }
  const char* family_;
  const char* what_;
  const std::map<std::string, IdentifierHolder>& holders_;
  bool binary_key_;  // raw key bytes: shown in base64, as payloads carry them
};

}  // namespace

std::vector<std::unique_ptr<ImpliedRows>> ImpliedFamilies(const Store& store,
                                                          const Replayer& replay,
                                                          const PartySeqs& seqs) {
  const MemoryState& state = replay.state();
  std::vector<std::unique_ptr<ImpliedRows>> out;
  out.push_back(std::make_unique<MetaRows>(store.ledger_id(), replay.frontier().Serialize(),
                                           replay.frontier().Root()));
  out.push_back(std::make_unique<TreeRows>(replay.size()));
  out.push_back(std::make_unique<RecordRows<PartyRecord>>(format::kCfParties, "party",
                                                          state.parties(), &EncodeParty));
  out.push_back(std::make_unique<RecordRows<LotRecord>>(format::kCfLots, "lot", state.lots(),
                                                        &EncodeLot));
  out.push_back(std::make_unique<PartySeqRows>(seqs));
  out.push_back(std::make_unique<ConsumerRows>(state));
  out.push_back(std::make_unique<HolderRows>(format::kCfKeys, "keys", state.key_holders(), true));
  out.push_back(std::make_unique<HolderRows>(format::kCfGlns, "glns", state.gln_holders(), false));
  return out;
}

}  // namespace rareledger::ledger::verify
