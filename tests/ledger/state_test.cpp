// Tests for ledger/state.h: the SPEC rules, decided by Apply over a
// MemoryState. Signatures play no part here (ExpectedSigningKey only says
// which key must have signed), so envelopes carry a zero signature.
#include "ledger/state.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ledger/records.h"
#include "test_util.h"

namespace rareledger::ledger {
namespace {

using Catch::Matchers::Contains;
using testing::CreateLotFields;
using testing::json;
using testing::LotMassJson;
using testing::OutputJson;

const std::string kLedger = "L1";

// A ledger's state in memory, fed payloads in log order.
class Harness {
 public:
  Harness() : parties_(kLedger) {
    parties_.Add(kOperatorId, testing::SeedSigner(1));
    json genesis = testing::Header("register_party", kLedger, kOperatorId, 1);
    genesis.update({{"id", kOperatorId}, {"name", "operator"}, {"country", "DE"},
                    {"roles", {"operator"}}, {"pubkey", testing::B64Key(parties_.key(kOperatorId))}});
    Accept(genesis);
    parties_.Bump(kOperatorId);
  }

  // Decides `type` by `party` with its next seq.
  Result<Mutation> Try(const std::string& party, const std::string& type, const json& fields) {
    return TryPayload(parties_.Payload(party, type, fields));
  }
  Result<Mutation> TryPayload(const json& payload) {
    Entry e = testing::MustDecode(testing::UnsignedEnvelope(payload));
    return Apply(state_, LedgerIdentity{kLedger}, e, next_);
  }
  // Must be accepted; commits it and consumes the seq.
  Mutation Ok(const std::string& party, const std::string& type, const json& fields) {
    Mutation m = Accept(parties_.Payload(party, type, fields));
    parties_.Bump(party);
    return m;
  }
  // Must be rejected (Code::kRejected, message naming the rule); the state
  // stays as it was.
  void Rejected(const std::string& party, const std::string& type, const json& fields,
                const std::string& rule) {
    RejectedPayload(parties_.Payload(party, type, fields), rule);
  }
  void RejectedPayload(const json& payload, const std::string& rule) {
    const std::string before = Snapshot();
    auto r = TryPayload(payload);
    INFO("payload: " << payload.dump());
    INFO("got: " << r.status().ToString());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kRejected);
    CHECK_THAT(r.status().message(), Contains(rule));
    CHECK(Snapshot() == before);
  }

  // Registers a party (by the operator) under `id`.
  void Register(const std::string& id, const std::vector<std::string>& roles,
                const std::string& key_seed_pubkey = "") {
    std::string pub = key_seed_pubkey.empty()
                          ? testing::B64Key(testing::SeedSigner(static_cast<uint8_t>(10 + count_++)))
                          : key_seed_pubkey;
    Ok(kOperatorId, "register_party",
       {{"id", id}, {"name", id}, {"country", "DE"}, {"roles", roles}, {"pubkey", pub}});
    parties_.Add(id, testing::SeedSigner(1));
  }

  LotRecord Lot(const std::string& id) const {
    auto l = state_.FindLot(id);
    REQUIRE(l.ok());
    REQUIRE(l->has_value());
    return **l;
  }
  PartyRecord Party(const std::string& id) const {
    auto p = state_.FindParty(id);
    REQUIRE(p.ok());
    REQUIRE(p->has_value());
    return **p;
  }
  uint64_t next() const { return next_; }
  const MemoryState& state() const { return state_; }
  testing::Parties& parties() { return parties_; }
  json Payload(const std::string& party, const std::string& type, const json& fields) const {
    return parties_.Payload(party, type, fields);
  }

 private:
  Mutation Accept(const json& payload) {
    auto r = TryPayload(payload);
    INFO("payload: " << payload.dump());
    INFO("got: " << r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->index == next_);
    state_.Commit(*r);
    ++next_;
    return std::move(r).value();
  }
  std::string Snapshot() const {
    std::string s;
    for (const auto& [id, p] : state_.parties()) s += EncodeParty(p) + "\n";
    for (const auto& [id, l] : state_.lots()) s += EncodeLot(l) + "\n";
    return s;
  }

