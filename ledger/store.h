// The RocksDB store of one ledger directory (layout: store_format.h).
//
// One writer at a time: a read-write Open takes RocksDB's LOCK file and a
// second writer gets Busy ("ledger is in use"). Read-only opens never take
// the lock and see the log as of their open.
//
// Durability: Commit() returns after the WriteBatch is in the WAL and the WAL
// is synced (WriteOptions::sync), so a committed entry survives kill -9 and
// power loss. A batch is all-or-nothing.
//
// Threads: one thread may Commit while others read through the lookups
// (FindParty, FindLot, FindLeaf, FindIndexBySeq, GetNodes, ...: RocksDB
// reads, safe alongside a write). frontier() and GetLeaf belong to the
// committing thread: Commit updates the frontier.
#ifndef RARELEDGER_LEDGER_STORE_H_
#define RARELEDGER_LEDGER_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/state.h"
#include "ledger/status.h"

namespace rareledger::ledger {

class Store : public StateView, public NodeReader {
 public:
  enum class Mode { kReadOnly, kReadWrite, kCreate };

  // kCreate makes a new directory (fails if a ledger is already there);
  // kReadWrite and kReadOnly need an existing ledger.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, Mode mode);
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // One atomic group of writes. Build it, then Commit it.
  class Batch {
   public:
    Batch();
    ~Batch();
    void PutEntry(uint64_t index, const std::string& leaf, const std::string& party, int64_t seq);
    // Every record of `m`, its consumer index entries and its key/GLN rows.
    void PutMutation(const Mutation& m);
    // The `keys` and `glns` rows of `m` (new_keys, new_glns): a caller that
    // writes records itself (PutParty/PutLot) must still write these.
    void PutIdentifiers(const Mutation& m);
    // The parts of PutMutation, for a caller that writes only the last
    // version of a record changed several times in one batch.
    void PutParty(const PartyRecord& p);
    void PutLot(const LotRecord& l);
    void PutConsumer(const std::string& lot, uint64_t index);
    void PutNodes(const std::vector<std::pair<NodeId, Hash>>& nodes);
    void PutMeta(const std::string& key, const std::string& value);
    void PutCheckpoint(uint64_t n, const std::string& note);
    size_t count() const;

   private:
    friend class Store;
    struct Ops;
    std::unique_ptr<Ops> ops_;
  };
  // Writes the batch atomically; with sync, returns after the WAL is synced.
  Status Commit(Batch& batch, bool sync = true);

  Result<std::optional<std::string>> GetMeta(const std::string& key) const;
  // The log size and Merkle frontier, as of the last commit this handle saw.
  const Frontier& frontier() const { return frontier_; }
  const std::string& ledger_id() const { return ledger_id_; }
  const std::string& currency() const { return currency_; }

  Result<std::string> GetLeaf(uint64_t index) const;
  // The leaf at `index`, or nothing; never reads the frontier.
  Result<std::optional<std::string>> FindLeaf(uint64_t index) const;
  // Calls fn(index, leaf) for entries [from, to) in order; stops on error.
  Status ScanEntries(uint64_t from, uint64_t to,
                     const std::function<Status(uint64_t, std::string_view)>& fn) const;
  Result<std::optional<uint64_t>> FindIndexBySeq(const std::string& party, int64_t seq) const;
  Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const;
  Result<std::vector<PartyRecord>> AllParties() const;
  // Calls fn for every lot record, in key order; stops on error.
  Status ForEachLot(const std::function<Status(const LotRecord&)>& fn) const;
  Result<std::vector<std::string>> Checkpoints() const;

  // Raw rows, for verify: every row of column family `cf` ("default" holds
  // the meta keys), in key order, as stored, decoding nothing; fn(key,
  // value) may stop the scan with an error. A scan never fills the block
  // cache. InvalidArgument for a family the store does not have.
  Status ForEachRaw(const std::string& cf,
                    const std::function<Status(std::string_view, std::string_view)>& fn) const;
  // One raw row of `cf`, or nothing.
  Result<std::optional<std::string>> FindRaw(const std::string& cf, const std::string& key) const;
  // Every column family of a ledger directory: "default", then those of
  // store_format.h.
  static std::vector<std::string> Families();

  // StateView
  Result<std::optional<PartyRecord>> FindParty(const std::string& id) const override;
  Result<std::optional<LotRecord>> FindLot(const std::string& id) const override;
  // Point lookups in the `keys` and `glns` column families.
  Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const override;
  Result<std::optional<IdentifierHolder>> FindGlnHolder(const std::string& gln) const override;
  // NodeReader: one MultiGet.
  Result<std::vector<Hash>> GetNodes(const std::vector<NodeId>& ids) const override;

  // For tests that play an insider with disk access: raw access to a column
  // family by name, bypassing every rule.
  Status RawPut(const std::string& cf, const std::string& key, const std::string& value);
  Status RawDelete(const std::string& cf, const std::string& key);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  Status LoadMeta();
  // Writes the `keys`/`glns` rows of every party (a ledger from before
  // those column families).
  Status BackfillIdentifiers();
  std::unique_ptr<Impl> impl_;
  Frontier frontier_;
  std::string ledger_id_;
  std::string currency_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_STORE_H_
