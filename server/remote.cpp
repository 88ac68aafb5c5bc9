#include "server/remote.h"

#include <cstring>

#include "ledger/replay.h"
#include "ledger/tiles.h"

namespace rareledger::server {

using ledger::Checkpoint;
using ledger::Result;
using ledger::Status;
using ledger::TileId;

namespace {

// Fetches one tile's bytes; 404 and other statuses are errors naming it.
Result<std::string> FetchTile(HttpClient& client, const TileId& tile) {
  const std::string path = "/" + ledger::TilePath(tile);
  RL_ASSIGN_OR_RETURN(HttpResponse r, client.Get(path));
  if (r.status != 200) return HttpError("GET " + path, r);
  return std::move(r.body);
}

}  // namespace

Result<SignedCheckpoint> FetchCheckpoint(HttpClient& client, const RemoteTrust& trust) {
  RL_ASSIGN_OR_RETURN(HttpResponse r, client.Get("/checkpoint"));
  if (r.status != 200) return HttpError("GET /checkpoint", r);
  SignedCheckpoint out;
  out.note = std::move(r.body);
  auto parsed = ledger::ParseCheckpoint(out.note);
  if (!parsed.ok())
    return Status::VerificationFailed("GET /checkpoint: " + parsed.status().message());
  const std::string name = trust.key_name.empty() ? parsed->origin : trust.key_name;
  RL_ASSIGN_OR_RETURN(out.cp, ledger::VerifyCheckpoint(out.note, parsed->origin, name, trust.key));
  return out;
}

Status FetchLeaves(HttpClient& client, uint64_t from, uint64_t to, uint64_t size,
                   const std::function<Status(uint64_t, std::string)>& fn) {
  for (uint64_t n = from / ledger::kTileWidth; n * ledger::kTileWidth < to; ++n) {
    const uint64_t first = n * ledger::kTileWidth;
    const unsigned width =
        static_cast<unsigned>(std::min<uint64_t>(ledger::kTileWidth, size - first));
    const TileId tile{true, 0, n, width};
    RL_ASSIGN_OR_RETURN(std::string bytes, FetchTile(client, tile));
    auto leaves = ledger::DecodeEntryBundle(bytes, width);
    if (!leaves.ok()) return leaves.status().WithContext(ledger::TilePath(tile));
    for (unsigned i = 0; i < width; ++i) {
      const uint64_t index = first + i;
      if (index < from || index >= to) continue;
      RL_RETURN_IF_ERROR(fn(index, std::move((*leaves)[i])));
    }
  }
  return Status::Ok();
}

Result<ledger::VerifyReport> VerifyServer(const std::string& url, const RemoteTrust& trust,
                                          const ledger::VerifyOptions& options) {
  // One connection for bundles (this thread), one for hash tiles (the
  // replay's completion thread, through the node check).
  RL_ASSIGN_OR_RETURN(auto bundles, HttpClient::Create(url));
  RL_ASSIGN_OR_RETURN(auto tiles, HttpClient::Create(url));
  RL_ASSIGN_OR_RETURN(SignedCheckpoint latest, FetchCheckpoint(*bundles, trust));
  const Checkpoint& cp = latest.cp;
  ledger::Replayer replay(cp.origin, trust.key.raw(), {options.chunk_entries, options.threads});
  RL_RETURN_IF_ERROR(replay.AddCheckpoints({latest.note}));
  ledger::TileNodeReader reader(cp.size, [&](const TileId& t) { return FetchTile(*tiles, t); });
  // Every node at a tile level must be the served tile's hash.
  replay.SetNodeCheck([&](const std::vector<std::pair<ledger::NodeId, ledger::Hash>>& nodes) {
    for (const auto& [id, hash] : nodes) {
      if (id.level % ledger::kTileHeight != 0) continue;
      const auto level = static_cast<uint8_t>(id.level / ledger::kTileHeight);
      RL_ASSIGN_OR_RETURN(const std::string* tile, reader.Tile(level, id.index / ledger::kTileWidth));
      const size_t at = (id.index % ledger::kTileWidth) * 32;
      if (tile->size() < at + 32 || std::memcmp(tile->data() + at, hash.data(), 32) != 0)
        return Status::VerificationFailed("served hash tile " +
                                          ledger::TilePath({false, level, id.index / 256, 256}) +
                                          " does not match the tree of the entries at " +
                                          ledger::ToString(id));
    }
    return Status::Ok();
  });
  RL_RETURN_IF_ERROR(FetchLeaves(*bundles, 0, cp.size, cp.size, [&](uint64_t, std::string leaf) {
    return replay.Add(std::move(leaf));
  }));
  RL_RETURN_IF_ERROR(replay.Finish());
  ledger::VerifyReport report;
  report.entries = replay.size();
  report.checkpoints = replay.checkpoints_checked();
  report.uncovered = 0;
  report.root = replay.frontier().Root();
  report.operator_key = trust.key.raw();
  report.latest_note = latest.note;
  return report;
}

Result<MirrorRound> MirrorOnce(ledger::Ledger& replica, HttpClient& client,
                               const RemoteTrust& trust, std::optional<Inconsistency>* evidence,
                               const std::function<Status(const std::string&)>& accept) {
  RL_ASSIGN_OR_RETURN(SignedCheckpoint offered, FetchCheckpoint(client, trust));
  if (accept) RL_RETURN_IF_ERROR(accept(offered.note).WithContext("the server's checkpoint"));
  const ledger::LedgerInfo local = replica.Info();
  RL_ASSIGN_OR_RETURN(std::vector<std::string> notes, replica.Checkpoints());
  const std::string accepted = notes.empty() ? "" : notes.back();
  auto inconsistent = [&](const std::string& why) -> Status {
    *evidence = Inconsistency{accepted, offered.note, why};
    return Status::VerificationFailed("the server's checkpoint (size " +
                                      std::to_string(offered.cp.size) +
                                      ") is inconsistent with this mirror: " + why);
  };
  if (offered.cp.origin != local.ledger_id)
    return Status::VerificationFailed("the server's log is " + offered.cp.origin +
                                      ", this mirror's " + local.ledger_id);
  if (offered.cp.size < local.size)
    return inconsistent("its size is below the " + std::to_string(local.size) +
                        " entries this mirror holds");
  if (offered.cp.size == local.size) {
    if (offered.cp.root != local.root) return inconsistent("a different root at the same size");
    RL_RETURN_IF_ERROR(replica.RecordCheckpoint(offered.note));
    return MirrorRound{local.size, 0};
  }
  std::vector<std::string> leaves;
  RL_RETURN_IF_ERROR(FetchLeaves(client, local.size, offered.cp.size, offered.cp.size,
                                 [&](uint64_t, std::string leaf) {
                                   leaves.push_back(std::move(leaf));
                                   return Status::Ok();
                                 }));
  if (replica.RootWith(leaves) != offered.cp.root) {
    // Either the old history differs (evidence), or only the bundles lie.
    ledger::TileNodeReader reader(offered.cp.size, [&](const TileId& t) -> Result<std::string> {
      RL_ASSIGN_OR_RETURN(HttpResponse r, client.Get("/" + ledger::TilePath(t)));
      if (r.status != 200) return HttpError("GET /" + ledger::TilePath(t), r);
      return std::move(r.body);
    });
    auto proof = ledger::ConsistencyProof(reader, local.size, offered.cp.size);
    if (!proof.ok() || !ledger::VerifyConsistency(local.size, offered.cp.size, local.root,
                                                  offered.cp.root, *proof)
                            .ok())
      return inconsistent("no consistency proof from size " + std::to_string(local.size) +
                          " holds in its tiles");
    return Status::VerificationFailed("the server's entry bundles do not give the root its "
                                      "checkpoint signs (size " +
                                      std::to_string(offered.cp.size) + ")");
  }
  size_t next = 0;
  ledger::SubmitReport report = replica.Submit(
      [&](std::string* line) {
        if (next == leaves.size()) return false;
        *line = leaves[next++];
        return true;
      },
      nullptr);
  RL_RETURN_IF_ERROR(report.error.WithContext("replaying the server's entries"));
  if (report.duplicates != 0 || replica.Info().root != offered.cp.root)
    return Status::Corruption("the replica's root after the server's entries is not the signed one");
  RL_RETURN_IF_ERROR(replica.RecordCheckpoint(offered.note));
  return MirrorRound{offered.cp.size, report.appended};
}

}  // namespace rareledger::server
