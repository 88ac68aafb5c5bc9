// init, status, keygen, sign, submit: writing to the log.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"

namespace rareledger::cli {

using ledger::Ledger;

int CmdInit(const Globals& g, const InitOptions& o) {
  auto key = ledger::Signer::FromPemFile(o.operator_key);
  if (!key.ok()) return Fail(key.status());
  auto l = Ledger::Init(g.db, o.ledger_id, o.currency, o.country, *key, ledger::UtcNow());
  if (!l.ok()) return Fail(l.status());
  auto info = (*l)->Info();
  std::cout << "initialised ledger \"" << info.ledger_id << "\" at " << g.db
            << " (entry 0 registers the operator)\n";
  return kExitOk;
}

int CmdStatus(const Globals& g) {
  auto l = Ledger::Open(g.db, false);
  if (!l.ok()) return Fail(l.status());
  auto info = (*l)->Info();
  if (g.json) {
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

int CmdSign(const std::string& key, const std::string& input) {
  auto signer = ledger::Signer::FromPemFile(key);
  if (!signer.ok()) return Fail(signer.status());
  auto text = ReadInput(input);
  if (!text.ok()) return Fail(text.status());
  auto canonical = ledger::CanonicalPayload(*text);
  if (!canonical.ok()) return Fail(canonical.status());
  auto sig = signer->Sign(*canonical);
  if (!sig.ok()) return Fail(sig.status());
  std::cout << ledger::MakeEnvelope(*canonical, *sig) << "\n";
  return kExitOk;
}

namespace {

// Splits input into envelopes: JSON Lines, or one (possibly pretty-printed)
// JSON document when the input does not look like JSON Lines.
std::vector<std::string> SplitEnvelopes(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  // A single pretty-printed envelope: no line parses alone but the whole does.
  size_t nonblank = 0;
  for (const auto& l : lines)
    if (l.find_first_not_of(" \t\r") != std::string::npos) ++nonblank;
  if (nonblank > 1 && !ledger::ParseStrict(lines.front()).ok() && ledger::ParseStrict(text).ok())
    return {text};
  return lines;
}

}  // namespace

// Envelopes from a stream: one pretty-printed JSON document when the input
// is small and parses as one, else JSON Lines read line by line so memory
// stays flat however long the input is.
class EnvelopeReader {
 public:
  explicit EnvelopeReader(std::istream& in) : in_(in) {
    head_.resize(ledger::kMaxEntryBytes + 1);
    in_.read(head_.data(), static_cast<std::streamsize>(head_.size()));
    head_.resize(static_cast<size_t>(in_.gcount()));
    streaming_ = head_.size() > ledger::kMaxEntryBytes;
    if (!streaming_) lines_ = SplitEnvelopes(head_);
  }
  bool empty() const { return head_.find_first_not_of(" \t\r\n") == std::string::npos; }
  bool Next(std::string* line) {
    if (!streaming_) {
      if (next_ >= lines_.size()) return false;
      *line = std::move(lines_[next_++]);
      return true;
    }
    size_t nl = head_.find('\n', pos_);
    if (nl != std::string::npos) {
      *line = head_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      return true;
    }
    if (pos_ < head_.size()) {  // the head's last, partial line
      std::string rest;
      std::getline(in_, rest);
      *line = head_.substr(pos_) + rest;
      pos_ = head_.size();
      return true;
    }
    return static_cast<bool>(std::getline(in_, *line));
  }

 private:
  std::istream& in_;
  std::string head_;
  size_t pos_ = 0;
  bool streaming_ = false;
  std::vector<std::string> lines_;
  size_t next_ = 0;
};

int CmdSubmit(const Globals& g, const std::string& input) {
  std::ifstream file;
  if (!input.empty() && input != "-") {
    file.open(input, std::ios::binary);
    if (!file) return Fail(ledger::Status::NotFound("cannot read " + input));
  }
  EnvelopeReader reader(file.is_open() ? static_cast<std::istream&>(file) : std::cin);
  if (reader.empty())
    return Fail(ledger::Status::InvalidArgument("empty input: nothing to submit"));
  auto l = Ledger::Open(g.db, true);
  if (!l.ok()) return Fail(l.status());
  // Per-line results on a terminal are progress enough.
  Progress progress("submit", g.quiet || isatty(STDOUT_FILENO) == 1);
  uint64_t seen = 0;
  auto report = (*l)->Submit([&](std::string* line) { return reader.Next(line); },
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
      });
  progress.Finish();
  std::cerr << "rareledger: appended " << report.appended << ", already present "
            << report.duplicates << ", log size " << (*l)->Info().size << "\n";
  if (!report.error.ok()) return Fail(report.error);
  return kExitOk;
}

}  // namespace rareledger::cli
