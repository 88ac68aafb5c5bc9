#include "ledger/pipeline.h"

namespace rareledger::ledger {

Pipeline::Pipeline(PipelineClient& client, Decoding decoding, unsigned threads)
    : client_(client), decoding_(decoding), pool_(threads) {}

Pipeline::~Pipeline() {
  if (in_flight_) pool_.Wait(in_flight_->signatures_);
}

void Pipeline::Decode(Chunk& chunk) {
  const bool leaves = decoding_ == Decoding::kLeaves;
  pool_.Run(chunk.slots.size(), [&chunk, leaves](size_t i) {
    Slot& s = chunk.slots[i];
    s.entry = leaves ? DecodeLeaf(s.text) : DecodeEnvelope(s.text);
  });
}

void Pipeline::StartSignatures(Chunk& chunk) {
  chunk.signed_.clear();
  for (size_t i = 0; i < chunk.slots.size(); ++i)
    if (!chunk.slots[i].key.empty() && chunk.slots[i].entry.ok()) chunk.signed_.push_back(i);
  chunk.signatures_ = pool_.Start(chunk.signed_.size(), [&chunk](size_t j) {
    Slot& s = chunk.slots[chunk.signed_[j]];
    s.signature = VerifyCached(s.key, s.entry->signed_bytes, s.entry->sig);
  });
}

bool Pipeline::Step(std::unique_ptr<Chunk> next) {
  std::future<bool> completing;
  if (in_flight_) {
    completing = std::async(std::launch::async, [this, c = in_flight_.get()] {
      pool_.Wait(c->signatures_);
      return client_.Complete(*c);
    });
  }
  if (next) {
    Decode(*next);
    client_.Decide(*next, in_flight_.get());
    StartSignatures(*next);
  }
  bool ok = true;
  if (in_flight_) {
    ok = completing.get();
    if (next) {
      if (!ok) {
        pool_.Wait(next->signatures_);
        client_.Discard(std::move(next));
      } else {
        client_.Retire(*next);
      }
    }
    in_flight_.reset();
  }
  in_flight_ = std::move(next);
  return ok;
}

}  // namespace rareledger::ledger
