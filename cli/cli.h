// The rareledger command line: option structs and one handler per
// subcommand. Handlers hold no business logic: they call the ledger and
// graph libraries and format what comes back. Each returns the exit code.
#ifndef RARELEDGER_CLI_CLI_H_
#define RARELEDGER_CLI_CLI_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace rareledger::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // rejected, or failed verification
inline constexpr int kExitUsage = 2;

struct Globals {
  std::string db;     // ledger directory
  bool json = false;  // machine-readable output on read commands
  bool quiet = false;
};

// Prints "rareledger: <code>: <message>" on stderr, returns kExitFailure.
int Fail(const ledger::Status& status);
// Prints "rareledger: <message>" on stderr, returns kExitUsage.
int UsageError(const std::string& message);
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

// Reads FILE, or standard input for "-" or "".
ledger::Result<std::string> ReadInput(const std::string& path);

struct InitOptions {
  std::string ledger_id, operator_key, currency = "USD", country = "ZZ";
};
int CmdInit(const Globals& g, const InitOptions& o);
int CmdStatus(const Globals& g);
int CmdKeygen(const std::string& out);
int CmdSign(const std::string& key, const std::string& input);
int CmdSubmit(const Globals& g, const std::string& input);

int CmdShowLot(const Globals& g, const std::string& lot);
int CmdShowEntry(const Globals& g, uint64_t index);
int CmdShowParty(const Globals& g, const std::string& party);
int CmdLog(const Globals& g, uint64_t from, std::optional<uint64_t> limit);

struct CheckpointOptions {
  std::string operator_key;
  bool list = false;
};
int CmdCheckpoint(const Globals& g, const CheckpointOptions& o);
int CmdProveInclusion(const Globals& g, uint64_t index, std::optional<uint64_t> size);
int CmdProveConsistency(const Globals& g, uint64_t old_size, std::optional<uint64_t> new_size);
int CmdVerify(const Globals& g);
int CmdExport(const Globals& g, const std::string& dir);
int CmdVerifyBundle(const Globals& g, const std::string& dir);

// Shortcuts: build a payload, sign it with `key`, submit it.
struct Signing {
  std::string key;    // PEM private key file
  std::string party;  // signer id; default: the party whose current key it is
  std::string time;   // default: now
};
struct PartyAddOptions {
  std::string id, name, country, pubkey;  // pubkey: PEM file or base64
  std::vector<std::string> roles;
};
int CmdPartyAdd(const Globals& g, const Signing& s, const PartyAddOptions& o);
int CmdPartyRevoke(const Globals& g, const Signing& s, const std::string& id,
                   const std::string& reason);
int CmdKeyRotate(const Globals& g, const Signing& s, const std::string& new_pubkey);
struct LotCreateOptions {
  std::string lot, material, category, origin, hs;
  int64_t mass_g = 0, value = 0;
  std::vector<std::string> elements;  // "Dy=870"
};
int CmdLotCreate(const Globals& g, const Signing& s, const LotCreateOptions& o);
// `lot correct`: a correct_lot entry; only the options given are corrected.
struct LotCorrectOptions {
  std::string lot, reason;
  std::optional<std::string> material, category, hs;
  std::vector<std::string> elements;  // "Dy=870"; any given replace all elements
};
int CmdLotCorrect(const Globals& g, const Signing& s, const LotCorrectOptions& o);
int CmdTransfer(const Globals& g, const Signing& s, const std::string& lot, const std::string& to,
                std::optional<int64_t> value);
int CmdSplit(const Globals& g, const Signing& s, const std::string& lot,
             const std::vector<std::string>& parts);  // "LOT=MASS"
struct TransformOptions {
  std::string process, facility_country, technology_origin;
  std::vector<std::string> inputs;      // "LOT=MASS"
  std::vector<std::string> outputs;     // JSON objects
  std::vector<std::string> allocation;  // "LOT=n/d"
};
int CmdTransform(const Globals& g, const Signing& s, const TransformOptions& o);
struct AttestOptions {
  std::string lot, claim, detail;
  std::optional<uint64_t> entry;
};
int CmdAttest(const Globals& g, const Signing& s, const AttestOptions& o);

struct AssessOptions {
  std::string lot, policy, as_of, format = "text", category;
  bool all = false;
};
int CmdAssess(const Globals& g, const AssessOptions& o);
struct TraceOptions {
  std::string lot, format = "text", policy;
  bool down = false;
};
int CmdTrace(const Globals& g, const TraceOptions& o);
int CmdDemo(const Globals& g, const std::string& policy_dir);

}  // namespace rareledger::cli

#endif  // RARELEDGER_CLI_CLI_H_
