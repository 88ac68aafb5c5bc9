#include "ledger/status.h"

namespace rareledger::ledger {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kCorruption: return "corruption";
    case Code::kIOError: return "I/O error";
    case Code::kRejected: return "rejected";
    case Code::kVerificationFailed: return "verification failed";
    case Code::kBusy: return "busy";
  }
  return "unknown";
}

Status::Status(Code code, std::string msg) : code_(code) {
  bool clean = true;
  for (unsigned char c : msg) clean = clean && c >= 0x20 && c != 0x7f;
  if (clean) {
    message_ = std::move(msg);
    return;
  }
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : msg) {
    if (c >= 0x20 && c != 0x7f) {
      message_ += static_cast<char>(c);
    } else {
      message_ += "\\u00";
      message_ += kHex[c >> 4];
      message_ += kHex[c & 15];
    }
  }
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace rareledger::ledger
