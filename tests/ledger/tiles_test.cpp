// Tests for ledger/tiles.h: the C2SP tlog-tiles paths (canonical spelling
// only), which tiles a tree holds, entry bundles, and a NodeReader over
// tiles checked against the RFC 9162 reference (tests/oracles).
#include "ledger/tiles.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <tuple>

#include "ledger/ledger.h"
#include "tests/oracles/merkle_reference.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;

TEST_CASE("tile paths are written as the spec's examples", "[tiles]") {
  CHECK(TilePath({false, 0, 0, 256}) == "tile/0/000");
  CHECK(TilePath({false, 0, 1234067, 256}) == "tile/0/x001/x234/067");
  CHECK(TilePath({false, 1, 5, 8}) == "tile/1/005.p/8");
  CHECK(TilePath({true, 0, 1234067, 8}) == "tile/entries/x001/x234/067.p/8");
  CHECK(TilePath({true, 0, 1000, 256}) == "tile/entries/x001/000");
}

TEST_CASE("tile paths parse back, and every path TilePath writes round-trips", "[tiles]") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    TileId t;
    t.entries = rng() % 2 == 0;
    t.level = t.entries ? 0 : static_cast<uint8_t>(rng() % 64);
    t.index = rng() >> (rng() % 64);
    if (t.index >= (uint64_t{1} << 56)) t.index >>= 8;
    t.width = rng() % 3 == 0 ? 256 : static_cast<unsigned>(1 + rng() % 255);
    auto parsed = ParseTilePath(TilePath(t));
    INFO(TilePath(t));
    REQUIRE(parsed.ok());
    CHECK(*parsed == t);
  }
  auto with_slash = ParseTilePath("/tile/3/x001/002.p/17");
  REQUIRE(with_slash.ok());
  CHECK(with_slash->level == 3);
  CHECK(with_slash->index == 1002);
  CHECK(with_slash->width == 17);
}

TEST_CASE("only the canonical spelling of a tile path parses", "[tiles]") {
  for (const char* bad : {"tile/0/x1/000", "tile/0/001.p/0", "tile/0/001.p/256", "tile/0/001.p/007",
                          "tile/64/000", "tile/01/000", "tile/0/00", "tile/0/0000", "tile/0/x000/001",
                          "tile/0/001/002", "tile/0/x001", "tile/0/", "tile/0", "tile/entries",
                          "tile/0/../000", "tile/../../etc/passwd", "tiles/0/000", "tile/0/000.p",
                          "tile/0/000.p/", "tile/0/000/", "tile/x/000", "tile/0/-01", "tile/0/00a",
                          "tile/0/x001/x002", "tile/0/001.q/5", "tile/0/000.p/5/6"}) {
    INFO(bad);
    auto parsed = ParseTilePath(bad);
    CHECK_FALSE(parsed.ok());
    if (!parsed.ok()) CHECK(parsed.status().code() == Code::kInvalidArgument);
  }
  // The largest index the path form holds within uint64.
  CHECK(ParseTilePath("tile/0/x018/x446/x744/x073/x709/x551/615").ok());
  CHECK_FALSE(ParseTilePath("tile/0/x999/x999/x999/x999/x999/x999/x999").ok());
}

// Every tile of a tree of `size`, from the definition: tile (L, N) of width
// W exists when nodes at level 8L number at least 256N + W, and the tree
// shows only the widest one at each (L, N).
std::set<std::tuple<bool, int, uint64_t, unsigned>> TilesByDefinition(uint64_t size) {
  std::set<std::tuple<bool, int, uint64_t, unsigned>> out;
  for (int level = 0; level < 8; ++level) {
    const uint64_t nodes = size >> (8 * level);
    for (uint64_t n = 0; n * 256 < nodes; ++n)
      out.insert({false, level, n, static_cast<unsigned>(std::min<uint64_t>(256, nodes - 256 * n))});
  }
  for (uint64_t n = 0; n * 256 < size; ++n)
    out.insert({true, 0, n, static_cast<unsigned>(std::min<uint64_t>(256, size - 256 * n))});
  return out;
}

