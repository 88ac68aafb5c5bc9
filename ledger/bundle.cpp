// The offline audit bundle (docs/auditing.md):
//   DIR/entries.jsonl   each leaf's exact bytes, one a line, in log order
//   DIR/checkpoint      the latest signed checkpoint
//   DIR/checkpoints/N   every checkpoint ever issued, in issue order
//   DIR/operator.pub    the operator key of entry 0 (the trust anchor)
//   DIR/keys/P.pub      every key party P ever had: P.pub is the first,
//                       P@2.pub, P@3.pub ... the rotated ones, in log order
//                       ('@' never occurs in a party id, so names never clash)
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/proof_check.h"
#include "ledger/replay.h"

namespace rareledger::ledger {
namespace {

namespace fs = std::filesystem;

Status WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::Ok();
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

// Key file names for every (party, key) in log order.
std::vector<std::pair<std::string, std::string>> KeyFiles(
    const std::vector<std::pair<std::string, std::string>>& keys) {
  std::map<std::string, int> count;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [party, raw] : keys) {
    int n = ++count[party];
    out.emplace_back(n == 1 ? party + ".pub" : party + "@" + std::to_string(n) + ".pub", raw);
  }
  return out;
}

}  // namespace

Status Ledger::Export(const std::string& dir,
                      const std::function<void(uint64_t, uint64_t)>& progress) const {
  fs::path root(dir);
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return Status::InvalidArgument("export directory " + dir + " exists and is not empty");
  RL_ASSIGN_OR_RETURN(auto notes, store_->Checkpoints());
  if (notes.empty())
    return Status::InvalidArgument("no checkpoint yet: run `rareledger checkpoint` first");
  fs::create_directories(root / "keys", ec);
  fs::create_directories(root / "checkpoints", ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());

  std::ofstream entries(root / "entries.jsonl", std::ios::binary | std::ios::trunc);
  std::vector<std::pair<std::string, std::string>> keys;
  RL_RETURN_IF_ERROR(store_->ScanEntries(0, store_->frontier().size(),
                                         [&](uint64_t index, std::string_view leaf) -> Status {
    if (progress && index % 4096 == 0) progress(index, store_->frontier().size());
    entries.write(leaf.data(), static_cast<std::streamsize>(leaf.size()));
    entries.put('\n');
    if (leaf.find("\"type\":\"register_party\"") != std::string_view::npos ||
        leaf.find("\"type\":\"rotate_key\"") != std::string_view::npos) {
      RL_ASSIGN_OR_RETURN(Entry e, DecodeLeaf(leaf));
      if (const auto* r = std::get_if<RegisterParty>(&e.body)) keys.emplace_back(r->id, r->pubkey);
      if (const auto* r = std::get_if<RotateKey>(&e.body)) keys.emplace_back(e.party, r->pubkey);
    }
    if (!entries) return Status::IOError("cannot write entries.jsonl at entry " + std::to_string(index));
    return Status::Ok();
  }));
  entries.close();
  if (!entries) return Status::IOError("cannot write entries.jsonl");
  for (const auto& [name, raw] : KeyFiles(keys)) {
    RL_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromRaw(raw));
    RL_RETURN_IF_ERROR(WriteFile(root / "keys" / name, key.ToPem()));
  }
  RL_ASSIGN_OR_RETURN(PublicKey op, PublicKey::FromRaw(keys.front().second));
  RL_RETURN_IF_ERROR(WriteFile(root / "operator.pub", op.ToPem()));
  for (size_t n = 0; n < notes.size(); ++n)
    RL_RETURN_IF_ERROR(WriteFile(root / "checkpoints" / std::to_string(n), notes[n]));
  RL_RETURN_IF_ERROR(WriteFile(root / "currency", store_->currency() + "\n"));
  return WriteFile(root / "checkpoint", notes.back());
}

