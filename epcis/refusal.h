// Refusals: why an EPCIS document cannot be imported exactly.
//
// Every refusal carries a reason code from the mapping's list
// (docs/epcis.md "Reason codes") and a one-line message. Inside epcis/ the
// mapper stops at the first refusal by throwing Refused; MapDocument
// (import.h) catches it and reports it with the event's index and id, so
// nothing outside this library ever sees the exception.
#ifndef RARELEDGER_EPCIS_REFUSAL_H_
#define RARELEDGER_EPCIS_REFUSAL_H_

#include <stdexcept>
#include <string>

namespace rareledger::epcis {

struct Refusal {
  std::string code;     // e.g. "not_mass_uom"
  std::string message;  // one line, naming the field and the value
};

class Refused : public std::runtime_error {
 public:
  Refused(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

[[noreturn]] inline void Refuse(const std::string& code, const std::string& message) {
  throw Refused(code, message);
}

}  // namespace rareledger::epcis

#endif  // RARELEDGER_EPCIS_REFUSAL_H_