TEST_CASE("NewTiles gives exactly the tiles a grown tree has that the old one did not", "[tiles]") {
  std::mt19937_64 rng(11);
  std::vector<std::pair<uint64_t, uint64_t>> cases = {{0, 1},   {0, 256},     {255, 256}, {256, 257},
                                                      {0, 65536}, {65535, 65536}, {1, 70000},
                                                      {300, 300 + 256 * 256}};
  for (int i = 0; i < 300; ++i) {
    uint64_t a = rng() % 200000, b = rng() % 200000;
    cases.push_back({std::min(a, b), std::max(a, b) + 1});
  }
  for (auto [old_size, size] : cases) {
    INFO(old_size << " -> " << size);
    auto now = TilesByDefinition(size);
    auto before = TilesByDefinition(old_size);
    std::set<std::tuple<bool, int, uint64_t, unsigned>> want;
    for (const auto& t : now)
      if (before.count(t) == 0) want.insert(t);
    std::set<std::tuple<bool, int, uint64_t, unsigned>> got;
    for (const TileId& t : NewTiles(old_size, size)) {
      REQUIRE(CheckTileInTree(t, size).ok());
      got.insert({t.entries, t.level, t.index, t.width});
    }
    CHECK(got == want);
  }
}

TEST_CASE("a tile past the tree is NotFound, naming the tile and the size", "[tiles]") {
  CHECK(CheckTileInTree({false, 0, 0, 256}, 256).ok());
  CHECK(CheckTileInTree({false, 0, 0, 10}, 256).ok());  // a prefix of a full tile
  auto s = CheckTileInTree({false, 0, 1, 256}, 300);
  CHECK(s.code() == Code::kNotFound);
  CHECK_THAT(s.message(), Contains("tile/0/001") && Contains("size 300"));
  CHECK(CheckTileInTree({false, 1, 0, 1}, 255).code() == Code::kNotFound);
  CHECK(CheckTileInTree({false, 1, 0, 1}, 256).ok());
  CHECK(CheckTileInTree({false, 63, 0, 1}, UINT64_MAX).code() == Code::kNotFound);
  CHECK(CheckTileInTree({true, 0, 0, 45}, 44).code() == Code::kNotFound);
}

TEST_CASE("entry bundles round-trip and refuse what does not fit", "[tiles]") {
  std::vector<std::string> leaves = {"a", std::string(300, 'b'), "", std::string(65535, 'c')};
  auto bytes = EncodeEntryBundle(leaves);
  REQUIRE(bytes.ok());
  CHECK(bytes->size() == 2 * 4 + 1 + 300 + 65535);
  CHECK(static_cast<uint8_t>((*bytes)[3]) == 1);  // be16(300) = 01 2c
  auto back = DecodeEntryBundle(*bytes, 4);
  REQUIRE(back.ok());
  CHECK(*back == leaves);
  CHECK(DecodeEntryBundle(*bytes, 3).status().code() == Code::kVerificationFailed);
  CHECK(DecodeEntryBundle(*bytes, 5).status().code() == Code::kVerificationFailed);
  CHECK(DecodeEntryBundle(bytes->substr(0, bytes->size() - 1), 4).status().code() ==
        Code::kVerificationFailed);
  CHECK(DecodeEntryBundle(std::string("\x00", 1), 1).status().code() == Code::kVerificationFailed);
  CHECK(EncodeEntryBundle({std::string(65536, 'x')}).status().code() == Code::kInvalidArgument);
}

// Hash tiles of a tree, built from the reference's node definition.
struct TileServer {
  std::vector<Hash> leaves;
  uint64_t fetches = 0;
  // MTH of the complete subtree (level, index), by the reference.
  Hash Node(int level, uint64_t index) const {
    const uint64_t span = uint64_t{1} << level;
    return reference::RootOf(std::span<const Hash>(leaves).subspan(index * span, span));
  }
  Result<std::string> Fetch(const TileId& t) {
    ++fetches;
    REQUIRE_FALSE(t.entries);
    if (!CheckTileInTree(t, leaves.size()).ok()) return Status::NotFound(TilePath(t));
    std::string out;
    for (unsigned i = 0; i < t.width; ++i) {
      Hash h = Node(8 * t.level, t.index * 256 + i);
      out.append(reinterpret_cast<const char*>(h.data()), 32);
    }
    return out;
  }
};

