// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the log's read side as
// static files. Tile height is 8: a hash tile at level L holds the hashes of
// the complete subtrees of 2^(8L) leaves (NodeId level 8L), 256 to a full
// tile; the entry bundle N holds leaves [256N, 256N + W).
//
// Paths (relative to the log's prefix):
//   tile/<L>/<N>[.p/<W>]        hash tile, W hashes of 32 bytes
//   tile/entries/<N>[.p/<W>]    entry bundle: per leaf be16(length) || leaf
// <N> is written in groups of three decimal digits, every group but the
// last prefixed with "x" (1234067 -> x001/x234/067); ".p/<W>" marks a
// partial tile of W (1..255) hashes or entries, and is absent on full ones.
// Only the canonical spelling of a path parses.
//
// A tile exists in a tree of `size` leaves when all W of its hashes (or
// entries) are complete within it; a full tile never changes once it
// exists, a partial one of width W names a fixed prefix of its full tile.
#ifndef RARELEDGER_LEDGER_TILES_H_
#define RARELEDGER_LEDGER_TILES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/status.h"

namespace rareledger::ledger {

inline constexpr unsigned kTileHeight = 8;
inline constexpr unsigned kTileWidth = 1u << kTileHeight;  // 256
inline constexpr unsigned kMaxTileLevel = 63;

struct TileId {
  bool entries = false;  // an entry bundle (level 0) instead of a hash tile
  uint8_t level = 0;
  uint64_t index = 0;
  unsigned width = kTileWidth;  // 1..256; 256 is a full tile
  bool full() const { return width == kTileWidth; }
  bool operator==(const TileId&) const = default;
};

// "tile/0/x001/x234/067.p/8", "tile/entries/000".
std::string TilePath(const TileId& tile);
// Parses a path as TilePath writes it (with or without a leading "/").
// InvalidArgument naming what is wrong: an unknown prefix, a level past 63
// or with a leading zero, a group that is not three digits, a missing or
// superfluous "x", an index with a needless leading group, a width of 0,
// 256 or more, or with a leading zero.
Result<TileId> ParseTilePath(std::string_view path);

// NotFound ("tile/1/000 is not in the tree of size 300") unless every hash
// or entry of `tile` is complete in a tree of `size` leaves.
Status CheckTileInTree(const TileId& tile, uint64_t size);

// The tiles a tree of `size` holds that a tree of `old_size` (< size, or 0)
// did not: newly full tiles and the partial tiles at `size`, level by level,
// entry bundles with level 0. With old_size 0: every tile of the tree.
std::vector<TileId> NewTiles(uint64_t old_size, uint64_t size);

// The bytes of hash tile `tile` (W * 32), read as one batch of stored nodes.
Result<std::string> ReadHashTile(const NodeReader& reader, const TileId& tile);
// Encodes leaves as an entry bundle (InvalidArgument for a leaf over 65,535
// bytes) and splits one back, checking it holds exactly `count` leaves and
// nothing after them (VerificationFailed otherwise).
Result<std::string> EncodeEntryBundle(const std::vector<std::string>& leaves);
Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bytes, unsigned count);

// A NodeReader over hash tiles fetched by `fetch` (a client of the read
// side): node (h, i) of a tree of `size` comes from the tile at level h / 8,
// hashed up h % 8 levels when h is not a multiple of 8. Each tile is fetched
// once (kept in memory) at the width the tree of `size` gives it, and its
// length is checked. Not thread-safe.
class TileNodeReader : public NodeReader {
 public:
  using Fetch = std::function<Result<std::string>(const TileId&)>;
  TileNodeReader(uint64_t size, Fetch fetch) : size_(size), fetch_(std::move(fetch)) {}
  Result<std::vector<Hash>> GetNodes(const std::vector<NodeId>& ids) const override;
  // The tile of level `level` and index `index` at this tree's width.
  Result<const std::string*> Tile(uint8_t level, uint64_t index) const;

 private:
  Result<Hash> Node(const NodeId& id) const;
  uint64_t size_;
  Fetch fetch_;
  mutable std::map<std::pair<uint8_t, uint64_t>, std::string> tiles_;
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_TILES_H_
