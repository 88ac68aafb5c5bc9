// Tests for ledger/store.h and store_format.h on a real RocksDB directory:
// open modes, the single-writer lock, atomic batches, key encodings.
#include "ledger/store.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "ledger/records.h"
#include "ledger/store_format.h"
#include "tests/oracles/merkle_reference.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;

std::unique_ptr<Store> MustOpenStore(const std::string& path, Store::Mode mode) {
  auto s = Store::Open(path, mode);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  return std::move(s).value();
}

// A leaf that is just bytes: the store does not interpret leaves.
std::string Leaf(uint64_t i) { return "leaf-" + std::to_string(i); }

// Commits entries [from, to) with their tree nodes and the frontier.
void AppendEntries(Store& store, uint64_t from, uint64_t to) {
  Frontier f = store.frontier();
  REQUIRE(f.size() == from);
  Store::Batch b;
  for (uint64_t i = from; i < to; ++i) {
    b.PutEntry(i, Leaf(i), "p", static_cast<int64_t>(i + 1));
    b.PutNodes(f.Append(LeafHash(Leaf(i))));
  }
  b.PutMeta(format::kMetaFrontier, f.Serialize());
  REQUIRE(store.Commit(b).ok());
}

// A new store with the meta keys a ledger has, so it can be reopened.
std::unique_ptr<Store> CreateStore(const std::string& path) {
  auto store = MustOpenStore(path, Store::Mode::kCreate);
  Store::Batch b;
  b.PutMeta(format::kMetaFormat, format::kFormatVersion);
  b.PutMeta(format::kMetaLedgerId, "L1");
  b.PutMeta(format::kMetaCurrency, "EUR");
  b.PutMeta(format::kMetaFrontier, Frontier().Serialize());
  REQUIRE(store->Commit(b).ok());
  return store;
}

TEST_CASE("store open modes: create, read-write, read-only", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");

  auto rw_missing = Store::Open(path, Store::Mode::kReadWrite);
  REQUIRE_FALSE(rw_missing.ok());
  CHECK(rw_missing.status().code() == Code::kNotFound);
  CHECK_THAT(rw_missing.status().message(), Contains("no ledger at"));
  auto ro_missing = Store::Open(path, Store::Mode::kReadOnly);
  REQUIRE_FALSE(ro_missing.ok());
  CHECK(ro_missing.status().code() == Code::kNotFound);

  {
    auto store = CreateStore(path);
    CHECK(store->ledger_id() == "L1");
    CHECK(store->currency() == "EUR");
    CHECK(store->frontier().size() == 0);
    AppendEntries(*store, 0, 3);
  }
  auto again = Store::Open(path, Store::Mode::kCreate);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Code::kInvalidArgument);
  CHECK_THAT(again.status().message(), Contains("already exists"));

  auto rw = MustOpenStore(path, Store::Mode::kReadWrite);
  CHECK(rw->frontier().size() == 3);
  CHECK(rw->ledger_id() == "L1");
  auto leaf = rw->GetLeaf(2);
  REQUIRE(leaf.ok());
  CHECK(*leaf == Leaf(2));
}

TEST_CASE("a store without the format marker does not open", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  { auto created = MustOpenStore(path, Store::Mode::kCreate); }
  auto r = Store::Open(path, Store::Mode::kReadWrite);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kCorruption);
  CHECK_THAT(r.status().message(), Contains("format marker"));
}

TEST_CASE("one writer at a time and readers never block", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  auto writer = CreateStore(path);
  AppendEntries(*writer, 0, 2);

  auto second = Store::Open(path, Store::Mode::kReadWrite);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kBusy);
  CHECK_THAT(second.status().message(), Contains("in use"));

  auto reader = MustOpenStore(path, Store::Mode::kReadOnly);
  CHECK(reader->frontier().size() == 2);
  auto leaf = reader->GetLeaf(1);
  REQUIRE(leaf.ok());
  CHECK(*leaf == Leaf(1));

  // A reader cannot write.
  Store::Batch b;
  b.PutMeta("x", "y");
  Status s = reader->Commit(b);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK_THAT(s.message(), Contains("read-only"));

  // The reader sees the log as of its open; the writer goes on.
  AppendEntries(*writer, 2, 3);
  CHECK(writer->frontier().size() == 3);
  CHECK(reader->frontier().size() == 2);

  // Once the writer is gone, a new writer gets in.
  writer.reset();
  auto next = MustOpenStore(path, Store::Mode::kReadWrite);
  CHECK(next->frontier().size() == 3);
}

