// The rareledger command line: option structs and one handler per
// subcommand. Handlers hold no business logic: they call the ledger and
// graph libraries and format what comes back. Each returns the exit code.
//
// The command table (main.cpp) names each command, its help, the ledger
// access it needs and its handler; it opens the ledger before the handler
// runs (Context::ledger) and closes it after, on every path.
#ifndef RARELEDGER_CLI_CLI_H_
#define RARELEDGER_CLI_CLI_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"

namespace rareledger::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // rejected, or failed verification
inline constexpr int kExitUsage = 2;

struct Globals {
  std::string db;     // ledger directory
  bool json = false;  // machine-readable output on read commands
  bool quiet = false;
  double wait_seconds = 0;  // writers: how long to wait for the ledger's lock
  std::string server;       // --server URL: a rareledger server instead of --db
  // Verifiers: the checkpoint must carry `witness_quorum` valid
  // cosignatures from these witness keys (none: no requirement).
  std::vector<std::string> witness_vkeys;
  size_t witness_quorum = 0;  // 0 with keys given: all of them
};

// What the table opens for a command before its handler runs.
enum class Access { kNone, kRead, kWrite };

struct Context {
  Globals g;
  std::unique_ptr<ledger::Ledger> opened;  // set by the table for kRead/kWrite
  ledger::Ledger& ledger() { return *opened; }
  // Opens g.db now (for handlers whose access depends on their options).
  // Writers wait up to g.wait_seconds for another writer to finish.
  ledger::Status Open(Access access);
};

// Prints "rareledger: <code>: <message>" on stderr, returns kExitFailure.
int Fail(const ledger::Status& status);
// Prints "rareledger: <message>" on stderr, returns kExitUsage.
int UsageError(const std::string& message);
// Prints "rareledger: warning: <message>" on stderr.
void Warn(const std::string& message);
// A progress line on stderr ("\rverify: 40960/1000000 entries"), drawn at
// most a few times a second and only when stderr is a terminal and not quiet.
class Progress {
 public:
  Progress(const char* what, bool quiet);
  ~Progress() { Finish(); }
  void Update(uint64_t done, uint64_t total);
  // Ends the line if one was drawn (before printing anything else).
  void Finish();

 private:
  const char* what_;
  bool enabled_;
  bool drawn_ = false;
  int64_t last_ms_ = 0;
};

// "--flag" seconds as decimal text ("2", "0.25", at most 3 decimals, > 0)
// in milliseconds; InvalidArgument naming the flag otherwise.
ledger::Result<int64_t> ParseSeconds(const std::string& flag, const std::string& text);
// Reads FILE, or standard input for "-" or "".
ledger::Result<std::string> ReadInput(const std::string& path);
// Writes `bytes` to PATH.tmp and renames it over `path`: a reader sees the
// old file or the whole new one.
ledger::Status WriteFileAtomically(const std::string& path, const std::string& bytes);
// A private key file, with a warning on stderr when others can read it.
ledger::Result<ledger::Signer> LoadSigner(const std::string& path);
// The directory of the shipped policies: $RARELEDGER_POLICIES, else
// ../share/rareledger/policies beside the binary (an installed tree), else
// the source tree this binary was built from. NotFound when none exists.
ledger::Result<std::string> PolicyDir();
// A --policy argument: a policy file's path, or the name of a shipped policy
// ("cn-mofcom-2025-61", its id "CN-MOFCOM-2025-61", or the file name) found
// in PolicyDir(). NotFound lists the shipped ones.
ledger::Result<std::string> ResolvePolicyFile(const std::string& arg);

struct InitOptions {
  std::string ledger_id, operator_key, currency = "USD", country = "ZZ";
};
int CmdInit(Context& c, const InitOptions& o);
int CmdStatus(Context& c);
int CmdKeygen(const std::string& out);
struct SignOptions {
  std::string key, input = "-", party, time;
};
int CmdSign(Context& c, const SignOptions& o);
int CmdSubmit(Context& c, const std::string& input);

int CmdShowLot(Context& c, const std::string& lot);
int CmdShowEntry(Context& c, uint64_t index);
int CmdShowParty(Context& c, const std::string& party);
int CmdPartyList(Context& c);
struct LotListOptions {
  std::string holder, category;
};
int CmdLotList(Context& c, const LotListOptions& o);
int CmdLog(Context& c, uint64_t from, std::optional<uint64_t> limit);

