// Status and Result<T>: the one error type at every library boundary.
//
// A Status is either ok or carries a Code and a one-line message that names
// the problem ("entry 812: signature invalid for party jp-b"). Library code
// never throws across its public API; RocksDB, OpenSSL and Boost errors are
// translated into a Status inside the library.
#ifndef RARELEDGER_LEDGER_STATUS_H_
#define RARELEDGER_LEDGER_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace rareledger::ledger {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed input: bad JSON, bad field, bad flag value
  kNotFound,            // no such lot, entry, party or file
  kCorruption,          // stored bytes do not decode or do not match
  kIOError,             // the disk or the OS failed
  kRejected,            // a well-formed entry that breaks a ledger rule
  kVerificationFailed,  // a signature, proof, root or checkpoint does not hold
  kBusy,                // the ledger is in use by another writer
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Rejected(std::string msg) { return {Code::kRejected, std::move(msg)}; }
  static Status VerificationFailed(std::string msg) { return {Code::kVerificationFailed, std::move(msg)}; }
  static Status Busy(std::string msg) { return {Code::kBusy, std::move(msg)}; }
  // A status of `code` (not kOk) carried from elsewhere, e.g. a server's answer.
  static Status Of(Code code, std::string msg) { return {code, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "rejected: entry 3: seq 5 is not the next (want 4)".
  std::string ToString() const;
  // The same status with "context: " put before the message.
  Status WithContext(const std::string& context) const;

 private:
  // Messages are one line: control characters (a newline inside a key that
  // came from the input, say) are kept as \u00XX escapes.
  Status(Code code, std::string msg);
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rareledger::ledger

// Propagate a non-ok Status from an expression returning Status.
#define RL_RETURN_IF_ERROR(expr)                       \
  do {                                                 \
    ::rareledger::ledger::Status rl_status_ = (expr);  \
    if (!rl_status_.ok()) return rl_status_;           \
  } while (0)

#define RL_CONCAT_INNER_(a, b) a##b
#define RL_CONCAT_(a, b) RL_CONCAT_INNER_(a, b)
// RL_ASSIGN_OR_RETURN(auto x, ExprReturningResult());
#define RL_ASSIGN_OR_RETURN(lhs, expr) \
  RL_ASSIGN_OR_RETURN_IMPL_(RL_CONCAT_(rl_result_, __LINE__), lhs, expr)
#define RL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // RARELEDGER_LEDGER_STATUS_H_