TEST_CASE("proofs read through tiles equal the RFC 9162 reference", "[tiles]") {
  std::mt19937_64 rng(3);
  for (uint64_t size : {1u, 2u, 255u, 256u, 257u, 511u, 4096u, 65536u + 700u}) {
    TileServer server;
    for (uint64_t i = 0; i < size; ++i) server.leaves.push_back(LeafHash(std::to_string(i)));
    TileNodeReader reader(size, [&](const TileId& t) { return server.Fetch(t); });
    INFO("size " << size);
    auto root = RootAt(reader, size);
    REQUIRE(root.ok());
    CHECK(*root == reference::RootOf(server.leaves));
    for (int k = 0; k < 20; ++k) {
      const uint64_t index = rng() % size;
      auto path = InclusionProof(reader, index, size);
      REQUIRE(path.ok());
      CHECK(*path == reference::InclusionPath(index, server.leaves));
      const uint64_t old_size = 1 + rng() % size;
      auto proof = ConsistencyProof(reader, old_size, size);
      REQUIRE(proof.ok());
      CHECK(*proof == reference::ConsistencyProof(old_size, server.leaves));
    }
    // Each tile is fetched once, however many proofs read it.
    REQUIRE(InclusionProof(reader, size / 2, size).ok());
    const uint64_t fetched = server.fetches;
    CHECK(InclusionProof(reader, size / 2, size).ok());
    CHECK(RootAt(reader, size).ok());
    CHECK(server.fetches == fetched);
  }
}

TEST_CASE("a tile of the wrong length is refused", "[tiles]") {
  TileNodeReader reader(300, [](const TileId&) -> Result<std::string> { return std::string(31, 'x'); });
  auto root = RootAt(reader, 300);
  REQUIRE_FALSE(root.ok());
  CHECK(root.status().code() == Code::kVerificationFailed);
  CHECK_THAT(root.status().message(), Contains("has 31 bytes, want 32"));
}

TEST_CASE("a ledger's tiles are its stored tree and its leaves", "[tiles]") {
  testing::TempDir dir;
  testing::Parties parties("rare.example/tiles");
  parties.Add(kOperatorId, testing::FreshSigner(), 1);
  auto ledger = testing::MustInit(dir.Sub("db"), "rare.example/tiles", parties.key(kOperatorId));
  std::vector<std::string> lines = {parties.Register("p", {"producer"}, "DE")};
  for (int i = 0; i < 300; ++i)
    lines.push_back(parties.Env("p", "create_lot", testing::CreateLotFields("l" + std::to_string(i), 10, 10)));
  REQUIRE(testing::SubmitLines(*ledger, lines).error.ok());
  const uint64_t size = ledger->Info().size;
  REQUIRE(size == 302);
  std::vector<std::string> leaves;
  REQUIRE(ledger->ScanLeaves(0, size, [&](uint64_t, std::string_view l) {
    leaves.emplace_back(l);
    return Status::Ok();
  }).ok());
  std::vector<Hash> hashes;
  for (const auto& l : leaves) hashes.push_back(LeafHash(l));

  auto bundle = ledger->ReadTile({true, 0, 1, 46}, size);
  REQUIRE(bundle.ok());
  auto decoded = DecodeEntryBundle(*bundle, 46);
  REQUIRE(decoded.ok());
  CHECK(*decoded == std::vector<std::string>(leaves.begin() + 256, leaves.end()));
  auto full = ledger->ReadTile({false, 0, 0, 256}, size);
  REQUIRE(full.ok());
  CHECK(full->size() == 256 * 32);
  CHECK(full->substr(32 * 255, 32) ==
        std::string(reinterpret_cast<const char*>(hashes[255].data()), 32));
  // A tree of tiles read from the ledger gives its root.
  TileNodeReader reader(size, [&](const TileId& t) { return ledger->ReadTile(t, size); });
  auto root = RootAt(reader, size);
  REQUIRE(root.ok());
  CHECK(*root == ledger->Info().root);
  CHECK(ledger->ReadTile({false, 0, 1, 47}, size).status().code() == Code::kNotFound);
  CHECK(ledger->ReadTile({false, 1, 0, 1}, size).ok());  // level 1 holds node (8, 0)
  CHECK(ledger->ReadTile({false, 1, 0, 2}, size).status().code() == Code::kNotFound);
}

}  // namespace
}  // namespace rareledger::ledger
