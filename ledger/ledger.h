// Ledger: one ledger directory, the operations the CLI exposes.
//
// A Ledger opened for writing holds the store's lock for its lifetime (a
// second writer gets Busy: "ledger is in use"); one opened for reading sees
// the log as of its open and never blocks a writer.
//
// Durability: Submit reports an entry as appended only after the batch
// holding it was committed with a synced WAL.
#ifndef RARELEDGER_LEDGER_LEDGER_H_
#define RARELEDGER_LEDGER_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/sequencer.h"
#include "ledger/state.h"
#include "ledger/status.h"
#include "ledger/store.h"
#include "ledger/tiles.h"

namespace rareledger::ledger {

struct LedgerInfo {
  std::string ledger_id;
  std::string currency;
  uint64_t size = 0;
  Hash root{};
};

struct SubmitOptions {
  size_t chunk_entries = kDefaultChunkEntries;  // lines decided and committed together
  unsigned threads = 0;                         // 0: one per core
};

struct VerifyOptions {
  size_t chunk_entries = kDefaultChunkEntries;  // leaves replayed together
  unsigned threads = 0;                         // 0: one per core
};

// Who signs with a key: the party that holds it now, and its next seq.
struct SignerIdentity {
  std::string party;
  int64_t next_seq = 1;
};

struct InclusionProofInfo {
  uint64_t index = 0;
  uint64_t size = 0;
  Hash leaf_hash{};
  std::vector<Hash> path;
  Hash root{};
};

struct ConsistencyProofInfo {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  Hash old_root{};
  Hash new_root{};
  std::vector<Hash> path;
};

struct VerifyReport {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;  // checkpoints checked
  uint64_t uncovered = 0;    // entries after the latest checkpoint
  Hash root{};
  std::string operator_key;  // entry 0's operator key, 32 raw bytes
  std::string latest_note;   // the latest checkpoint note checked; empty if none
};

class Ledger {
 public:
  // Creates a ledger at `path` (which must not hold one) whose entry 0 is
  // the operator's register_party, signed by `operator_key`.
  static Result<std::unique_ptr<Ledger>> Init(const std::string& path,
                                              const std::string& ledger_id,
                                              const std::string& currency,
                                              const std::string& operator_country,
                                              const Signer& operator_key, const std::string& time);
  static Result<std::unique_ptr<Ledger>> Open(const std::string& path, bool writable);
  // Creates a replica at `path` (which must not hold a ledger) whose entry 0
  // is `leaf`, another log's entry 0 (a mirror): it must decode, be the
  // operator's register_party and carry a valid signature by the key it
  // registers. `currency` as for Init.
  static Result<std::unique_ptr<Ledger>> InitReplica(const std::string& path, std::string_view leaf,
                                                     const std::string& currency);

  LedgerInfo Info() const;
  // The root the log would have with `leaves` appended; writes nothing.
  Hash RootWith(const std::vector<std::string>& leaves) const;

  // Appends envelopes read by `next_line` (false at end of input) in order,
  // through a Sequencer (sequencer.h) with one stream; blank lines are
  // skipped, lines are numbered from 1. An envelope already in the log is
  // reported as a duplicate and skipped; the first rejected line stops the
  // submit, everything before it stays appended. `on_outcome` sees every
  // accepted line after it is durable, in input order, one call at a time,
  // on the sequencer's commit thread; `next_line` is always called on the
  // calling thread. Lines are taken as they come: a slow input is committed
  // as it arrives. The submit may read up to two chunks past a rejected
  // line before it returns; nothing past that line is appended.
  SubmitReport Submit(const std::function<bool(std::string*)>& next_line,
                      const std::function<void(const SubmitOutcome&)>& on_outcome,
                      const SubmitOptions& options = {});
  // The same with envelopes already framed (EnvelopeInput): `next` gives
  // each envelope's text and its line number.
  SubmitReport Submit(const std::function<bool(std::string*, size_t*)>& next,
                      const std::function<void(const SubmitOutcome&)>& on_outcome,
                      const SubmitOptions& options = {});
  // A sequencer for many concurrent clients (the server). While it lives,
  // it is this ledger's only writer: do not call Submit meanwhile.
  std::unique_ptr<Sequencer> NewSequencer(const SequencerOptions& options = {});

  // The party whose current key is `key` (with `party` given: that party,
  // which must hold it) and its next seq. Rejected, naming why, when no
  // party holds the key, it belongs to another party, it was rotated out,
  // or its party was revoked.
  Result<SignerIdentity> ResolveSigner(const PublicKey& key, const std::string& party = "") const;