struct CheckpointOptions {
  std::string operator_key;
  bool list = false;
  bool vkey = false;  // print the operator's verifier key (CmdCheckpointVkey)
};
int CmdCheckpoint(Context& c, const CheckpointOptions& o);
int CmdProveInclusion(Context& c, uint64_t index, std::optional<uint64_t> size);
int CmdProveConsistency(Context& c, uint64_t old_size, std::optional<uint64_t> new_size);
int CmdExport(Context& c, const std::string& dir);

// cmd_verify.cpp: what a regulator runs. verify and verify-bundle print one
// JSON object {ok, entries, checkpoints, uncovered, root, error} with
// g.json, also on failure (exit 1). verify opens the ledger itself (table
// access kNone) so that a ledger that does not open is a JSON failure too.
int CmdVerify(Context& c);
// The one JSON object of verify --json (and verify-bundle, verify --server),
// on success and on failure alike; `pinned` (the raw key, or "" for none
// pinned) adds operator_key_pinned. Returns the exit code.
int PrintVerifyJson(const ledger::Result<ledger::VerifyReport>& r,
                    const std::optional<std::string>& pinned);
struct VerifyBundleOptions {
  std::string dir;
  std::string operator_key;  // PEM public key to pin; empty: trust operator.pub
};
int CmdVerifyBundle(Context& c, const VerifyBundleOptions& o);
// `checkpoint --vkey`: the operator's current key as a note verifier key.
int CmdCheckpointVkey(Context& c);
struct VerifyProofOptions {
  std::string proof;           // PROOF.json, or - for stdin
  std::string checkpoint;      // the (new) checkpoint note file
  std::string old_checkpoint;  // consistency only
  std::string vkey;            // a verifier key, or a file holding one
  std::string entry;           // inclusion: the entry's envelope file, or
  std::string leaf_hash;       //   its leaf hash in hex
  std::optional<uint64_t> index;
};
int CmdVerifyProofInclusion(const Globals& g, const VerifyProofOptions& o);
int CmdVerifyProofConsistency(const Globals& g, const VerifyProofOptions& o);

// Shortcuts: build a payload, sign it with `key`, submit it (or print it).
struct Signing {
  std::string key;    // PEM private key file
  std::string party;  // signer id; default: the party whose current key it is
  std::string time;   // default: now
  bool print = false;  // print the signed envelope, submit nothing
};
struct PartyAddOptions {
  std::string id, name, country, pubkey;  // pubkey: PEM file or base64
  std::vector<std::string> roles;
  std::string gln;  // optional GS1 GLN
};
int CmdPartyAdd(Context& c, const Signing& s, const PartyAddOptions& o);
int CmdPartyRevoke(Context& c, const Signing& s, const std::string& id, const std::string& reason);
int CmdKeyRotate(Context& c, const Signing& s, const std::string& new_pubkey);
struct LotCreateOptions {
  std::string lot, material, category, origin, hs;
  int64_t mass_g = 0, value = 0;
  std::vector<std::string> elements;  // "Dy=870"
};
int CmdLotCreate(Context& c, const Signing& s, const LotCreateOptions& o);
// `lot correct`: a correct_lot entry; only the options given are corrected.
struct LotCorrectOptions {
  std::string lot, reason;
  std::optional<std::string> material, category, hs;
  std::vector<std::string> elements;  // "Dy=870"; any given replace all elements
};
int CmdLotCorrect(Context& c, const Signing& s, const LotCorrectOptions& o);
int CmdTransfer(Context& c, const Signing& s, const std::string& lot, const std::string& to,
                std::optional<int64_t> value);
int CmdSplit(Context& c, const Signing& s, const std::string& lot,
             const std::vector<std::string>& parts);  // "LOT=MASS"
struct TransformOptions {
  std::string process, facility_country, technology_origin;
  std::vector<std::string> inputs;      // "LOT=MASS"
  std::vector<std::string> outputs;     // JSON objects
  std::vector<std::string> allocation;  // "LOT=n/d"
};
int CmdTransform(Context& c, const Signing& s, const TransformOptions& o);
struct AttestOptions {
  std::string lot, claim, detail;
  std::optional<uint64_t> entry;
};
int CmdAttest(Context& c, const Signing& s, const AttestOptions& o);

