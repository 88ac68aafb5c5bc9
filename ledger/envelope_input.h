// EnvelopeInput: frames what `submit` reads into envelopes. The input is
// either JSON Lines (one envelope a line; blank lines skipped) or a single
// envelope, which may be pretty-printed over many lines.
//
// The form is decided on the first non-blank line: a line that parses as
// JSON on its own starts JSON Lines, and every line is then handed on as
// soon as it is read (a slow pipe is committed as it arrives, memory stays
// flat however long the input). Otherwise the input up to its end (at most
// kMaxDocumentBytes) is taken as one document when it parses as one, and
// as JSON Lines when it does not (its first line then fails, naming line 1).
#ifndef RARELEDGER_LEDGER_ENVELOPE_INPUT_H_
#define RARELEDGER_LEDGER_ENVELOPE_INPUT_H_

#include <cstddef>
#include <deque>
#include <istream>
#include <string>
#include <utility>

namespace rareledger::ledger {

class EnvelopeInput {
 public:
  // A pretty-printed envelope holds a leaf of at most 65,535 bytes plus
  // whitespace; more than this is not one envelope.
  static constexpr size_t kMaxDocumentBytes = 1 << 20;  // ParseStrict's limit

  // `in` is borrowed and read on the calling thread only.
  explicit EnvelopeInput(std::istream& in) : in_(in) {}

  // The next envelope's text and the input line it starts on (from 1);
  // false at the end of the input.
  bool Next(std::string* text, size_t* line_no);

 private:
  bool ReadLine(std::string* line);  // counts lines
  // Reads the rest of a document that starts with `first`.
  void ReadDocument(std::string first, size_t first_no);

  std::istream& in_;
  size_t lines_read_ = 0;
  bool decided_ = false;
  std::deque<std::pair<std::string, size_t>> ready_;  // framed, not yet given
};

}  // namespace rareledger::ledger

#endif  // RARELEDGER_LEDGER_ENVELOPE_INPUT_H_