TEST_CASE("a batch is all or nothing, and visible only after Commit", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  auto store = CreateStore(path);

  Frontier f;
  Store::Batch b;
  b.PutEntry(0, Leaf(0), "p", 1);
  b.PutNodes(f.Append(LeafHash(Leaf(0))));
  b.PutCheckpoint(0, "note\n");
  LotRecord lot;
  lot.id = "lot-1";
  lot.holder = "p";
  lot.mass_g = lot.remaining_g = 10;
  lot.values.push_back({0, 1, 10});
  Mutation m;
  m.index = 0;
  m.lots.push_back(lot);
  m.consumed_lots.push_back("parent");
  b.PutMutation(m);
  b.PutMeta(format::kMetaFrontier, f.Serialize());
  CHECK(b.count() >= 7);

  // Nothing is visible before the commit.
  CHECK(store->GetLeaf(0).status().code() == Code::kNotFound);
  CHECK_FALSE(store->FindLot("lot-1")->has_value());
  CHECK(store->Checkpoints()->empty());
  CHECK(store->frontier().size() == 0);

  REQUIRE(store->Commit(b).ok());
  CHECK(b.count() == 0);
  CHECK(store->frontier().size() == 1);
  CHECK(store->GetLeaf(0).ok());
  CHECK(store->FindLot("lot-1")->has_value());
  CHECK(store->Checkpoints()->size() == 1);
  CHECK(*store->ConsumersOf("parent") == std::vector<uint64_t>{0});
  CHECK(*store->FindIndexBySeq("p", 1) == std::optional<uint64_t>(0));
  CHECK_FALSE(store->FindIndexBySeq("p", 2)->has_value());
  auto root = RootAt(*store, 1);
  REQUIRE(root.ok());
  CHECK(*root == LeafHash(Leaf(0)));

  // A batch refused as a whole (read-only handle) leaves no trace.
  store.reset();
  auto reader = MustOpenStore(path, Store::Mode::kReadOnly);
  Frontier f2 = reader->frontier();
  Store::Batch b2;
  b2.PutEntry(1, Leaf(1), "p", 2);
  b2.PutNodes(f2.Append(LeafHash(Leaf(1))));
  b2.PutMeta(format::kMetaFrontier, f2.Serialize());
  CHECK_FALSE(reader->Commit(b2).ok());
  reader.reset();
  auto after = MustOpenStore(path, Store::Mode::kReadOnly);
  CHECK(after->frontier().size() == 1);
  CHECK(after->GetLeaf(1).status().code() == Code::kNotFound);
  CHECK_FALSE(after->FindIndexBySeq("p", 2)->has_value());
}

TEST_CASE("records round-trip through the store", "[store]") {
  testing::TempDir dir;
  auto store = CreateStore(dir.Sub("db"));
  PartyRecord p;
  p.id = "mine";
  p.name = "Mine";
  p.country = "CN";
  p.roles = {"producer"};
  p.keys.push_back({std::string(32, 'k'), 1});
  p.keys.push_back({std::string(32, 'j'), 7});
  p.last_seq = 4;
  p.revoked_at = 9;
  LotRecord l;
  l.id = "ore";
  l.material = "ore";
  l.category = "re_ore";
  l.made_in = "CN";
  l.elements = Elements{{"Nd", 5}};
  l.hs = "2530";
  l.holder = "mine";
  l.mass_g = 10;
  l.remaining_g = 4;
  l.created_at = 3;
  l.created_by = EntryType::kSplit;
  l.parent = "big";
  l.values = {{3, 100, 10}, {8, 90, 4}};
  Mutation m;
  m.index = 8;
  m.parties.push_back(p);
  m.lots.push_back(l);
  Store::Batch b;
  b.PutMutation(m);
  REQUIRE(store->Commit(b).ok());

  auto gp = store->FindParty("mine");
  REQUIRE(gp.ok());
  REQUIRE(gp->has_value());
  CHECK(EncodeParty(**gp) == EncodeParty(p));
  auto gl = store->FindLot("ore");
  REQUIRE(gl.ok());
  REQUIRE(gl->has_value());
  CHECK(EncodeLot(**gl) == EncodeLot(l));
  CHECK_FALSE(store->FindLot("other")->has_value());
  CHECK(store->AllParties()->size() == 1);

  // A record that does not decode is Corruption, never a crash.
  REQUIRE(store->RawPut(format::kCfLots, "ore", "{not json").ok());
  auto bad = store->FindLot("ore");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kCorruption);
  // A record filed under another lot's key is caught by ForEachLot.
  REQUIRE(store->RawPut(format::kCfLots, "ore", EncodeLot(l)).ok());
  REQUIRE(store->RawPut(format::kCfLots, "zzz", EncodeLot(l)).ok());
  Status s = store->ForEachLot([](const LotRecord&) { return Status::Ok(); });
  CHECK(s.code() == Code::kCorruption);
  CHECK_THAT(s.message(), Contains("zzz"));

  CHECK(store->RawPut("no-such-cf", "k", "v").code() == Code::kInvalidArgument);
  CHECK(store->RawDelete("no-such-cf", "k").code() == Code::kInvalidArgument);
}

