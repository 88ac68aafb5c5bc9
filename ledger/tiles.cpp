#include "ledger/tiles.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "ledger/entry.h"

namespace rareledger::ledger {
namespace {

// Complete nodes (or leaves) at the tile level of `tile` in a tree of `size`.
uint64_t NodesAtLevel(uint8_t level, uint64_t size) {
  const unsigned shift = kTileHeight * level;
  return shift >= 64 ? 0 : size >> shift;
}

// The width tile (level, index) has in a tree of `size`; 0: not there.
unsigned WidthInTree(uint8_t level, uint64_t index, uint64_t size) {
  const uint64_t nodes = NodesAtLevel(level, size);
  if (index >= (uint64_t{1} << 56) || nodes <= index * kTileWidth) return 0;
  return static_cast<unsigned>(std::min<uint64_t>(kTileWidth, nodes - index * kTileWidth));
}

std::string IndexPath(uint64_t n) {
  std::vector<unsigned> groups;
  do {
    groups.push_back(static_cast<unsigned>(n % 1000));
    n /= 1000;
  } while (n > 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%s%03u%s", i > 0 ? "x" : "", groups[i], i > 0 ? "/" : "");
    out += buf;
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal without leading zeros, at most `max`.
bool ParseSmall(std::string_view s, unsigned max, unsigned* out) {
  if (!AllDigits(s) || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  unsigned v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > max) return false;
  *out = v;
  return true;
}

std::vector<std::string_view> SplitSlash(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Status Bad(std::string_view path, const std::string& why) {
  return Status::InvalidArgument("bad tile path \"" + std::string(path.substr(0, 200)) + "\": " + why);
}

}  // namespace

std::string TilePath(const TileId& tile) {
  std::string out = "tile/";
  out += tile.entries ? std::string("entries") : std::to_string(tile.level);
  out += "/" + IndexPath(tile.index);
  if (!tile.full()) out += ".p/" + std::to_string(tile.width);
  return out;
}

Result<TileId> ParseTilePath(std::string_view path) {
  const std::string_view whole = path;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  std::vector<std::string_view> parts = SplitSlash(path);
  if (parts.size() < 3 || parts[0] != "tile") return Bad(whole, "want tile/<L>/<N>[.p/<W>]");
  TileId tile;
  if (parts[1] == "entries") {
    tile.entries = true;
  } else {
    unsigned level = 0;
    if (!ParseSmall(parts[1], kMaxTileLevel, &level))
      return Bad(whole, "level must be 0..63 without leading zeros");
    tile.level = static_cast<uint8_t>(level);
  }
  // The index groups, then optionally "NNN.p" and the width.
  size_t end = parts.size();
  bool partial = false;
  if (parts.size() >= 4 && parts[end - 2].size() == 5 && parts[end - 2].substr(3) == ".p") {
    partial = true;
    if (!ParseSmall(parts[end - 1], kTileWidth - 1, &tile.width) || tile.width == 0)
      return Bad(whole, "partial width must be 1..255 without leading zeros");
    parts[end - 2] = parts[end - 2].substr(0, 3);
    --end;
  }
  if (!partial && parts.back().find('.') != std::string_view::npos)
    return Bad(whole, "a partial tile is written <N>.p/<W>");
  uint64_t index = 0;
  for (size_t i = 2; i < end; ++i) {
    std::string_view g = parts[i];
    const bool last = i + 1 == end;
    if (!last) {
      if (g.size() != 4 || g[0] != 'x') return Bad(whole, "every index group but the last is xNNN");
      g.remove_prefix(1);
    }
    if (g.size() != 3 || !AllDigits(g)) return Bad(whole, "index groups are three digits");
    if (i == 2 && !last && g == "000") return Bad(whole, "the index has a leading x000 group");
    unsigned v = 0;
    std::from_chars(g.data(), g.data() + 3, v);
    if (index > (UINT64_MAX - v) / 1000) return Bad(whole, "index out of range");
    index = index * 1000 + v;
  }
  tile.index = index;
  return tile;
}

Status CheckTileInTree(const TileId& tile, uint64_t size) {
  if (WidthInTree(tile.level, tile.index, size) < tile.width)
    return Status::NotFound(TilePath(tile) + " is not in the tree of size " + std::to_string(size));
  return Status::Ok();
}

std::vector<TileId> NewTiles(uint64_t old_size, uint64_t size) {
  std::vector<TileId> out;
  for (int pass = 0; pass < 2; ++pass) {  // hash tiles, then entry bundles
    for (uint8_t level = 0; level <= kMaxTileLevel; ++level) {
      const uint64_t now = NodesAtLevel(level, size);
      const uint64_t before = old_size < size ? NodesAtLevel(level, old_size) : 0;
      if (now == 0) break;
      if (now == before) continue;
      for (uint64_t n = before / kTileWidth; n < now / kTileWidth; ++n)
        out.push_back({pass == 1, level, n, kTileWidth});
      if (now % kTileWidth != 0)
        out.push_back({pass == 1, level, now / kTileWidth, static_cast<unsigned>(now % kTileWidth)});
      if (pass == 1) break;  // entry bundles have level 0 only
    }
  }
  return out;
}

Result<std::string> ReadHashTile(const NodeReader& reader, const TileId& tile) {
  std::vector<NodeId> ids;
  ids.reserve(tile.width);
  for (unsigned i = 0; i < tile.width; ++i)
    ids.push_back({static_cast<uint8_t>(kTileHeight * tile.level), tile.index * kTileWidth + i});
  RL_ASSIGN_OR_RETURN(std::vector<Hash> hashes, reader.GetNodes(ids));
  std::string out;
  out.reserve(hashes.size() * 32);
  for (const Hash& h : hashes) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

Result<std::string> EncodeEntryBundle(const std::vector<std::string>& leaves) {
  std::string out;
  for (const std::string& leaf : leaves) {
    if (leaf.size() > kMaxLeafBytes)
      return Status::InvalidArgument("a leaf of " + std::to_string(leaf.size()) +
                                     " bytes does not fit an entry bundle (at most 65,535)");
    out.push_back(static_cast<char>(leaf.size() >> 8));
    out.push_back(static_cast<char>(leaf.size() & 0xff));
    out += leaf;
  }
  return out;
}

Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bytes, unsigned count) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < bytes.size()) {
    if (out.size() == count)
      return Status::VerificationFailed("entry bundle has bytes after its " +
                                        std::to_string(count) + " entries");
    if (bytes.size() - at < 2)
      return Status::VerificationFailed("entry bundle ends inside a length");
    const size_t n = (static_cast<uint8_t>(bytes[at]) << 8) | static_cast<uint8_t>(bytes[at + 1]);
    at += 2;
    if (bytes.size() - at < n)
      return Status::VerificationFailed("entry bundle ends inside entry " + std::to_string(out.size()));
    out.emplace_back(bytes.substr(at, n));
    at += n;
  }
  if (out.size() != count)
    return Status::VerificationFailed("entry bundle holds " + std::to_string(out.size()) +
                                      " entries, want " + std::to_string(count));
  return out;
}

Result<const std::string*> TileNodeReader::Tile(uint8_t level, uint64_t index) const {
  auto it = tiles_.find({level, index});
  if (it != tiles_.end()) return &it->second;
  const unsigned width = WidthInTree(level, index, size_);
  TileId id{false, level, index, width};
  if (width == 0)
    return Status::NotFound(TilePath({false, level, index, 1}) + " is not in the tree of size " +
                            std::to_string(size_));
  RL_ASSIGN_OR_RETURN(std::string bytes, fetch_(id));
  if (bytes.size() != size_t{width} * 32)
    return Status::VerificationFailed(TilePath(id) + " has " + std::to_string(bytes.size()) +
                                      " bytes, want " + std::to_string(width * 32));
  return &tiles_.emplace(std::make_pair(level, index), std::move(bytes)).first->second;
}

Result<Hash> TileNodeReader::Node(const NodeId& id) const {
  const uint8_t level = static_cast<uint8_t>(id.level / kTileHeight);
  const unsigned up = id.level % kTileHeight;
  const uint64_t first = id.index << up;  // the first node at the tile's level
  RL_ASSIGN_OR_RETURN(const std::string* tile, Tile(level, first / kTileWidth));
  const size_t offset = first % kTileWidth;
  std::vector<Hash> row(size_t{1} << up);
  if ((offset + row.size()) * 32 > tile->size())
    return Status::NotFound("node " + ToString(id) + " is not complete in the tree of size " +
                            std::to_string(size_));
  for (size_t i = 0; i < row.size(); ++i)
    std::copy_n(tile->data() + (offset + i) * 32, 32, reinterpret_cast<char*>(row[i].data()));
  for (; row.size() > 1;) {
    std::vector<Hash> next(row.size() / 2);
    for (size_t i = 0; i < next.size(); ++i) next[i] = NodeHash(row[2 * i], row[2 * i + 1]);
    row = std::move(next);
  }
  return row[0];
}

Result<std::vector<Hash>> TileNodeReader::GetNodes(const std::vector<NodeId>& ids) const {
  std::vector<Hash> out;
  out.reserve(ids.size());
  for (const NodeId& id : ids) {
    RL_ASSIGN_OR_RETURN(Hash h, Node(id));
    out.push_back(h);
  }
  return out;
}

}  // namespace rareledger::ledger
