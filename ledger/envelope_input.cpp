#include "ledger/envelope_input.h"

#include "ledger/canonical_json.h"

namespace rareledger::ledger {
namespace {

bool Blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

bool EnvelopeInput::ReadLine(std::string* line) {
  if (!std::getline(in_, *line)) return false;
  ++lines_read_;
  return true;
}

void EnvelopeInput::ReadDocument(std::string first, size_t first_no) {
  std::deque<std::pair<std::string, size_t>> lines;
  size_t bytes = first.size();
  std::string document = first;
  lines.emplace_back(std::move(first), first_no);
  std::string line;
  while (bytes <= kMaxDocumentBytes && ReadLine(&line)) {
    bytes += line.size() + 1;
    document += '\n';
    document += line;
    lines.emplace_back(std::move(line), lines_read_);
  }
  if (bytes <= kMaxDocumentBytes && ParseStrict(document).ok()) {
    ready_.emplace_back(std::move(document), first_no);
    return;
  }
  for (auto& l : lines)  // not one document: JSON Lines after all
    if (!Blank(l.first)) ready_.push_back(std::move(l));
}

bool EnvelopeInput::Next(std::string* text, size_t* line_no) {
  if (ready_.empty()) {
    std::string line;
    do {
      if (!ReadLine(&line)) return false;
    } while (Blank(line));
    if (!decided_) {
      decided_ = true;
      if (!ParseStrict(line).ok()) {
        ReadDocument(std::move(line), lines_read_);
        return Next(text, line_no);
      }
    }
    *text = std::move(line);
    *line_no = lines_read_;
    return true;
  }
  *text = std::move(ready_.front().first);
  *line_no = ready_.front().second;
  ready_.pop_front();
  return true;
}

}  // namespace rareledger::ledger