TEST_CASE("Be64 keys sort in numeric order and parse back", "[store]") {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> values = {0, 1, 255, 256, 65535, 65536, (1ull << 32) - 1, 1ull << 32,
                                  UINT64_MAX - 1, UINT64_MAX};
  for (int i = 0; i < 500; ++i) values.push_back(rng() >> (rng() % 64));
  std::vector<uint64_t> by_number = values;
  std::sort(by_number.begin(), by_number.end());
  std::vector<std::string> keys;
  for (uint64_t v : values) {
    std::string k = format::Be64(v);
    REQUIRE(k.size() == 8);
    uint64_t back = 0;
    REQUIRE(format::ParseBe64(k, &back));
    CHECK(back == v);
    keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end());  // bytewise, as RocksDB compares
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t v = 0;
    REQUIRE(format::ParseBe64(keys[i], &v));
    CHECK(v == by_number[i]);
  }
  CHECK(format::Be64(0x0102030405060708ull) == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  uint64_t v = 0;
  CHECK_FALSE(format::ParseBe64(std::string(7, '\0'), &v));
  CHECK_FALSE(format::ParseBe64(std::string(9, '\0'), &v));
  CHECK_FALSE(format::ParseBe64("", &v));
}

TEST_CASE("entries scan in index order across byte boundaries and gaps are Corruption", "[store]") {
  testing::TempDir dir;
  auto store = CreateStore(dir.Sub("db"));
  AppendEntries(*store, 0, 300);  // crosses 255 -> 256
  std::vector<uint64_t> seen;
  REQUIRE(store->ScanEntries(250, 262, [&](uint64_t i, std::string_view leaf) {
                 CHECK(leaf == Leaf(i));
                 seen.push_back(i);
                 return Status::Ok();
               }).ok());
  REQUIRE(seen.size() == 12);
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == 250 + i);

  // The callback's error stops the scan and comes back.
  int calls = 0;
  Status stop = store->ScanEntries(0, 300, [&](uint64_t, std::string_view) {
    return ++calls == 3 ? Status::Rejected("enough") : Status::Ok();
  });
  CHECK(stop.code() == Code::kRejected);
  CHECK(calls == 3);

  REQUIRE(store->RawDelete(format::kCfEntries, format::EntryKey(256)).ok());
  Status gap = store->ScanEntries(0, 300, [](uint64_t, std::string_view) { return Status::Ok(); });
  CHECK(gap.code() == Code::kCorruption);
  CHECK_THAT(gap.message(), Contains("entry 256 is missing"));
  auto missing = store->GetLeaf(256);
  CHECK(missing.status().code() == Code::kCorruption);
  auto beyond = store->GetLeaf(300);
  CHECK(beyond.status().code() == Code::kNotFound);
  // A missing tail is caught too.
  Status tail = store->ScanEntries(290, 301, [](uint64_t, std::string_view) { return Status::Ok(); });
  CHECK(tail.code() == Code::kCorruption);
  CHECK_THAT(tail.message(), Contains("entry 300 is missing"));

  // Tree nodes: a proof over the stored tree matches the reference.
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < 300; ++i) leaves.push_back(LeafHash(Leaf(i)));
  auto root = RootAt(*store, 300);
  REQUIRE(root.ok());
  CHECK(*root == reference::RootOf(leaves));
  auto nodes = store->GetNodes({NodeId{0, 1000}});
  CHECK(nodes.status().code() == Code::kNotFound);
}

TEST_CASE("data survives close and reopen", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  Hash root{};
  {
    auto store = CreateStore(path);
    AppendEntries(*store, 0, 17);
    root = store->frontier().Root();
  }
  auto store = MustOpenStore(path, Store::Mode::kReadWrite);
  CHECK(store->frontier().size() == 17);
  CHECK(store->frontier().Root() == root);
  AppendEntries(*store, 17, 20);
  CHECK(store->frontier().size() == 20);
  auto meta = store->GetMeta(format::kMetaFormat);
  REQUIRE(meta.ok());
  CHECK(*meta == std::optional<std::string>(format::kFormatVersion));
  CHECK_FALSE(store->GetMeta("nope")->has_value());
}

}  // namespace
}  // namespace rareledger::ledger
