// The crypto headers in one include, for code that uses most of them. Each
// concept has its own header: hash.h (SHA-256), encoding.h (base64, hex),
// public_key.h, verifier.h, signer.h; prefer those.
#ifndef RARELEDGER_LEDGER_CRYPTO_H_
#define RARELEDGER_LEDGER_CRYPTO_H_

#include "ledger/encoding.h"
#include "ledger/hash.h"
#include "ledger/public_key.h"
#include "ledger/signer.h"
#include "ledger/verifier.h"

#endif  // RARELEDGER_LEDGER_CRYPTO_H_
