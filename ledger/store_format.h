// The RocksDB layout of a ledger directory. docs/formats.md is the prose
// version of this header; keep them in step.
//
// Column families and their keys (be64 = 8-byte big-endian unsigned, so
// keys sort in numeric order):
//   default      meta keys below -> value
//   entries      be64(index)                 -> leaf bytes (canonical envelope)
//   party_seq    party id 0x00 be64(seq)     -> be64(index)   (duplicate check)
//   parties      party id                    -> PartyRecord as compact JSON
//   lots         lot id                      -> LotRecord as compact JSON
//   consumers    lot id 0x00 be64(index)     -> ""   (splits/transforms consuming the lot)
//   tree         u8(level) be64(index)       -> 32-byte hash of a complete subtree
//   checkpoints  be64(n)                     -> signed note text (n = 0, 1, ... issue order)
//   keys         raw 32-byte Ed25519 pubkey  -> be64(index) party id   (who holds or held
//                the key, from the register_party/rotate_key at index; never
//                rewritten or deleted: a key belongs to one party for ever)
//   glns         13-digit GS1 GLN            -> be64(index) party id   (likewise, from the
//                register_party at index)
//
// A ledger made before `keys`/`glns` existed gets them on its first
// read-write open, rebuilt from `parties` (store.cpp); a read-only open of
// such a ledger is refused until then.
//
// Meta keys in `default`:
//   "format"    "rareledger/1"
//   "ledger_id" the ledger id (checkpoint origin)
//   "currency"  ISO 4217 code of value fields
//   "frontier"  merkle::Frontier::Serialize() of the whole log; its size is
//               the log size. Written in the same WriteBatch as the entries.
#ifndef RARELEDGER_LEDGER_STORE_FORMAT_H_
#define RARELEDGER_LEDGER_STORE_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/merkle.h"

namespace rareledger::ledger::format {

inline constexpr const char* kFormatVersion = "rareledger/1";

inline constexpr const char* kCfEntries = "entries";
inline constexpr const char* kCfPartySeq = "party_seq";
inline constexpr const char* kCfParties = "parties";
inline constexpr const char* kCfLots = "lots";
inline constexpr const char* kCfConsumers = "consumers";
inline constexpr const char* kCfTree = "tree";
inline constexpr const char* kCfCheckpoints = "checkpoints";
inline constexpr const char* kCfKeys = "keys";
inline constexpr const char* kCfGlns = "glns";

inline constexpr const char* kMetaFormat = "format";
inline constexpr const char* kMetaLedgerId = "ledger_id";
inline constexpr const char* kMetaCurrency = "currency";
inline constexpr const char* kMetaFrontier = "frontier";

std::string Be64(uint64_t v);
// Decodes exactly 8 bytes; false otherwise.
bool ParseBe64(std::string_view bytes, uint64_t* v);

inline std::string EntryKey(uint64_t index) { return Be64(index); }
inline std::string PartySeqKey(std::string_view party, uint64_t seq) {
  return std::string(party) + '\0' + Be64(seq);
}
inline std::string ConsumerKey(std::string_view lot, uint64_t index) {
  return std::string(lot) + '\0' + Be64(index);
}
// The value of a `keys` or `glns` row.
inline std::string HolderValue(uint64_t since, std::string_view party) {
  return Be64(since) + std::string(party);
}
// Decodes a HolderValue; false unless 8 bytes and a non-empty party id.
bool ParseHolderValue(std::string_view bytes, uint64_t* since, std::string* party);
inline std::string TreeKey(const NodeId& id) {
  return std::string(1, static_cast<char>(id.level)) + Be64(id.index);
}

}  // namespace rareledger::ledger::format

#endif  // RARELEDGER_LEDGER_STORE_FORMAT_H_