  Result<Entry> GetEntry(uint64_t index) const;
  // Calls fn(index, leaf bytes) for entries [from, to) in log order; stops
  // at the first non-ok Status and returns it.
  Status ScanLeaves(uint64_t from, uint64_t to,
                    const std::function<Status(uint64_t, std::string_view)>& fn) const;
  Result<std::vector<PartyRecord>> AllParties() const;
  // Calls fn for every lot, in lot id order; stops at the first non-ok Status.
  Status ForEachLot(const std::function<Status(const LotRecord&)>& fn) const;
  // NotFound for an unknown lot names up to three existing ids near it
  // ("no lot "MAG-2" (did you mean MAG-1?)").
  Result<LotRecord> GetLot(const std::string& id) const;
  Result<PartyRecord> GetParty(const std::string& id) const;
  // The party that holds or ever held the raw 32-byte public key `pubkey`
  // (the `keys` index: one key, one party, for ever), with the entry that
  // gave it; nothing when no party ever had it. Whether it is still the
  // party's current key: GetParty(holder.party)->KeyRetiredAt(pubkey).
  Result<std::optional<IdentifierHolder>> FindKeyHolder(const std::string& pubkey) const;
  Result<std::vector<uint64_t>> ConsumersOf(const std::string& lot) const;

  // Proofs against the tree at `size` (default: the whole log).
  Result<InclusionProofInfo> ProveInclusion(uint64_t index, std::optional<uint64_t> size) const;
  Result<ConsistencyProofInfo> ProveConsistency(uint64_t old_size,
                                                std::optional<uint64_t> new_size) const;

  // The bytes of `tile` (tiles.h) in the tree of the first `size` leaves
  // (at most the log's size): NotFound when the tile is not in that tree.
  // A hash tile is one batch of stored nodes, a bundle one range scan.
  Result<std::string> ReadTile(const TileId& tile, uint64_t size) const;

  // Signs a checkpoint of the whole log with the operator's current key
  // (InvalidArgument for any other key), records it and returns the note.
  Result<std::string> IssueCheckpoint(const Signer& operator_key);
  Result<std::vector<std::string>> Checkpoints() const;
  // Records a checkpoint signed elsewhere (a mirror keeps the operator's
  // notes): its origin must be this ledger, its size at most the log's and
  // no smaller than the latest recorded one, its root the root at that
  // size, and it must carry a valid signature by the operator's key current
  // at that size (VerificationFailed naming what does not hold). A note
  // already recorded last is not recorded twice.
  Status RecordCheckpoint(const std::string& note);

  // Replays every entry from the stored bytes: signatures, rules, seq, the
  // root at every checkpoint, the stored frontier, tree and records.
  // `progress`, when set, is called now and then with (entries done, total).
  Result<VerifyReport> Verify(const std::function<void(uint64_t, uint64_t)>& progress = nullptr,
                              const VerifyOptions& options = {}) const;

  // Writes the offline audit bundle (docs/auditing.md) into `dir`, which
  // must not exist or be empty. Needs at least one checkpoint.
  Status Export(const std::string& dir,
                const std::function<void(uint64_t, uint64_t)>& progress = nullptr) const;

 private:
  explicit Ledger(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  std::unique_ptr<Store> store_;
};

// Verifies a bundle written by Export, with no database. Trust rests on
// `trusted_operator_key` (32 raw bytes) when given: entry 0 and the
// bundle's operator.pub must both hold it (VerificationFailed naming both
// fingerprints otherwise); else on the bundle's own operator.pub. Files in
// keys/ and checkpoints/ that the log does not account for fail too.
Result<VerifyReport> VerifyBundle(
    const std::string& dir, const VerifyOptions& options = {},
    const std::optional<std::string>& trusted_operator_key = std::nullopt);

// A verified bundle, replayed into memory: what `assess --bundle` and
// `trace --bundle` read instead of a database.
struct LoadedBundle {
  VerifyReport report;  // as VerifyBundle gives it
  std::string ledger_id;         // the latest checkpoint's origin
  std::string currency;          // DIR/currency; empty when the bundle has none
  MemoryState state;             // the records after the last entry
  std::vector<Entry> entries;    // every entry, in log order
  std::string checkpoint_note;   // DIR/checkpoint, the latest signed note
  uint64_t checkpoint_size = 0;  // its tree size (<= report.entries)
};

// Verifies the bundle exactly as VerifyBundle does (same errors), then keeps
// the replayed state and the decoded entries. Memory grows with the log.
Result<LoadedBundle> LoadBundle(const std::string& dir);

// "2026-11-28T10:04:28Z": now, in UTC, for payload `time` fields.
std::string UtcNow();

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_LEDGER_H_