namespace {

// The names of the regular files in `dir` (none when it does not exist).
std::set<std::string> FileNames(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.insert(it->path().filename().string());
  return out;
}

// Every checkpoint of the bundle in issue order: checkpoints/0, 1, ... and
// nothing else in that directory; the latest `checkpoint` last.
Result<std::vector<std::string>> BundleCheckpoints(const fs::path& root, const std::string& latest) {
  std::vector<std::string> notes;
  for (size_t n = 0;; ++n) {
    auto note = ReadFile(root / "checkpoints" / std::to_string(n));
    if (!note.ok()) break;
    notes.push_back(std::move(note).value());
  }
  for (const std::string& name : FileNames(root / "checkpoints")) {
    bool in_sequence = false;
    for (size_t n = 0; n < notes.size() && !in_sequence; ++n) in_sequence = name == std::to_string(n);
    if (!in_sequence)
      return Status::VerificationFailed("checkpoints/" + name + " is not one of checkpoints/0.." +
                                        std::to_string(notes.size()) + " (a gap, or a stray file)");
  }
  if (notes.empty() || notes.back() != latest) notes.push_back(latest);
  return notes;
}

// The operator key entry 0 registers, when the first line decodes (the
// replay reports it otherwise).
std::optional<std::string> GenesisKey(const fs::path& entries) {
  std::ifstream in(entries, std::ios::binary);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  auto e = DecodeLeaf(line);
  if (!e.ok()) return std::nullopt;
  const auto* r = std::get_if<RegisterParty>(&e->body);
  if (r == nullptr) return std::nullopt;
  return r->pubkey;
}

// With a pinned key: entry 0 and operator.pub must both be it.
Status CheckPinned(const fs::path& root, const std::string& operator_pub, const std::string& pinned) {
  const std::string want = "the pinned operator key (sha256 " + KeyFingerprint(pinned) + ")";
  if (auto genesis = GenesisKey(root / "entries.jsonl"); genesis && *genesis != pinned)
    return Status::VerificationFailed("entry 0 registers operator key sha256 " +
                                      KeyFingerprint(*genesis) + ", not " + want);
  if (operator_pub != pinned)
    return Status::VerificationFailed("operator.pub holds key sha256 " +
                                      KeyFingerprint(operator_pub) + ", not " + want);
  return Status::Ok();
}

// keys/ must hold exactly the keys the log introduced.
Status CheckKeyFiles(const fs::path& root, const std::vector<std::pair<std::string, std::string>>& keys) {
  std::set<std::string> expected;
  for (const auto& [name, raw] : KeyFiles(keys)) {
    expected.insert(name);
    auto pem = ReadFile(root / "keys" / name);
    if (!pem.ok()) return Status::VerificationFailed("keys/" + name + " is missing");
    auto key = PublicKey::FromPem(*pem);
    if (!key.ok() || key->raw() != raw)
      return Status::VerificationFailed("keys/" + name + " does not match the key in the log");
  }
  for (const std::string& name : FileNames(root / "keys"))
    if (expected.count(name) == 0)
      return Status::VerificationFailed("keys/" + name + " is not a key the log introduced");
  return Status::Ok();
}

// Verifies the bundle at `dir`, calling `on_leaf` with each leaf's bytes in
// log order and `at_end` with the finished replay and the latest note (both
// may be null).
Result<VerifyReport> ReplayBundle(
    const std::string& dir, const VerifyOptions& options,
    const std::optional<std::string>& trusted_operator_key,
    const std::function<Status(const std::string&)>& on_leaf,
    const std::function<void(const Replayer&, const std::string&)>& at_end) {
  fs::path root(dir);
  RL_ASSIGN_OR_RETURN(std::string op_pem, ReadFile(root / "operator.pub"));
  RL_ASSIGN_OR_RETURN(PublicKey op, PublicKey::FromPem(op_pem));
  if (trusted_operator_key)
    RL_RETURN_IF_ERROR(CheckPinned(root, op.raw(), *trusted_operator_key));
  RL_ASSIGN_OR_RETURN(std::string latest, ReadFile(root / "checkpoint"));
  auto parsed = ParseCheckpoint(latest);
  if (!parsed.ok()) return Status::VerificationFailed("checkpoint: " + parsed.status().message());
  const Checkpoint latest_cp = *parsed;
  RL_ASSIGN_OR_RETURN(std::vector<std::string> notes, BundleCheckpoints(root, latest));

  Replayer replay(latest_cp.origin, op.raw(), {options.chunk_entries, options.threads});
  RL_RETURN_IF_ERROR(replay.AddCheckpoints(notes));
  std::ifstream in(root / "entries.jsonl", std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + (root / "entries.jsonl").string());
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty())
      return Status::VerificationFailed("entries.jsonl: empty line " + std::to_string(n + 1));
    if (on_leaf) RL_RETURN_IF_ERROR(on_leaf(line));
    RL_RETURN_IF_ERROR(replay.Add(std::move(line)));
    ++n;
  }
  RL_RETURN_IF_ERROR(replay.Finish());
  RL_RETURN_IF_ERROR(CheckKeyFiles(root, replay.keys()));
  VerifyReport report;
  report.entries = replay.size();
  report.checkpoints = replay.checkpoints_checked();
  report.uncovered = replay.size() - latest_cp.size;
  report.root = replay.frontier().Root();
  report.latest_note = latest;
  report.operator_key = op.raw();
  if (at_end) at_end(replay, latest);
  return report;
}

}  // namespace

Result<VerifyReport> VerifyBundle(const std::string& dir, const VerifyOptions& options,
                                  const std::optional<std::string>& trusted_operator_key) {
  return ReplayBundle(dir, options, trusted_operator_key, nullptr, nullptr);
}

Result<LoadedBundle> LoadBundle(const std::string& dir) {
  LoadedBundle b;
  auto keep = [&](const std::string& leaf) -> Status {
    RL_ASSIGN_OR_RETURN(Entry e, DecodeLeaf(leaf));
    b.entries.push_back(std::move(e));
    return Status::Ok();
  };
  auto finish = [&](const Replayer& replay, const std::string& note) {
    b.state = replay.state();
    b.checkpoint_note = note;
  };
  RL_ASSIGN_OR_RETURN(b.report, ReplayBundle(dir, {}, std::nullopt, keep, finish));
  RL_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(b.checkpoint_note));
  b.ledger_id = cp.origin;
  b.checkpoint_size = cp.size;
  if (auto currency = ReadFile(fs::path(dir) / "currency"); currency.ok()) {
    std::string c = *currency;
    while (!c.empty() && (c.back() == '\n' || c.back() == '\r')) c.pop_back();
    b.currency = c;
  }
  return b;
}

}  // namespace rareledger::ledger