struct AssessOptions {
  std::string lot, format, category, bundle;  // format "": text, or JSON with --all
  std::vector<std::string> policies;         // none: every shipped policy
  std::optional<std::string> as_of;          // given but empty is a usage error
  bool all = false;
  std::string to;                            // --to PARTY: the shipment to that consignee
  std::string end_use, end_user;             // with --to: the shipment's
};
int CmdAssess(Context& c, const AssessOptions& o);
struct TraceOptions {
  std::string lot, format = "text", policy, bundle;
  std::optional<std::string> as_of;
  bool down = false;
};
int CmdTrace(Context& c, const TraceOptions& o);
int CmdDemo(Context& c, const std::string& policy_dir);

// cmd_epcis.cpp: GS1 EPCIS 2.0 import and export (docs/epcis.md).
// cmd_notice.cpp: Compliance Notices (graph/notice.h, docs/formats.md).
struct NoticeOptions {
  std::string lot, policy, to, key, out;
  std::optional<std::string> as_of, valid_until;
  std::string end_use, end_user;
};
int CmdNotice(Context& c, const NoticeOptions& o);
struct VerifyNoticeOptions {
  std::string file, operator_key, policy;
  std::optional<std::string> at;
  int64_t max_checkpoint_age_days = 30;
  bool recompute = false;  // also assess again from --db and compare
};
int CmdVerifyNotice(Context& c, const VerifyNoticeOptions& o);

struct EpcisImportOptions {
  std::string document, key;
  bool dry_run = false;
};
int CmdEpcisImport(Context& c, const EpcisImportOptions& o);

struct EpcisExportOptions {
  std::string lot, party, out;
  bool up = false, down = false, with_values = false;
};
int CmdEpcisExport(Context& c, const EpcisExportOptions& o);

// cmd_serve.cpp
struct ServeOptions {
  std::string operator_key, listen = "127.0.0.1:8080", policies;
  // Durations in seconds, as decimal text ("1", "0.25"): SPEC's unit.
  std::string checkpoint_every = "1";
  unsigned threads = 2;  // I/O threads
  uint64_t max_body_bytes = uint64_t{64} << 20;
  std::string header_timeout = "20", body_timeout = "120", write_timeout = "30";
  size_t max_connections = 20000;
  std::vector<std::string> witnesses;  // NAME=URL=VKEY
  size_t witness_quorum = 0;           // 0: all of them
};
int CmdServe(Context& c, const ServeOptions& o);
// Writes the tlog-tiles read side (checkpoint, tiles, bundles) into `dir`.
int CmdTiles(Context& c, const std::string& dir);

// cmd_witness.cpp
struct WitnessOptions {
  std::string key, name, listen = "127.0.0.1:8081";
  std::vector<std::string> logs;  // ORIGIN=VKEY
  bool vkey = false;              // print the cosigner verifier key, run nothing
};
int CmdWitness(Context& c, const WitnessOptions& o);
// Ok when no witness keys were given, or `note` carries the quorum of
// valid cosignatures (g.witness_vkeys, g.witness_quorum); the error names
// what is missing. InvalidArgument for a bad key or quorum.
ledger::Status CheckWitnesses(const Globals& g, const std::string& note);

// cmd_remote.cpp: clients of a server (g.server).
struct RemoteVerifyOptions {
  std::string operator_key;  // PEM public key, or
  std::string vkey;          // a note verifier key (or a file holding one)
};
int CmdVerifyServer(Context& c, const RemoteVerifyOptions& o);
struct MirrorOptions {
  RemoteVerifyOptions trust;
  bool follow = false;
  std::string interval = "1";  // seconds
  std::string currency;  // when the server does not say (a static tiles host)
};
int CmdMirror(Context& c, const MirrorOptions& o);
// Submits envelopes (text, input line) to g.server; prints what CmdSubmit
// prints. `single` for a shortcut's one entry.
int SubmitToServer(Context& c, const std::vector<std::pair<std::string, size_t>>& envelopes,
                   bool single);
// The ledger id, party and next seq for `key` (and `party` if given), from
// g.server or else the ledger at g.db.
struct SignerContext {
  std::string ledger_id;
  ledger::SignerIdentity who;
};
ledger::Result<SignerContext> ResolveSigner(Context& c, const ledger::PublicKey& key,
                                            const std::string& party);

}  // namespace rareledger::cli

#endif  // RARELEDGER_CLI_CLI_H_