  MemoryState state_;
  testing::Parties parties_;
  uint64_t next_ = 0;
  int count_ = 0;
};

// A harness with a producer "mine", a processor "sep", an auditor "aud" and
// lot "ore" (1000 g, value 5000, CN) held by "mine".
Harness Web() {
  Harness h;
  h.Register("mine", {"producer"});
  h.Register("sep", {"processor"});
  h.Register("aud", {"auditor"});
  json fields = CreateLotFields("ore", 1000, 5000, "CN", "re_ore");
  fields["elements"] = {{"Nd", 100}};
  fields["hs"] = "2530";
  h.Ok("mine", "create_lot", fields);
  return h;
}

json GenesisPayload(const Signer& key) {
  json g = testing::Header("register_party", kLedger, kOperatorId, 1);
  g.update({{"id", kOperatorId}, {"name", "operator"}, {"country", "DE"},
            {"roles", {"operator"}}, {"pubkey", testing::B64Key(key)}});
  return g;
}

TEST_CASE("genesis: entry 0 is the operator's own register_party", "[state]") {
  MemoryState empty;
  Signer op = testing::SeedSigner(1);
  auto expect_rejected = [&](const json& payload) {
    INFO(payload.dump());
    Entry e = testing::MustDecode(testing::UnsignedEnvelope(payload));
    auto r = Apply(empty, LedgerIdentity{kLedger}, e, 0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kRejected);
    CHECK_THAT(r.status().message(), Contains("entry 0 must be the operator's own register_party"));
    auto k = ExpectedSigningKey(empty, e, 0);
    REQUIRE_FALSE(k.ok());
    CHECK(k.status().code() == Code::kRejected);
  };
  SECTION("the good genesis") {
    Entry e = testing::MustDecode(testing::UnsignedEnvelope(GenesisPayload(op)));
    auto k = ExpectedSigningKey(empty, e, 0);
    REQUIRE(k.ok());
    CHECK(*k == op.public_key().raw());
    auto m = Apply(empty, LedgerIdentity{kLedger}, e, 0);
    REQUIRE(m.ok());
    REQUIRE(m->parties.size() == 1);
    CHECK(m->parties[0].id == kOperatorId);
    CHECK(m->parties[0].last_seq == 1);
    CHECK(m->parties[0].keys.at(0).from_index == 0);
  }
  SECTION("signed by another party") {
    json g = GenesisPayload(op);
    g["party"] = "mine";
    expect_rejected(g);
  }
  SECTION("registering someone else") {
    json g = GenesisPayload(op);
    g["id"] = "mine";
    expect_rejected(g);
  }
  SECTION("extra roles") {
    json g = GenesisPayload(op);
    g["roles"] = {"operator", "auditor"};
    expect_rejected(g);
  }
  SECTION("seq 2") {
    json g = GenesisPayload(op);
    g["seq"] = 2;
    expect_rejected(g);
  }
  SECTION("not a register_party") {
    json g = testing::Header("create_lot", kLedger, kOperatorId, 1);
    g.update(CreateLotFields("x", 1, 1));
    expect_rejected(g);
  }
  SECTION("another ledger's genesis") {
    json g = GenesisPayload(op);
    g["ledger"] = "L2";
    Entry e = testing::MustDecode(testing::UnsignedEnvelope(g));
    auto r = Apply(empty, LedgerIdentity{kLedger}, e, 0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kRejected);
    CHECK_THAT(r.status().message(), Contains("ledger id \"L2\" does not match this ledger \"L1\""));
  }
}

TEST_CASE("only the operator registers and revokes parties", "[state]") {
  Harness h = Web();
  json reg = {{"id", "x"}, {"name", "X"}, {"country", "FR"}, {"roles", {"producer"}},
              {"pubkey", testing::B64Key(testing::SeedSigner(50))}};
  h.Rejected("mine", "register_party", reg, "only the operator registers parties");
  json op_role = reg;
  op_role["roles"] = {"operator"};
  h.Rejected(kOperatorId, "register_party", op_role, "role \"operator\" belongs to the operator alone");
  json again = reg;
  again["id"] = "mine";
  h.Rejected(kOperatorId, "register_party", again, "party \"mine\" is already registered");
  json op_again = reg;
  op_again["id"] = kOperatorId;
  h.Rejected(kOperatorId, "register_party", op_again, "already registered");

  h.Rejected("mine", "revoke_party", {{"id", "sep"}, {"reason", "r"}}, "only the operator revokes parties");
  h.Rejected(kOperatorId, "revoke_party", {{"id", kOperatorId}, {"reason", "r"}}, "the operator cannot revoke itself");
  h.Rejected(kOperatorId, "revoke_party", {{"id", "ghost"}, {"reason", "r"}}, "revocation of unregistered party \"ghost\"");

  const uint64_t at = h.next();
  h.Ok(kOperatorId, "revoke_party", {{"id", "sep"}, {"reason", "fraud"}});
  CHECK(h.Party("sep").revoked_at == std::optional<uint64_t>(at));
  h.Rejected(kOperatorId, "revoke_party", {{"id", "sep"}, {"reason", "r"}}, "party \"sep\" is already revoked");
}

TEST_CASE("a revoked or unregistered signer is refused", "[state]") {
  Harness h = Web();
  const uint64_t at = h.next();
  h.Ok(kOperatorId, "revoke_party", {{"id", "mine"}, {"reason", "fraud"}});
  const std::string rule =
      "party \"mine\" was revoked at entry " + std::to_string(at) + ": fraud";
  h.Rejected("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}}, rule);
  Entry e = testing::MustDecode(testing::UnsignedEnvelope(
      h.Payload("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}})));
  auto k = ExpectedSigningKey(h.state(), e, h.next());
  REQUIRE_FALSE(k.ok());
  CHECK(k.status().code() == Code::kRejected);
  CHECK_THAT(k.status().message(), Contains(rule));

  // Nobody may hand a lot to a revoked party either.
  h.Ok("sep", "create_lot", CreateLotFields("s1", 10, 10));
  h.Rejected("sep", "transfer", {{"lot", "s1"}, {"to", "mine"}}, "transfer to revoked party \"mine\"");

  json ghost = testing::Header("create_lot", kLedger, "ghost", 1);
  ghost.update(CreateLotFields("g1", 10, 10));
  h.RejectedPayload(ghost, "signer \"ghost\" is not registered");
  Entry g = testing::MustDecode(testing::UnsignedEnvelope(ghost));
  auto gk = ExpectedSigningKey(h.state(), g, h.next());
  REQUIRE_FALSE(gk.ok());
  CHECK(gk.status().code() == Code::kRejected);
  CHECK_THAT(gk.status().message(), Contains("not registered"));
}

TEST_CASE("only an auditor attests, and only to what exists", "[state]") {
  Harness h = Web();
  h.Rejected("mine", "attest", {{"subject", {{"lot", "ore"}}}, {"claim", "fine"}},
             "only an auditor may attest (mine is not one)");
  h.Rejected("aud", "attest", {{"subject", {{"lot", "nope"}}}, {"claim", "fine"}},
             "attestation names unknown lot \"nope\"");
  h.Rejected("aud", "attest", {{"subject", {{"entry", h.next()}}}, {"claim", "fine"}},
             "which is not earlier in the log");
  h.Ok("aud", "attest", {{"subject", {{"lot", "ore"}}}, {"claim", "fine"}});
  h.Ok("aud", "attest", {{"subject", {{"entry", 0}}}, {"claim", "fine"}});
  // An auditor creates no lots.
  h.Rejected("aud", "create_lot", CreateLotFields("a1", 1, 1), "may not create lots");
}

TEST_CASE("seq: the next one, no replay, no gap", "[state]") {
  Harness h = Web();  // mine has used seq 1
  json replay = testing::Header("transfer", kLedger, "mine", 1);
  replay.update({{"lot", "ore"}, {"to", "sep"}});
  h.RejectedPayload(replay, "seq 1 is not the next for party mine (want 2)");
  json gap = replay;
  gap["seq"] = 3;
  h.RejectedPayload(gap, "seq 3 is not the next for party mine (want 2)");
  h.Ok("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}});
  CHECK(h.Party("mine").last_seq == 2);
}

TEST_CASE("an entry for another ledger is refused", "[state]") {
  Harness h = Web();
  json p = h.Payload("mine", "create_lot", CreateLotFields("x1", 1, 1));
  p["ledger"] = "L2";
  h.RejectedPayload(p, "ledger id \"L2\" does not match this ledger \"L1\"");
}

TEST_CASE("lot ids are unique across create_lot, transform outputs and split parts", "[state]") {
  Harness h = Web();
  h.Rejected("mine", "create_lot", CreateLotFields("ore", 5, 5), "lot \"ore\" already exists");
  h.Rejected("sep", "create_lot", CreateLotFields("ore", 5, 5), "lot \"ore\" already exists");
  h.Ok("sep", "create_lot", CreateLotFields("s1", 10, 10));
  h.Rejected("mine", "transform",
             {{"process", "separation"}, {"facility_country", "CN"},
              {"inputs", {LotMassJson("ore", 10)}}, {"outputs", {OutputJson("s1", 5, 5)}}},
             "lot \"s1\" already exists");
  h.Rejected("mine", "split", {{"lot", "ore"}, {"parts", {LotMassJson("s1", 5)}}},
             "lot \"s1\" already exists");
  CHECK(h.Lot("ore").remaining_g == 1000);
}

TEST_CASE("only the holder transfers, splits or consumes", "[state]") {
  Harness h = Web();
  const std::string rule = "only the holder (mine) may";
  h.Rejected("sep", "transfer", {{"lot", "ore"}, {"to", "sep"}}, rule + " transfer lot \"ore\", not sep");
  h.Rejected("sep", "split", {{"lot", "ore"}, {"parts", {LotMassJson("o2", 1)}}}, rule + " split");
  h.Rejected("sep", "transform",
             {{"process", "separation"}, {"facility_country", "MY"},
              {"inputs", {LotMassJson("ore", 1)}}, {"outputs", {OutputJson("m1", 1, 1)}}},
             rule + " consume");
  h.Rejected("mine", "transfer", {{"lot", "nope"}, {"to", "sep"}}, "unknown lot \"nope\"");
  // After a transfer the roles swap.
  h.Ok("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}});
  CHECK(h.Lot("ore").holder == "sep");
  h.Rejected("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}}, "only the holder (sep) may");
}

TEST_CASE("consumption never exceeds what remains", "[state]") {
  Harness h = Web();
  auto transform = [](std::vector<json> inputs, const std::string& out) {
    return json{{"process", "separation"}, {"facility_country", "CN"}, {"inputs", inputs},
                {"outputs", {OutputJson(out, 1, 1)}}};
  };
  SECTION("one transform asks for too much") {
    h.Rejected("mine", "transform", transform({LotMassJson("ore", 1001)}, "m1"),
               "consumes 1001 g of lot \"ore\" but only 1000 g remain");
  }
  SECTION("two transforms together ask for too much") {
    h.Ok("mine", "transform", transform({LotMassJson("ore", 600)}, "m1"));
    CHECK(h.Lot("ore").remaining_g == 400);
    h.Rejected("mine", "transform", transform({LotMassJson("ore", 401)}, "m2"),
               "consumes 401 g of lot \"ore\" but only 400 g remain");
    h.Ok("mine", "transform", transform({LotMassJson("ore", 400)}, "m2"));
    CHECK(h.Lot("ore").remaining_g == 0);
    CHECK(h.state().ConsumersOf("ore").size() == 2);
  }
  SECTION("the same lot listed twice in one transform is refused") {
    // Refused on its form (entry.h), whatever the masses: give it once.
    for (int64_t each : {600, 300}) {
      auto e = DecodeEnvelope(testing::UnsignedEnvelope(h.Payload(
          "mine", "transform", transform({LotMassJson("ore", each), LotMassJson("ore", each)}, "m1"))));
      REQUIRE_FALSE(e.ok());
      CHECK_THAT(e.status().message(), Contains("lot \"ore\" is listed twice in inputs"));
    }
    CHECK(h.Lot("ore").remaining_g == 1000);
  }
  SECTION("a split takes no more than remains") {
    h.Rejected("mine", "split", {{"lot", "ore"}, {"parts", {LotMassJson("a", 600), LotMassJson("b", 401)}}},
               "split of lot \"ore\" takes more than the 1000 g that remain");
  }
}

TEST_CASE("a lot with nothing left can't be transferred, split or consumed", "[state]") {
  Harness h = Web();
  SECTION("emptied by a transform") {
    h.Ok("mine", "transform",
         {{"process", "separation"}, {"facility_country", "CN"}, {"inputs", {LotMassJson("ore", 1000)}},
          {"outputs", {OutputJson("m1", 100, 1)}}});
  }
  SECTION("emptied by a split") {
    h.Ok("mine", "split", {{"lot", "ore"}, {"parts", {LotMassJson("a", 400), LotMassJson("b", 600)}}});
    CHECK(h.Lot("a").remaining_g == 400);
  }
  CHECK(h.Lot("ore").remaining_g == 0);
  h.Rejected("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}}, "lot \"ore\" has nothing left");
  h.Rejected("mine", "split", {{"lot", "ore"}, {"parts", {LotMassJson("c", 1)}}}, "has nothing left");
  h.Rejected("mine", "transform",
             {{"process", "other"}, {"facility_country", "CN"}, {"inputs", {LotMassJson("ore", 1)}},
              {"outputs", {OutputJson("m9", 1, 1)}}},
             "has nothing left");
}

TEST_CASE("transfer goes to a registered party", "[state]") {
  Harness h = Web();
  h.Rejected("mine", "transfer", {{"lot", "ore"}, {"to", "ghost"}}, "transfer to unregistered party \"ghost\"");
  CHECK(h.Lot("ore").holder == "mine");
}

TEST_CASE("a transfer with value re-declares the lot's value", "[state]") {
  Harness h = Web();
  const uint64_t created = h.Lot("ore").created_at;
  h.Ok("mine", "transform",
       {{"process", "separation"}, {"facility_country", "CN"}, {"inputs", {LotMassJson("ore", 400)}},
        {"outputs", {OutputJson("m1", 100, 1)}}});
  const uint64_t at = h.next();
  h.Ok("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}, {"value", 9000}});
  LotRecord l = h.Lot("ore");
  REQUIRE(l.values.size() == 2);
  CHECK(l.values[0].index == created);
  CHECK(l.values[0].value == 5000);
  CHECK(l.values[0].mass_g == 1000);
  CHECK(l.values[1].index == at);
  CHECK(l.values[1].value == 9000);
  CHECK(l.values[1].mass_g == 600);  // what remained at the transfer
  CHECK(l.ValueBefore(at).value == 5000);
  CHECK(l.ValueBefore(at + 1).value == 9000);
  CHECK(l.ValueBefore(created).value == 5000);  // none earlier: the first
  CHECK(l.ValueBefore(0).value == 5000);
  // A transfer without value leaves the declaration alone.
  h.Ok("sep", "transfer", {{"lot", "ore"}, {"to", "mine"}});
  CHECK(h.Lot("ore").values.size() == 2);
  CHECK(h.Lot("ore").holder == "mine");
}

TEST_CASE("split parts inherit made_in, category, elements and the value declaration", "[state]") {
  Harness h = Web();
  h.Ok("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}, {"value", 8000}});
  const LotRecord parent_before = h.Lot("ore");
  const uint64_t at = h.next();
  Mutation m = h.Ok("sep", "split", {{"lot", "ore"}, {"parts", {LotMassJson("ore-a", 250), LotMassJson("ore-b", 150)}}});
  CHECK(m.consumed_lots == std::vector<std::string>{"ore"});
  CHECK(h.state().ConsumersOf("ore") == std::vector<uint64_t>{at});
  const LotRecord parent = h.Lot("ore");
  CHECK(parent.remaining_g == 600);
  CHECK(parent.mass_g == 1000);
  for (const char* id : {"ore-a", "ore-b"}) {
    INFO(id);
    LotRecord part = h.Lot(id);
    CHECK(part.made_in == "CN");
    CHECK(part.category == "re_ore");
    CHECK(part.material == parent.material);
    CHECK(part.elements == parent.elements);
    CHECK(part.hs == parent.hs);
    CHECK(part.holder == "sep");
    CHECK(part.parent == std::optional<std::string>("ore"));
    CHECK(part.created_by == EntryType::kSplit);
    CHECK(part.created_at == at);
    REQUIRE(part.values.size() == 1);
    CHECK(part.values[0].value == parent_before.values.back().value);
    CHECK(part.values[0].mass_g == parent_before.values.back().mass_g);
    CHECK(part.values[0].index == at);
  }
  CHECK(h.Lot("ore-a").mass_g == 250);
  CHECK(h.Lot("ore-b").remaining_g == 150);
}

TEST_CASE("transform outputs belong to the signer and are made where the facility is", "[state]") {
  Harness h = Web();
  const uint64_t at = h.next();
  Mutation m = h.Ok("mine", "transform",
                    {{"process", "separation"}, {"facility_country", "MY"}, {"technology_origin", "CN"},
                     {"inputs", {LotMassJson("ore", 700)}},
                     {"outputs", {OutputJson("ox", 90, 4000, "re_oxide"), OutputJson("tail", 600, 0, "other")}}});
  CHECK(m.index == at);
  LotRecord ox = h.Lot("ox");
  CHECK(ox.made_in == "MY");
  CHECK(ox.holder == "mine");
  CHECK(ox.created_by == EntryType::kTransform);
  CHECK(ox.category == "re_oxide");
  CHECK(ox.values.at(0).value == 4000);
  CHECK(ox.values.at(0).mass_g == 90);
  CHECK(h.Lot("ore").remaining_g == 300);
  CHECK(h.state().ConsumersOf("ore") == std::vector<uint64_t>{at});
}

TEST_CASE("rotate_key changes the current key and ExpectedSigningKey follows", "[state]") {
  Harness h = Web();
  const std::string old_key = h.Party("mine").current_key();
  Signer next = testing::SeedSigner(77);
  h.Rejected("mine", "rotate_key", {{"pubkey", testing::B64Key(testing::SeedSigner(10))}},
             "the new key is the current key");
  const uint64_t at = h.next();
  Entry probe_before = testing::MustDecode(testing::UnsignedEnvelope(
      h.Payload("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}})));
  auto k0 = ExpectedSigningKey(h.state(), probe_before, at);
  REQUIRE(k0.ok());
  CHECK(*k0 == old_key);

  h.Ok("mine", "rotate_key", {{"pubkey", testing::B64Key(next)}});
  PartyRecord p = h.Party("mine");
  REQUIRE(p.keys.size() == 2);
  CHECK(p.keys[0].pubkey == old_key);
  CHECK(p.keys[1].pubkey == next.public_key().raw());
  CHECK(p.keys[1].from_index == at);
  CHECK(p.current_key() == next.public_key().raw());
  CHECK(p.last_seq == 2);

  Entry probe = testing::MustDecode(testing::UnsignedEnvelope(
      h.Payload("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}})));
  auto k1 = ExpectedSigningKey(h.state(), probe, h.next());
  REQUIRE(k1.ok());
  CHECK(*k1 == next.public_key().raw());
  // Other parties keep theirs.
  CHECK(h.Party("sep").keys.size() == 1);
}

TEST_CASE("a transfer to the current holder itself is refused", "[state]") {
  Harness h = Web();
  h.Rejected("mine", "transfer", {{"lot", "ore"}, {"to", "mine"}},
             "transfer of lot \"ore\" to its current holder \"mine\"");
  h.Ok("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}});
  h.Rejected("sep", "transfer", {{"lot", "ore"}, {"to", "sep"}, {"value", 1}}, "current holder");
}

TEST_CASE("one key, one party: register_party and rotate_key refuse a key ever held",
          "[state]") {
  Harness h = Web();  // mine: seed 10 (entry 1), sep: seed 11, aud: seed 12
  const std::string mine_key = testing::B64Key(testing::SeedSigner(10));
  const std::string op_key = testing::B64Key(testing::SeedSigner(1));
  auto reg = [&](const std::string& id, const std::string& key) {
    return json{{"id", id}, {"name", id}, {"country", "JP"}, {"roles", {"producer"}},
                {"pubkey", key}};
  };
  h.Rejected(kOperatorId, "register_party", reg("jp-magnets", mine_key),
             "pubkey is already the key of party \"mine\" (since entry 1)");
  h.Rejected(kOperatorId, "register_party", reg("jp-magnets", op_key),
             "pubkey is already the key of party \"operator\" (since entry 0)");
  h.Rejected("sep", "rotate_key", {{"pubkey", mine_key}},
             "pubkey is already the key of party \"mine\"");

  // mine rotates: its old key stays its own for ever.
  const uint64_t rotated_at = h.next();
  h.Ok("mine", "rotate_key", {{"pubkey", testing::B64Key(testing::SeedSigner(90))}});
  h.Rejected(kOperatorId, "register_party", reg("jp-magnets", mine_key),
             "pubkey was the key of party \"mine\" (entries 1 until " +
                 std::to_string(rotated_at) + ")");
  h.Rejected("mine", "rotate_key", {{"pubkey", mine_key}},
             "pubkey was this party's own key until entry " + std::to_string(rotated_at));
  h.Rejected("sep", "rotate_key", {{"pubkey", testing::B64Key(testing::SeedSigner(90))}},
             "already the key of party \"mine\"");

  // A revoked party's key is not free either.
  h.Ok(kOperatorId, "revoke_party", {{"id", "aud"}, {"reason", "left the scheme"}});
  h.Rejected(kOperatorId, "register_party",
             reg("jp-magnets", testing::B64Key(testing::SeedSigner(12))),
             "pubkey is already the key of party \"aud\"");

  // The index: every key a party ever had, with the entry that gave it.
  auto holder = h.state().FindKeyHolder(testing::SeedSigner(10).public_key().raw());
  REQUIRE(holder.ok());
  REQUIRE(holder->has_value());
  CHECK((*holder)->party == "mine");
  CHECK((*holder)->since == 1);
  CHECK(h.Party("mine").KeyRetiredAt(testing::SeedSigner(10).public_key().raw()) ==
        std::optional<uint64_t>(rotated_at));
  auto none = h.state().FindKeyHolder(testing::SeedSigner(99).public_key().raw());
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("one register_party cannot claim a key twice through one batch of entries",
          "[state]") {
  // Two registrations decided one after the other against the same state:
  // the second sees the first's claim once it is committed.
  Harness h = Web();
  const std::string key = testing::B64Key(testing::SeedSigner(55));
  h.Ok(kOperatorId, "register_party",
       {{"id", "p1"}, {"name", "p1"}, {"country", "AU"}, {"roles", {"producer"}}, {"pubkey", key}});
  h.Rejected(kOperatorId, "register_party",
             {{"id", "p2"}, {"name", "p2"}, {"country", "AU"}, {"roles", {"producer"}},
              {"pubkey", key}},
             "already the key of party \"p1\"");
}

TEST_CASE("a revoked signer's entry names the revocation and its reason", "[state]") {
  Harness h = Web();
  const uint64_t at = h.next();
  h.Ok(kOperatorId, "revoke_party", {{"id", "mine"}, {"reason", "key compromised"}});
  CHECK(h.Party("mine").revoke_reason == "key compromised");
  const std::string want =
      "party \"mine\" was revoked at entry " + std::to_string(at) + ": key compromised";
  h.Rejected("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}}, want);
  Entry probe = testing::MustDecode(testing::UnsignedEnvelope(
      h.Payload("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}})));
  auto key = ExpectedSigningKey(h.state(), probe, h.next());
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.status().message(), Contains(want));
  // The record keeps the reason through the store encoding.
  auto decoded = DecodeParty(EncodeParty(h.Party("mine")));
  REQUIRE(decoded.ok());
  CHECK(decoded->revoke_reason == "key compromised");
}

TEST_CASE("ExplainBadSignature names a retired key or another party's key", "[state]") {
  Harness h = Web();
  const uint64_t rotated_at = h.next();
  h.Ok("mine", "rotate_key", {{"pubkey", testing::B64Key(testing::SeedSigner(90))}});
  std::vector<PartyRecord> parties;
  for (const auto& [id, p] : h.state().parties()) parties.push_back(p);
  json payload = h.Payload("mine", "transfer", {{"lot", "ore"}, {"to", "sep"}});
  // Signed with mine's retired key.
  Entry old = testing::MustDecode(testing::SignedEnvelope(payload, testing::SeedSigner(10)));
  CHECK_THAT(ExplainBadSignature(old, parties),
             Contains("the key was party mine's until entry " + std::to_string(rotated_at)));
  // Signed with sep's key.
  Entry other = testing::MustDecode(testing::SignedEnvelope(payload, testing::SeedSigner(11)));
  CHECK_THAT(ExplainBadSignature(other, parties),
             Contains("made with the key of party \"sep\", not of the signer \"mine\""));
  // Signed with a key nobody has: nothing to say.
  Entry stranger = testing::MustDecode(testing::SignedEnvelope(payload, testing::SeedSigner(99)));
  CHECK(ExplainBadSignature(stranger, parties).empty());
}

TEST_CASE("gln: optional, unique across parties, kept in the record", "[state]") {
  Harness h = Web();
  auto reg = [](const std::string& id, const std::string& gln, int seed) {
    return json{{"id", id}, {"name", id}, {"country", "DE"}, {"roles", {"manufacturer"}},
                {"pubkey", testing::B64Key(testing::SeedSigner(static_cast<uint8_t>(seed)))},
                {"gln", gln}};
  };
  const uint64_t at = h.next();
  h.Ok(kOperatorId, "register_party", reg("de-motor", "4012345000009", 60));
  CHECK(h.Party("de-motor").gln == std::optional<std::string>("4012345000009"));
  h.Rejected(kOperatorId, "register_party", reg("de-other", "4012345000009", 61),
             "gln 4012345000009 is already the GLN of party \"de-motor\" (since entry " +
                 std::to_string(at) + ")");
  h.Ok(kOperatorId, "register_party", reg("de-other", "0614141000005", 61));
  auto decoded = DecodeParty(EncodeParty(h.Party("de-motor")));
  REQUIRE(decoded.ok());
  CHECK(decoded->gln == std::optional<std::string>("4012345000009"));
  CHECK(PartyJson(h.Party("de-motor"))["gln"] == "4012345000009");
  CHECK(PartyJson(h.Party("mine"))["gln"].is_null());
}

TEST_CASE("split parts carry their exact share of the parent's elements", "[state]") {
  Harness h;
  h.Register("cn-sep", {"producer"});
  json ox = CreateLotFields("DYOX", 1000000, 35000000, "CN", "re_oxide");
  ox["elements"] = {{"Dy", 871000}};
  h.Ok("cn-sep", "create_lot", ox);
  h.Ok("cn-sep", "split", {{"lot", "DYOX"}, {"parts", {LotMassJson("DYOX-A", 200000),
                                                       LotMassJson("DYOX-B", 333)}}});
  LotRecord a = h.Lot("DYOX-A");
  CHECK(a.elements_basis_g == 1000000);
  json aj = LotJson(a);
  CHECK(aj["elements"]["Dy"] == 174200);  // not 871000
  json bj = LotJson(h.Lot("DYOX-B"));
  CHECK(bj["elements"]["Dy"] == "290043/1000");  // 871000 x 333 / 1000000, exact
  // The parent keeps its declaration for its mass; what remains is shown too.
  json pj = LotJson(h.Lot("DYOX"));
  CHECK(pj["elements"]["Dy"] == 871000);
  CHECK(pj["elements_remaining"]["Dy"] == "696509957/1000");  // 871000 x 799667 / 10^6
  CHECK(h.Lot("DYOX").split_parts == std::vector<std::string>{"DYOX-A", "DYOX-B"});
  // A part of a part: still the share of the first declaration.
  h.Ok("cn-sep", "split", {{"lot", "DYOX-A"}, {"parts", {LotMassJson("DYOX-A1", 1000)}}});
  CHECK(LotJson(h.Lot("DYOX-A1"))["elements"]["Dy"] == 871);
  // The record survives the store encoding with its basis.
  auto decoded = DecodeLot(EncodeLot(h.Lot("DYOX-A1")));
  REQUIRE(decoded.ok());
  CHECK(decoded->elements_basis_g == 1000000);
  CHECK(LotJson(*decoded)["elements"]["Dy"] == 871);
}

// A ledger with a CN separator's oxide, split by a trader, for corrections.
Harness CorrectionWeb() {
  Harness h;
  h.Register("cn-sep", {"producer"});
  h.Register("trader", {"processor"});
  json ox = CreateLotFields("DYOX", 1000, 35000, "CN", "re_magnet");
  ox["elements"] = {{"Dy", 800}};
  h.Ok("cn-sep", "create_lot", ox);
  h.Ok("cn-sep", "transfer", {{"lot", "DYOX"}, {"to", "trader"}});
  h.Ok("trader", "split", {{"lot", "DYOX"}, {"parts", {LotMassJson("DYOX-A", 250)}}});
  return h;
}

TEST_CASE("correct_lot: only the creator, never a no-op, elements within the mass", "[state]") {
  Harness h = CorrectionWeb();
  json fix = {{"lot", "DYOX"}, {"corrections", {{"category", "re_oxide"}}}, {"reason", "typo"}};
  h.Rejected("trader", "correct_lot", fix, "only the creator (cn-sep) may correct lot \"DYOX\"");
  h.Rejected("cn-sep", "correct_lot",
             {{"lot", "NOPE"}, {"corrections", {{"hs", "2846"}}}, {"reason", "x"}},
             "correction of unknown lot \"NOPE\"");
  h.Rejected("cn-sep", "correct_lot",
             {{"lot", "DYOX"}, {"corrections", {{"category", "re_magnet"}}}, {"reason", "x"}},
             "changes nothing");
  h.Rejected("cn-sep", "correct_lot",
             {{"lot", "DYOX"}, {"corrections", {{"elements", {{"Dy", 1001}}}}}, {"reason", "x"}},
             "element grams 1001 exceed the mass of lot \"DYOX\" (1000 g)");
  // The trader created the part: it may correct that one.
  h.Ok("trader", "correct_lot",
       {{"lot", "DYOX-A"}, {"corrections", {{"hs", "284690"}}}, {"reason", "customs"}});
  CHECK(h.Lot("DYOX-A").hs == std::optional<std::string>("284690"));
  CHECK_FALSE(h.Lot("DYOX").hs.has_value());
}

TEST_CASE("correct_lot changes the lot and its split parts, keeping the original", "[state]") {
  Harness h = CorrectionWeb();
  const LotRecord before = h.Lot("DYOX");
  const uint64_t at = h.next();
  h.Ok("cn-sep", "correct_lot",
       {{"lot", "DYOX"},
        {"corrections", {{"category", "re_oxide"}, {"elements", {{"Dy", 700}, {"Tb", 10}}}}},
        {"reason", "assay"}});
  LotRecord lot = h.Lot("DYOX");
  CHECK(lot.category == "re_oxide");
  CHECK(lot.elements == std::optional<Elements>(Elements{{"Dy", 700}, {"Tb", 10}}));
  CHECK(lot.mass_g == before.mass_g);
  CHECK(lot.remaining_g == before.remaining_g);
  CHECK(lot.made_in == "CN");
  REQUIRE(lot.corrections.size() == 1);
  CHECK(lot.corrections[0].index == at);
  CHECK(lot.corrections[0].lot == "DYOX");
  CHECK(lot.corrections[0].reason == "assay");
  REQUIRE(lot.corrections[0].changes.size() == 2);
  CHECK(lot.corrections[0].changes[0].field == "category");
  CHECK(lot.corrections[0].changes[0].before == "re_magnet");
  CHECK(lot.corrections[0].changes[0].after == "re_oxide");
  REQUIRE(lot.original.has_value());
  CHECK(lot.original->category == "re_magnet");
  CHECK(lot.Uncorrected().category == "re_magnet");
  CHECK(lot.Uncorrected().elements == before.elements);

  // The split part (made before the correction) takes it, scaled.
  LotRecord part = h.Lot("DYOX-A");
  CHECK(part.category == "re_oxide");
  CHECK(LotJson(part)["elements"]["Dy"] == 175);  // 700 x 250 / 1000
  CHECK(LotJson(part)["elements"]["Tb"] == "5/2");
  REQUIRE(part.corrections.size() == 1);
  CHECK(part.corrections[0].lot == "DYOX");
  // The part's record of the change is in its own grams.
  REQUIRE(part.corrections[0].changes.size() == 2);
  CHECK(part.corrections[0].changes[1].before == json({{"Dy", 200}}));
  CHECK(part.corrections[0].changes[1].after == json({{"Dy", 175}, {"Tb", "5/2"}}));
  CHECK(part.Uncorrected().category == "re_magnet");
  CHECK(LotJson(part)["uncorrected"]["elements"]["Dy"] == 200);

  // A part split off after the correction inherits the corrected fields
  // and the history.
  h.Ok("trader", "split", {{"lot", "DYOX"}, {"parts", {LotMassJson("DYOX-B", 100)}}});
  LotRecord late = h.Lot("DYOX-B");
  CHECK(late.category == "re_oxide");
  CHECK(late.corrections.size() == 1);
  CHECK(late.Uncorrected().category == "re_magnet");

  // Round trip through the store encoding.
  auto decoded = DecodeLot(EncodeLot(part));
  REQUIRE(decoded.ok());
  CHECK(EncodeLot(*decoded) == EncodeLot(part));
  CHECK(LotJson(*decoded)["corrections"][0]["entry"] == at);
}

json LicenceFields(const std::string& id, const std::string& licensee) {
  return {{"licence", id},         {"authority", "MOFCOM"},  {"policy", "CN-MOFCOM-2025-18"},
          {"licensee", licensee},  {"kind", "individual"},
          {"valid", {{"from", "2026-01-01"}, {"to", "2027-01-01"}}}};
}

TEST_CASE("licence: issued by a regulator or declared by the licensee with its document",
          "[state][licence]") {
  Harness h = Web();
  h.Register("mofcom", {"regulator"});
  const uint64_t at = h.next();
  h.Ok("mofcom", "licence", LicenceFields("L-1", "mine"));
  CHECK(h.Party("mofcom").issued_licences.at(0).licence == "L-1");
  CHECK(h.Party("mine").held_licences.at(0).issuer == "mofcom");
  CHECK(h.Party("mine").held_licences.at(0).index == at);
  h.Rejected("mofcom", "licence", LicenceFields("L-1", "sep"),
             "licence \"L-1\" was already recorded by mofcom at entry " + std::to_string(at));
  h.Rejected("mofcom", "licence", LicenceFields("L-2", "nobody"),
             "licensee \"nobody\" is not registered");
  // Not a regulator: only its own licence, and only with the document hash.
  h.Rejected("sep", "licence", LicenceFields("L-3", "mine"),
             "only a regulator issues a licence for another party (sep is not a regulator, and "
             "the licensee is mine)");
  h.Rejected("sep", "licence", LicenceFields("L-3", "sep"),
             "a declared licence (signed by its licensee sep, not a regulator) needs "
             "document_sha256");
  json declared = LicenceFields("L-3", "sep");
  declared["document_sha256"] = std::string(64, 'a');
  h.Ok("sep", "licence", declared);
  const PartyRecord sep = h.Party("sep");
  CHECK(sep.issued_licences.size() == 1);
  CHECK(sep.held_licences.size() == 1);
  CHECK(sep.last_seq == 1);
  auto round = DecodeParty(EncodeParty(sep));
  REQUIRE(round.ok());
  CHECK(EncodeParty(*round) == EncodeParty(sep));
  CHECK(PartyJson(sep)["held_licences"][0]["licence"] == "L-3");
}

TEST_CASE("revoke_licence: only by its signer, once, dated by its entry", "[state][licence]") {
  Harness h = Web();
  h.Register("mofcom", {"regulator"});
  h.Register("other-reg", {"regulator"});
  h.Ok("mofcom", "licence", LicenceFields("L-1", "mine"));
  const json revoke = {{"licence", "L-1"}, {"reason", "end user changed"}};
  h.Rejected("other-reg", "revoke_licence", revoke,
             "other-reg recorded no licence \"L-1\" (only the party that signed a licence "
             "revokes it)");
  h.Rejected("mine", "revoke_licence", revoke, "mine recorded no licence \"L-1\"");
  const uint64_t at = h.next();
  h.Ok("mofcom", "revoke_licence", revoke);
  const IssuedLicence l = h.Party("mofcom").issued_licences.at(0);
  REQUIRE(l.revoked_at);
  CHECK(*l.revoked_at == at);
  CHECK(l.revoked_on == "2026-01-31");  // the date of the entry's time
  CHECK(l.revoke_reason == "end user changed");
  h.Rejected("mofcom", "revoke_licence", revoke,
             "licence \"L-1\" is already revoked (entry " + std::to_string(at) + ")");
}

}  // namespace
}  // namespace rareledger::ledger
