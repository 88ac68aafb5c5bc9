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

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
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
  return WriteFile(root / "checkpoint", notes.back());
}

Result<VerifyReport> VerifyBundle(const std::string& dir, const VerifyOptions& options) {
  fs::path root(dir);
  RL_ASSIGN_OR_RETURN(std::string op_pem, ReadFile(root / "operator.pub"));
  RL_ASSIGN_OR_RETURN(PublicKey op, PublicKey::FromPem(op_pem));
  RL_ASSIGN_OR_RETURN(std::string latest, ReadFile(root / "checkpoint"));
  auto parsed = ParseCheckpoint(latest);
  if (!parsed.ok()) return Status::VerificationFailed("checkpoint: " + parsed.status().message());
  const Checkpoint latest_cp = *parsed;
  // Earlier checkpoints, when the bundle has them; the latest is always checked.
  std::vector<std::string> notes;
  for (size_t n = 0;; ++n) {
    auto note = ReadFile(root / "checkpoints" / std::to_string(n));
    if (!note.ok()) break;
    notes.push_back(std::move(note).value());
  }
  if (notes.empty() || notes.back() != latest) notes.push_back(latest);

  Replayer replay(latest_cp.origin, op.raw(), {options.chunk_entries, options.threads});
  RL_RETURN_IF_ERROR(replay.AddCheckpoints(notes));
  std::ifstream in(root / "entries.jsonl", std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + (root / "entries.jsonl").string());
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty())
      return Status::VerificationFailed("entries.jsonl: empty line " + std::to_string(n + 1));
    RL_RETURN_IF_ERROR(replay.Add(std::move(line)));
    ++n;
  }
  RL_RETURN_IF_ERROR(replay.Finish());
  // The key files must be exactly the keys the log introduced.
  for (const auto& [name, raw] : KeyFiles(replay.keys())) {
    auto pem = ReadFile(root / "keys" / name);
    if (!pem.ok()) return Status::VerificationFailed("keys/" + name + " is missing");
    auto key = PublicKey::FromPem(*pem);
    if (!key.ok() || key->raw() != raw)
      return Status::VerificationFailed("keys/" + name + " does not match the key in the log");
  }
  VerifyReport report;
  report.entries = replay.size();
  report.checkpoints = replay.checkpoints_checked();
  report.uncovered = replay.size() - latest_cp.size;
  report.root = replay.frontier().Root();
  return report;
}

}  // namespace rareledger::ledger
