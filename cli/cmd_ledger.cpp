// init, status, keygen, sign, submit: writing to the log.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/envelope.h"
#include "ledger/envelope_input.h"
#include "ledger/ledger.h"

namespace rareledger::cli {

using ledger::Ledger;

int CmdInit(Context& c, const InitOptions& o) {
  auto key = LoadSigner(o.operator_key);
  if (!key.ok()) return Fail(key.status());
  auto l = Ledger::Init(c.g.db, o.ledger_id, o.currency, o.country, *key, ledger::UtcNow());
  if (!l.ok()) return Fail(l.status());
  auto info = (*l)->Info();
  std::cout << "initialised ledger \"" << info.ledger_id << "\" at " << c.g.db
            << " (entry 0 registers the operator)\n";
  return kExitOk;
}

int CmdStatus(Context& c) {
  auto info = c.ledger().Info();
  if (c.g.json) {
    nlohmann::json j = {{"ledger", info.ledger_id},
                        {"currency", info.currency},
                        {"size", info.size},
                        {"root", ledger::HexEncode(info.root)}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "ledger   " << info.ledger_id << "\ncurrency " << info.currency << "\nsize     "
              << info.size << "\nroot     " << ledger::HexEncode(info.root) << "\n";
  }
  return kExitOk;
}

int CmdKeygen(const std::string& out) {
  auto signer = ledger::Signer::Generate();
  if (!signer.ok()) return Fail(signer.status());
  ledger::Status s = ledger::WriteKeyPair(*signer, out);
  if (!s.ok()) return Fail(s);
  std::cout << "wrote " << out << ".key and " << out << ".pub\npubkey "
            << signer->public_key().ToBase64() << "\n";
  return kExitOk;
}

namespace {

// The header fields `sign` fills from the ledger, looked up once.
class HeaderSource {
 public:
  HeaderSource(Context& c, const ledger::Signer& signer, const SignOptions& o)
      : c_(c), signer_(signer), o_(o) {}
  // The header for the next payload; opens the ledger only when a payload
  // leaves out a field only the ledger knows.
  ledger::Result<ledger::PayloadHeader> Next(const nlohmann::json& payload) {
    ledger::PayloadHeader h;
    h.time = o_.time.empty() ? ledger::UtcNow() : o_.time;
    const bool needs_ledger = !payload.contains("ledger") || !payload.contains("seq") ||
                              (!payload.contains("party") && o_.party.empty());
    h.party = o_.party;
    if (!needs_ledger) return h;
    if (!identity_) {
      RL_ASSIGN_OR_RETURN(identity_, ResolveSigner(c_, signer_.public_key(), o_.party));
    }
    h.ledger = identity_->ledger_id;
    h.party = identity_->who.party;
    h.seq = identity_->who.next_seq + filled_seqs_;
    if (!payload.contains("seq")) ++filled_seqs_;
    return h;
  }

 private:
  Context& c_;
  const ledger::Signer& signer_;
  const SignOptions& o_;
  std::optional<SignerContext> identity_;
  int64_t filled_seqs_ = 0;
};

}  // namespace

int CmdSign(Context& c, const SignOptions& o) {
  auto signer = LoadSigner(o.key);
  if (!signer.ok()) return Fail(signer.status());
  std::ifstream file;
  if (!o.input.empty() && o.input != "-") {
    file.open(o.input, std::ios::binary);
    if (!file) return Fail(ledger::Status::NotFound("cannot read " + o.input));
  }
  ledger::EnvelopeInput input(file.is_open() ? static_cast<std::istream&>(file) : std::cin);
  HeaderSource headers(c, *signer, o);
  std::string text;
  size_t line_no = 0, signed_count = 0;
  while (input.Next(&text, &line_no)) {
    const std::string where = "line " + std::to_string(line_no);
    auto payload = ledger::ParseStrict(text);
    if (!payload.ok()) return Fail(payload.status().WithContext(where));
    auto header = headers.Next(*payload);
    if (!header.ok()) return Fail(header.status());
    ledger::Status filled = ledger::FillHeader(&payload.value(), *header);
    if (!filled.ok()) return Fail(filled.WithContext(where));
    auto envelope = ledger::SignEnvelope(*payload, *signer);
    if (!envelope.ok()) return Fail(envelope.status().WithContext(where));
    std::cout << *envelope << "\n";
    ++signed_count;
  }
  if (signed_count == 0) return Fail(ledger::Status::InvalidArgument("empty input: nothing to sign"));
  return kExitOk;
}

int CmdSubmit(Context& c, const std::string& input) {
  std::ifstream file;
  if (!input.empty() && input != "-") {
    file.open(input, std::ios::binary);
    if (!file) return Fail(ledger::Status::NotFound("cannot read " + input));
  }
  ledger::EnvelopeInput reader(file.is_open() ? static_cast<std::istream&>(file) : std::cin);
  const Globals& g = c.g;
  if (!g.server.empty()) {
    std::vector<std::pair<std::string, size_t>> envelopes;
    std::string text;
    size_t line_no = 0;
    while (reader.Next(&text, &line_no)) envelopes.emplace_back(std::move(text), line_no);
    if (envelopes.empty()) return Fail(ledger::Status::InvalidArgument("empty input: nothing to submit"));
    return SubmitToServer(c, envelopes, /*single=*/false);
  }
  // Per-line results on a terminal are progress enough.
  Progress progress("submit", g.quiet || isatty(STDOUT_FILENO) == 1);
  uint64_t seen = 0;
  size_t lines = 0;
  auto report = c.ledger().Submit(
      [&](std::string* text, size_t* line_no) {
        if (!reader.Next(text, line_no)) return false;
        ++lines;
        return true;
      },
      [&](const ledger::SubmitOutcome& o) {
        progress.Update(++seen, 0);
        if (g.quiet) return;
        if (g.json) {
          nlohmann::json j = {{"line", o.line},
                              {"index", o.index},
                              {"status", o.duplicate ? "present" : "appended"},
                              {"type", ledger::EntryTypeName(o.entry->type)},
                              {"party", o.entry->party},
                              {"seq", o.entry->seq}};
          std::cout << j.dump() << "\n";
        } else {
          std::cout << "line " << o.line << ": " << (o.duplicate ? "already present as entry "
                                                                 : "appended as entry ")
                    << o.index << " (" << ledger::EntryTypeName(o.entry->type) << " by "
                    << o.entry->party << ", seq " << o.entry->seq << ")\n";
        }
        std::cout.flush();
      });
  progress.Finish();
  if (lines == 0) return Fail(ledger::Status::InvalidArgument("empty input: nothing to submit"));
  std::cerr << "rareledger: appended " << report.appended << ", already present "
            << report.duplicates << ", log size " << c.ledger().Info().size << "\n";
  if (!report.error.ok()) return Fail(report.error);
  return kExitOk;
}

}  // namespace rareledger::cli
